import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, ArgumentError } from '../../src/core/index.ts';
import { projectors } from '../../src/bounds/index.ts';

function denseOf(p: { D: number; d: number; matvec(w: ArrayLike<number>): Float64Array }): Float64Array[] {
  return Array.from({ length: p.d }, (_, j) => { const e = new Float64Array(p.d); e[j] = 1; return p.matvec(e); });
}

/** Dense P built independently from the factors: Π·blockdiag(Q₁⊗Q₂, E) by explicit Kronecker products. */
function denseFromFactors(D: number, d: number, f: projectors.KronQRFactors): number[][] {
  const { k, j, Q1, Q2, E, perm } = f;
  const P = Array.from({ length: D }, () => new Array<number>(d).fill(0));
  for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) for (let c = 0; c < j; c++) for (let e = 0; e < j; e++) {
    P[perm[a * k + b]!]![c * j + e] = Q1[c * k + a]! * Q2[e * k + b]!;
  }
  const er = D - k * k, ec = d - j * j;
  for (let r = 0; r < er; r++) for (let c = 0; c < ec; c++) P[perm[k * k + r]!]![j * j + c] = E[r * ec + c]!;
  return P;
}

test('kronQR.matvec and rmatvec agree with the dense P built from its factors (small D, non-square D and d)', () => {
  const rng = new Rng(3);
  for (const [D, d] of [[30, 7], [49, 9], [53, 11], [100, 20], [12, 12]] as const) {
    const p = projectors.kronQR(D, d, { seed: 137 });
    const P = denseFromFactors(D, d, p.factors);
    const w = Array.from({ length: d }, () => rng.gauss()), g = Array.from({ length: D }, () => rng.gauss());
    const pw = p.matvec(w), ptg = p.rmatvec(g);
    for (let i = 0; i < D; i++) assert.ok(Math.abs(pw[i]! - P[i]!.reduce((s, x, c) => s + x * w[c]!, 0)) < 1e-12, `D=${D} d=${d} row ${i}`);
    for (let c = 0; c < d; c++) assert.ok(Math.abs(ptg[c]! - P.reduce((s, row, i) => s + row[c]! * g[i]!, 0)) < 1e-12, `D=${D} d=${d} col ${c}`);
  }
});

test('kronQR has orthonormal Kronecker columns and (default) unit-norm leftover columns; reference mode keeps E = G/√D', () => {
  const D = 53, d = 11; // k = 7, j = 3: 9 Kronecker columns, 2 leftover columns over 4 leftover rows
  const cols = denseOf(projectors.kronQR(D, d, { seed: 1 }));
  const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);
  for (let a = 0; a < 9; a++) for (let b = 0; b < 9; b++) assert.ok(Math.abs(dot(cols[a]!, cols[b]!) - (a === b ? 1 : 0)) < 1e-12);
  for (let a = 9; a < 11; a++) {
    assert.ok(Math.abs(dot(cols[a]!, cols[a]!) - 1) < 1e-12);
    for (let b = 0; b < 9; b++) assert.equal(dot(cols[a]!, cols[b]!), 0);
  }
  const ref = denseOf(projectors.kronQR(D, d, { seed: 1, compat: 'reference' }));
  for (let a = 9; a < 11; a++) assert.ok(dot(ref[a]!, ref[a]!) < 0.5, 'leftover columns are much shorter than unit in reference mode');
});

test('kronQR is a deterministic function of its seed (regenerated, never stored)', () => {
  const w = Array.from({ length: 40 }, (_, i) => Math.sin(i));
  assert.deepEqual(projectors.kronQR(1000, 40, { seed: 5 }).matvec(w), projectors.kronQR(1000, 40, { seed: 5 }).matvec(w));
  assert.notDeepEqual(projectors.kronQR(1000, 40, { seed: 5 }).matvec(w), projectors.kronQR(1000, 40, { seed: 6 }).matvec(w));
});

test('gaussian projector: chunked matvec and rmatvec are transposes of one matrix, whatever the chunk size', () => {
  const D = 40, d = 13, rng = new Rng(9);
  const p = projectors.gaussian(D, d, { seed: 2, chunkColumns: 4 });
  const cols = denseOf(p);
  const g = Array.from({ length: D }, () => rng.gauss());
  const ptg = p.rmatvec(g);
  for (let c = 0; c < d; c++) assert.ok(Math.abs(ptg[c]! - cols[c]!.reduce((s, x, i) => s + x * g[i]!, 0)) < 1e-12);
  const other = denseOf(projectors.gaussian(D, d, { seed: 2, chunkColumns: 4 }));
  assert.deepEqual(other, cols);
  assert.deepEqual(denseOf(projectors.gaussian(D, d, { seed: 2, chunkColumns: 4, materialize: true })), cols);
  assert.deepEqual(projectors.gaussian(D, d, { seed: 2, chunkColumns: 4, materialize: true }).rmatvec(g), ptg);
  // Entries are N(0, 1/D): the mean squared column norm is ≈ 1.
  const big = denseOf(projectors.gaussian(400, 50, { seed: 4 }));
  const msq = big.reduce((s, c) => s + c.reduce((t, x) => t + x * x, 0), 0) / 50;
  assert.ok(Math.abs(msq - 1) < 0.05, `mean squared column norm ${msq}`);
});

test('projectors reject d > D (no compression) naming d', () => {
  assert.throws(() => projectors.kronQR(10, 11, { seed: 0 }), (e: unknown) => e instanceof ArgumentError && /d = 11 exceeds D = 10/.test((e as Error).message));
  assert.throws(() => projectors.gaussian(10, 0, { seed: 0 }), /d must be a positive integer/);
  assert.throws(() => projectors.kronQR(10, 3, { seed: 0 }).matvec([1, 2]), /w has length 2, expected 3/);
});
