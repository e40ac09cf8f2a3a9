import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import type { Command } from '../../src/cli/command.ts';
import { runCli } from '../../src/cli/run.ts';
import { commands } from '../../src/cli/commands/index.ts';
import { RuntimeFailure, ShapeError } from '../../src/core/errors.ts';
import { repoRoot } from '../../src/experiments/paths.ts';
import { testIO } from './io.ts';

const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };

function throwing(error: unknown): Command {
  return { name: 'boom', summary: 'throws', help: 'boom help\n', run: async () => { throw error; } };
}

test('strata --version prints the package version', async () => {
  const io = testIO(repoRoot);
  assert.equal(await runCli(['--version'], io), 0);
  assert.equal(io.stdout.text, `strata ${pkg.version}\n`);
});

test('strata --help lists every registered subcommand with its summary', async () => {
  const io = testIO(repoRoot);
  assert.equal(await runCli(['--help'], io), 0);
  for (const c of commands) assert.match(io.stdout.text, new RegExp(`\\n  ${c.name}\\s+${c.summary.slice(0, 20).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  assert.match(io.stdout.text, /Examples:/);
});

test('every subcommand answers --help with usage and examples, exit 0', async () => {
  for (const c of commands) {
    const io = testIO(repoRoot);
    assert.equal(await runCli([c.name, '--help'], io), 0, c.name);
    assert.match(io.stdout.text, new RegExp(`Usage: strata ${c.name}`));
    assert.match(io.stdout.text, /Examples:/);
    const viaHelp = testIO(repoRoot);
    assert.equal(await runCli(['help', c.name], viaHelp), 0);
    assert.equal(viaHelp.stdout.text, io.stdout.text);
  }
});

test('strata with no command prints help and exits 2; an unknown command exits 2 naming it', async () => {
  const none = testIO(repoRoot);
  assert.equal(await runCli([], none), 2);
  assert.match(none.stdout.text, /Usage: strata <command>/);
  const unknown = testIO(repoRoot);
  assert.equal(await runCli(['frobnicate'], unknown), 2);
  assert.match(unknown.stderr.text, /strata: unknown command 'frobnicate'; expected one of demo/);
});

test('an ArgumentError from a command exits 2 without a stack; --debug adds the stack', async () => {
  const plain = testIO(repoRoot);
  assert.equal(await runCli(['boom'], plain, [throwing(new ShapeError('matmul: inner sizes 3 and 4 differ'))]), 2);
  assert.equal(plain.stderr.text, "strata boom: matmul: inner sizes 3 and 4 differ\nRun 'strata boom --help' for usage.\n");
  const debug = testIO(repoRoot);
  assert.equal(await runCli(['boom', '--debug'], debug, [throwing(new ShapeError('bad'))]), 2);
  assert.match(debug.stderr.text, /\n\s+at /);
  const leading = testIO(repoRoot);
  assert.equal(await runCli(['--debug', 'boom'], leading, [throwing(new ShapeError('bad'))]), 2);
  assert.match(leading.stderr.text, /\n\s+at /, '--debug before the command works too');
});

test('any other error exits 1 with its message; the stack only with --debug', async () => {
  const plain = testIO(repoRoot);
  assert.equal(await runCli(['boom'], plain, [throwing(new RuntimeFailure('server unreachable'))]), 1);
  assert.match(plain.stderr.text, /^strata boom: error: server unreachable\n\(run again with --debug for the stack trace\)\n$/);
  const debug = testIO(repoRoot);
  assert.equal(await runCli(['boom', '--debug'], debug, [throwing(new TypeError('x is undefined'))]), 1);
  assert.match(debug.stderr.text, /TypeError: x is undefined\n\s+at /);
});

test('the strata binary runs through tsx: exit codes 0 and 2 reach the shell', () => {
  const bin = join(repoRoot, 'bin', 'strata.js');
  const ok = spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(ok.stdout.trim(), `strata ${pkg.version}`);
  const bad = spawnSync(process.execPath, [bin, 'demo', '--seed', 'abc'], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--seed: expected an integer/);
  assert.equal(bad.stdout, '');
});
