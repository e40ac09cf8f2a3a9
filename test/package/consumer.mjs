// Run by scripts/consumer-smoke.sh with plain `node` (no tsx, no loader) inside a fresh project that installed the
// packed tarball: one call of each entry point a consumer would start with, checked against known answers.
import assert from 'node:assert/strict';
import { tensor, matmul, Rng } from 'strata/core';
import { kron, diagonal, solve, logdet } from 'strata/linalg';
import { linearInit, linear } from 'strata/nn';
import { fitScaler, normalizedMae } from 'strata/forecast';

// core: [[1,2],[3,4]] · [[5],[6]] = [[17],[39]].
assert.deepEqual(matmul(tensor([[1, 2], [3, 4]]), tensor([[5], [6]])).toArray(), [[17], [39]]);

// linalg: diag(2,3) ⊗ diag(5,7) = diag(10,14,15,21) is solved through its structure; logdet = log 44100.
const op = kron(diagonal([2, 3]), diagonal([5, 7]));
const x = solve(op, new Float64Array([10, 14, 15, 21]));
assert.deepEqual(Array.from(x.data, (v) => Math.round(v * 1e12) / 1e12), [1, 1, 1, 1]);
assert.ok(Math.abs(logdet(op) - Math.log(44100)) < 1e-9);

// nn: a linear layer maps a batch of 3 vectors of width 4 to width 2.
const layer = linearInit(new Rng(1), 4, 2, { dtype: 'float64' });
assert.deepEqual(linear(layer, tensor([[1, 2, 3, 4], [0, 0, 0, 0], [1, 1, 1, 1]])).shape, [3, 2]);

// forecast: the LLMTime scaler and the figures' metric.
const scaler = fitScaler([1, 2, 3, 4, 5], { alpha: 0.99, beta: 0.3 });
assert.ok(Number.isFinite(scaler.q) && scaler.q > 0);
assert.equal(normalizedMae([1, 2], [1, 2]), 0);

// The heavy runtimes are optional: without them the modules still import, and using them names the package.
const installed = process.argv.includes('--full');
const { QueryCache, OptionalDependencyError } = await import('strata/llm');
if (!installed) {
  assert.throws(() => new QueryCache(':memory:'), (e) => /better-sqlite3/.test(e.message) && /npm install better-sqlite3/.test(e.message));
  const { loadGgufModel } = await import('strata/llm');
  await assert.rejects(loadGgufModel(new URL('../node_modules/strata/models/forecast-digits.gguf', import.meta.url).pathname),
    (e) => e instanceof OptionalDependencyError && /npm install node-llama-cpp/.test(e.message));
}
process.stdout.write(`consumer smoke (node ${process.version}): core, linalg, nn, forecast ok; optional runtimes ${installed ? 'present' : 'absent, with clear errors'}\n`);
