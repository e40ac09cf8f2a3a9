import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServeCommand } from '../../src/cli/commands/serve.ts';
import { runCli } from '../../src/cli/run.ts';
import { STORIES_PATH, STORIES_SKIP } from './fixtures.ts';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) }, cwd: process.cwd() }, out, err };
}

test('strata serve --model stories260K serves /v1/completions until told to stop', { skip: STORIES_SKIP }, async () => {
  const { io, out } = capture();
  let answer: { choices: { text: string; logprobs: { tokens: string[] } }[] } | undefined;
  const command = createServeCommand(async (server) => {
    const r = await fetch(`${server.url}/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'Once upon a time', max_tokens: 3, temperature: 0, logprobs: 1 }),
    });
    answer = await r.json() as typeof answer;
  });
  const code = await runCli(['serve', '--model', STORIES_PATH, '--port', '0', '--quiet'], io, [command]);
  assert.equal(code, 0);
  assert.match(out.join(''), /^http:\/\/127\.0\.0\.1:\d+\/v1\n$/);
  assert.equal(answer!.choices[0]!.text, ', there was');
  assert.deepEqual(answer!.choices[0]!.logprobs.tokens, [',', ' there', ' was']);
});

test('strata serve without --model, or with a non-GGUF file, exits 2 with a clear message', async () => {
  const a = capture();
  assert.equal(await runCli(['serve'], a.io, [createServeCommand(async () => {})]), 2);
  assert.match(a.err.join(''), /--model: expected the path of a \.gguf file/);
  const b = capture();
  assert.equal(await runCli(['serve', '--model', 'package.json', '--port', '0'], b.io, [createServeCommand(async () => {})]), 2);
  assert.match(b.err.join(''), /package\.json is not a loadable GGUF file: it does not start with the GGUF magic bytes/);
});
