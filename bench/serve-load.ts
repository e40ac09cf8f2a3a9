/**
 * Load on a real `strata serve` process (run: `npx tsx bench/serve-load.ts [--concurrency 20] [--seconds 10]
 * [--url http://127.0.0.1:8080/v1 --model-name NAME]`): requests/s, latency percentiles, unexpected errors and the
 * server's resident memory before and after, for several request mixes at a fixed concurrency. Without `--url` it
 * starts `strata serve` on stories260K (../shared) on a free loopback port; with `--url` it loads any server (e.g. an
 * older build of strata serve, for a side-by-side run).
 *
 * Reference: issue 11 measured 94–131 requests/s at concurrency 20 on `strata serve` over stories260K, on the same
 * 2-core machine under the load of other sessions (request mix not stated; small completions are assumed here).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
};
const concurrency = Number(arg('concurrency', '20'));
const seconds = Number(arg('seconds', '10'));
const root = fileURLToPath(new URL('../', import.meta.url));
const modelPath = process.env.STRATA_SHARED ? `${process.env.STRATA_SHARED}/models/stories260K.gguf` : fileURLToPath(new URL('../../shared/models/stories260K.gguf', import.meta.url));

let url = arg('url', '');
let modelName = arg('model-name', 'stories');
let child: ReturnType<typeof spawn> | undefined;
if (!url) {
  if (!existsSync(modelPath)) {
    console.error(`bench/serve-load.ts: ${modelPath} is absent; nothing to measure (set STRATA_SHARED or pass --url)`);
    process.exit(0);
  }
  child = spawn(process.execPath, ['bin/strata.js', 'serve', '--model', modelPath, '--port', '0', '--model-name', 'stories', '--quiet'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  url = (await once(child.stdout!, 'data') as [Buffer])[0].toString().trim();
  modelName = 'stories';
}

/** Resident memory of the server process in MB (Linux /proc), or NaN for a remote server. */
function rssMb(): number {
  if (!child?.pid) return NaN;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

interface Mix { name: string; request: (i: number) => { path: string; body: unknown; stream?: boolean }; expected: (status: number) => boolean }
const mixes: Mix[] = [
  {
    name: 'completions, 8 tokens, logprobs 5',
    request: (i) => ({ path: '/completions', body: { model: modelName, prompt: 'Once upon a time', max_tokens: 8, temperature: 1, seed: i, logprobs: 5 } }),
    expected: (s) => s === 200,
  },
  {
    name: 'same, streamed (SSE)',
    request: (i) => ({ path: '/completions', body: { model: modelName, prompt: 'Once upon a time', max_tokens: 8, temperature: 1, seed: i, logprobs: 5, stream: true }, stream: true }),
    expected: (s) => s === 200,
  },
  {
    name: 'chat, 8 tokens, top_logprobs 5',
    request: (i) => ({ path: '/chat/completions', body: { model: modelName, messages: [{ role: 'user', content: 'Tell me a story.' }], max_tokens: 8, seed: i, logprobs: true, top_logprobs: 5 } }),
    expected: (s) => s === 200,
  },
  {
    name: 'mixed: 1/2 completions, 1/4 bad token ids, 1/4 echo',
    request: (i) => (i % 4 === 1
      ? { path: '/completions', body: { model: modelName, prompt: [1, 600], max_tokens: 4 } }
      : i % 4 === 3
        ? { path: '/completions', body: { model: modelName, prompt: 'Once upon a time there was', max_tokens: 1, echo: true, logprobs: 5 } }
        : { path: '/completions', body: { model: modelName, prompt: 'Once upon a time', max_tokens: 8, seed: i } }),
    expected: (s) => s === 200 || s === 400,
  },
];

const rows: string[] = [];
for (const mix of mixes) {
  const before = rssMb();
  const latencies: number[] = [];
  let unexpected = 0;
  let i = 0;
  const end = performance.now() + seconds * 1000;
  async function worker(): Promise<void> {
    while (performance.now() < end) {
      const { path, body } = mix.request(i++);
      const t0 = performance.now();
      try {
        const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
        await res.text();
        if (!mix.expected(res.status)) unexpected++;
      } catch {
        unexpected++;
      }
      latencies.push(performance.now() - t0);
    }
  }
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  const q = (p: number): number => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
  rows.push(`${mix.name.padEnd(52)} ${(latencies.length / elapsed).toFixed(1).padStart(7)} ${q(0.5).toFixed(0).padStart(6)} ${q(0.95).toFixed(0).padStart(6)} ${String(unexpected).padStart(6)} ${before.toFixed(0).padStart(6)} → ${rssMb().toFixed(0)}`);
}
console.log(`strata serve load at concurrency ${concurrency}, ${seconds} s per mix, ${url}`);
console.log(`${'mix'.padEnd(52)} ${'req/s'.padStart(7)} ${'p50 ms'.padStart(6)} ${'p95 ms'.padStart(6)} ${'errors'.padStart(6)} RSS MB`);
for (const r of rows) console.log(r);
console.log(`${'reference: issue 11 (strata serve, stories260K)'.padEnd(52)} ${'94–131'.padStart(7)}`);
if (child) {
  child.kill('SIGTERM');
  await once(child, 'exit');
}
