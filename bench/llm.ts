/**
 * llm throughput on stories260K (run: `npx tsx bench/llm.ts [--threads N]`): sampled tokens/s in process,
 * teacher-forced tokens/s, requests/s through `startServer` + the HTTP backend, and cache hits/s.
 * Standalone (async calls do not fit the synchronous harness in bench/run.ts).
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadGgufModel } from '../src/llm/backends/gguf.ts';
import { createOpenAiHttpModel } from '../src/llm/backends/openai-http.ts';
import { startServer } from '../src/llm/server.ts';
import { QueryCache, withCache } from '../src/llm/cache.ts';

const modelPath = fileURLToPath(new URL('../../shared/models/stories260K.gguf', import.meta.url));
if (!existsSync(modelPath)) {
  console.error(`bench/llm.ts: ${modelPath} is absent; nothing to measure`);
  process.exit(0);
}
const threadsArg = process.argv.indexOf('--threads');
const threads = threadsArg >= 0 ? Number(process.argv[threadsArg + 1]) : 1;

const model = await loadGgufModel(modelPath, { threads });
const rows: [string, number, string][] = [];
async function measure(name: string, unit: string, work: () => Promise<number>): Promise<void> {
  await work(); // warm-up
  const t0 = performance.now();
  let count = 0;
  while (performance.now() - t0 < 1500) count += await work();
  rows.push([name, count / ((performance.now() - t0) / 1000), unit]);
}

let seed = 0;
await measure('sample 64 tokens (full distribution, TS sampling)', 'tokens/s', async () =>
  (await model.sample({ prompt: 'Once upon a time', maxTokens: 64, temperature: 1, seed: seed++, stopAtEos: false })).tokens.length);
const story = 'Once upon a time, there was a little girl named Lily. She loved to play outside in the park. One day, she saw a big tree.';
await measure('continuationLogprobs (teacher forcing)', 'tokens/s', async () =>
  (await model.continuationLogprobs('Once upon a time', story.slice(16) + ` ${seed++}`)).tokens.length);
const server = await startServer({ model, port: 0, modelName: 'stories' });
const http = createOpenAiHttpModel({ baseUrl: server.url, model: 'stories' });
await measure('HTTP completions, 8 tokens, logprobs 5', 'requests/s', async () => {
  await http.sample({ prompt: 'Once upon a time', maxTokens: 8, temperature: 1, seed: seed++, topLogprobs: 5 });
  return 1;
});
const cache = new QueryCache(join(mkdtempSync(join(tmpdir(), 'strata-bench-')), 'c.sqlite'));
const cached = withCache(http, cache);
await cached.continuationLogprobs('Once upon a time', ' there');
await measure('cache hit (SQLite lookup + decode)', 'queries/s', async () => {
  await cached.continuationLogprobs('Once upon a time', ' there');
  return 1;
});
cache.close();
await server.close();
await model.close();
console.log(`llm on stories260K, threads=${threads}`);
for (const [name, value, unit] of rows) console.log(`${name.padEnd(52)} ${value.toFixed(0).padStart(8)} ${unit}`);
