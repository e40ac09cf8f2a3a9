import { endpointUrl, parseBaseUrl } from '../../src/llm/backends/openai-http.ts';
/**
 * openModel and the shared connection flags: one spec for every command, identities exposed by the backends (and
 * equal to what replay computes without loading), sampling options honoured by the GGUF backend, one RNG.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  QueryCache, CacheMissError, modelIdentity, openModel, openAiHttpIdentity, resolveApiKey,
  type LanguageModel,
} from '../../src/llm/index.ts';
import { nthStopIndex } from '../../src/llm/sampling.ts';
import { DEFAULT_MODEL_PATH, defaultModelAvailable } from '../../src/forecast/digit-model.ts';
import { modelSpecFromFlags } from '../../src/cli/model-options.ts';
import { runCli } from '../../src/cli/run.ts';
import { testIO } from '../cli/io.ts';

const SKIP: string | false = defaultModelAvailable() ? false : `model ${DEFAULT_MODEL_PATH} is absent`;
const dir = mkdtempSync(join(tmpdir(), 'strata-open-model-'));
let digits: LanguageModel | undefined;

before(async () => {
  if (!SKIP) digits = await openModel({ kind: 'gguf', path: DEFAULT_MODEL_PATH, threads: 1, seed: 9 });
});
after(async () => {
  await digits?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the identity is the backend\'s own, and modelIdentity computes the same without loading (replay)', { skip: SKIP }, async () => {
  assert.match(digits!.identity, /^gguf:sha256:[0-9a-f]{64}$/);
  assert.equal(await modelIdentity({ kind: 'gguf', path: DEFAULT_MODEL_PATH }), digits!.identity);
  assert.equal(await modelIdentity({ kind: 'http', url: 'http://127.0.0.1:9/v1/?k=secret', model: 'x' }), 'openai-http:http://127.0.0.1:9/v1#x');
  assert.equal(openAiHttpIdentity('https://api.openai.com/v1', 'gpt'), 'openai-http:https://api.openai.com/v1#gpt');
});

test('GGUF sample honours allowedTokens, topP and seeds; unseeded draws come from the session Rng, not Math.random', { skip: SKIP }, async () => {
  const allowed = await digits!.tokenize('0123456789,', { addBos: false });
  const r = await digits!.sample({ prompt: '10,12,14,', maxTokens: 12, allowedTokens: allowed, topP: 0.5, seed: 4 });
  assert.ok(r.tokens.every((t) => allowed.includes(t.id!)));
  assert.ok(/^[0-9,]*$/.test(r.text));
  const again = await digits!.sample({ prompt: '10,12,14,', maxTokens: 12, allowedTokens: allowed, topP: 0.5, seed: 4 });
  assert.equal(again.text, r.text);
  // topP near 0 keeps only the most likely token: the same as greedy.
  const nucleus = await digits!.sample({ prompt: '10,12,14,', maxTokens: 8, allowedTokens: allowed, topP: 1e-9, seed: 1 });
  const greedy = await digits!.sample({ prompt: '10,12,14,', maxTokens: 8, allowedTokens: allowed, temperature: 0 });
  assert.equal(nucleus.text, greedy.text);
  // topP 0 is OpenAI's greedy nucleus (the most likely token only); outside [0, 1] is an error.
  const zero = await digits!.sample({ prompt: '10,12,14,', maxTokens: 8, allowedTokens: allowed, topP: 0, seed: 5 });
  assert.equal(zero.text, greedy.text);
  await assert.rejects(async () => digits!.sample({ prompt: '1,', maxTokens: 2, topP: 1.5 }), /topP must be in \[0, 1\]/);
  // stopCount: stop at the third separator (dropped), so the text holds exactly two.
  const three = await digits!.sample({ prompt: '10,12,14,', maxTokens: 40, allowedTokens: allowed, stop: [','], stopCount: 3, seed: 2 });
  assert.equal(three.finishReason, 'stop');
  assert.equal(three.text.split(',').length - 1, 2, three.text);
  assert.equal(nthStopIndex('1,2,,3', [','], 3), 4);
  assert.equal(nthStopIndex('1,2', [','], 2), -1);
  // Two models opened with the same session seed give the same unseeded draws.
  const other = await openModel({ kind: 'gguf', path: DEFAULT_MODEL_PATH, threads: 1, seed: 9 });
  try {
    const a = [await digits!.sample({ prompt: '5,', maxTokens: 10 }), await digits!.sample({ prompt: '5,', maxTokens: 10 })].map((x) => x.text);
    const b = [await other.sample({ prompt: '5,', maxTokens: 10 }), await other.sample({ prompt: '5,', maxTokens: 10 })].map((x) => x.text);
    assert.deepEqual(a, b);
  } finally {
    await other.close();
  }
});

test('openModel(spec, {cache, replay}) answers from the cache only and names what is missing', { skip: SKIP }, async () => {
  const cache = new QueryCache(join(dir, 'replay.sqlite'));
  try {
    const m = await openModel({ kind: 'gguf', path: DEFAULT_MODEL_PATH }, { cache });
    const t = await m.tokenize('12,');
    await m.close();
    const replay = await openModel({ kind: 'gguf', path: DEFAULT_MODEL_PATH }, { cache, replay: true });
    assert.deepEqual(await replay.tokenize('12,'), t);
    assert.equal(replay.contextSize, m.contextSize);
    assert.deepEqual(replay.capabilities, m.capabilities);
    await assert.rejects(replay.tokenize('13,'), (e: unknown) => e instanceof CacheMissError && /a tokenize query for gguf:sha256:/.test((e as Error).message));
    await assert.rejects(openModel({ kind: 'http', url: 'http://127.0.0.1:9/v1', model: 'never-run' }, { cache, replay: true }), /model-card query for openai-http/);
  } finally {
    cache.close();
  }
});

test('forecast and quere collect read one set of connection flags into the same spec', () => {
  const io = testIO(dir);
  const http = modelSpecFromFlags('forecast', { url: 'http://127.0.0.1:8080/v1', 'model-name': 'm', 'api-key-env': 'K', retries: '2', timeout: '1.5', quiet: true }, io, null);
  assert.deepEqual(http, { kind: 'http', url: 'http://127.0.0.1:8080/v1', model: 'm', apiKeyEnv: 'K', retries: 2, timeoutMs: 1500 });
  const quereStyle = modelSpecFromFlags('quere collect', { model: 'http://127.0.0.1:8080/v1', 'model-name': 'm', retries: '2', timeout: '1.5', 'api-key-env': 'K', quiet: true }, io, null);
  assert.deepEqual(quereStyle, http);
  assert.deepEqual(modelSpecFromFlags('forecast', { model: 'x.gguf', threads: '2' }, io, null), { kind: 'gguf', path: join(dir, 'x.gguf'), threads: 2 });
  assert.throws(() => modelSpecFromFlags('forecast', { url: 'http://h/v1', 'model-name': 'm', threads: '2' }, io, null), /--threads applies to a local --model/);
  assert.throws(() => modelSpecFromFlags('forecast', { model: 'x.gguf', retries: '2' }, io, null), /--retries applies to --url/);
  assert.throws(() => modelSpecFromFlags('forecast', { url: 'http://h/v1' }, io, null), /--url needs --model-name/);
  assert.throws(() => modelSpecFromFlags('forecast', { url: 'http://h/v1', 'model-name': 'm', timeout: '0' }, io, null), /--timeout: expected a number of seconds > 0/);
});

test('quere --help lists the shared connection options', async () => {
  const io = testIO(dir);
  await runCli(['quere', '--help'], io);
  for (const flag of ['--url', '--api-key-env', '--retries', '--timeout', '--threads']) assert.ok(io.stdout.text.includes(flag), flag);
});

test('URL helpers: endpoints keep the query string; credentials are refused; keys only where named', () => {
  const base = parseBaseUrl('t', 'http://127.0.0.1:8080/v1/?api-version=1');
  assert.equal(endpointUrl(base, '/completions'), 'http://127.0.0.1:8080/v1/completions?api-version=1');
  assert.equal(endpointUrl(base, '/tokenize', { root: true }), 'http://127.0.0.1:8080/tokenize?api-version=1');
  assert.throws(() => parseBaseUrl('t', 'http://u:p@127.0.0.1/v1'), /carries credentials/);
  const env = { OPENAI_API_KEY: 'sk-1', OTHER: 'sk-2' };
  assert.deepEqual(resolveApiKey('https://api.openai.com/v1', undefined, env), { key: 'sk-1', source: '$OPENAI_API_KEY (the OpenAI host)' });
  assert.deepEqual(resolveApiKey('https://my.vllm.example/v1', undefined, env), { source: 'none' });
  assert.deepEqual(resolveApiKey('https://my.vllm.example/v1', 'OTHER', env), { key: 'sk-2', source: '$OTHER' });
});

test('quere collect takes the same connection options: --url, --api-key-env, --retries (a 503 is retried)', async () => {
  const { createServer } = await import('node:http');
  const { writeFileSync } = await import('node:fs');
  const seen: { path: string; auth?: string }[] = [];
  let failed = false;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ path: req.url!, auth: req.headers.authorization });
      if (req.url !== '/v1/chat/completions') { res.writeHead(404).end('{"error":{"message":"no such endpoint"}}'); return; }
      if (!failed) { failed = true; res.writeHead(503).end('{"error":{"message":"busy"}}'); return; }
      const top = [{ token: 'Yes', logprob: -0.2 }, { token: 'No', logprob: -1.7 }];
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
        choices: [{ message: { role: 'assistant', content: 'Yes' }, logprobs: { content: [{ token: 'Yes', logprob: -0.2, top_logprobs: top }] }, finish_reason: 'stop' }],
      }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1`;
  const data = mkdtempSync(join(tmpdir(), 'strata-quere-http-'));
  writeFileSync(join(data, 'boolq_dev.jsonl'), [
    { question: 'is the sky blue', passage: 'The sky is blue on clear days.', answer: true },
    { question: 'is fire cold', passage: 'Fire is hot.', answer: false },
  ].map((x) => JSON.stringify(x)).join('\n') + '\n');
  process.env.STRATA_TEST_QUERE_KEY = 'sk-quere-test-4';
  try {
    const io = testIO(data);
    const code = await runCli(['quere', 'collect', '--dataset', 'boolq', '--n', '2', '--data-dir', data, '--url', url, '--model-name', 'm',
      '--api-key-env', 'STRATA_TEST_QUERE_KEY', '--retries', '2', '--timeout', '5', '--out', 'f.jsonl', '--json', '-q'], io);
    assert.equal(code, 0, io.stderr.text);
    assert.ok(JSON.parse(io.stdout.text).items >= 1, io.stdout.text);
    assert.ok(seen.length > 2 && seen.every((s) => s.auth === 'Bearer sk-quere-test-4'));
    assert.ok(failed, 'the 503 was answered and retried');
  } finally {
    delete process.env.STRATA_TEST_QUERE_KEY;
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(data, { recursive: true, force: true });
  }
});
