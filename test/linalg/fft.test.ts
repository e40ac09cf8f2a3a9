/** FFT (radix-2 and Bluestein), Circulant, Toeplitz and ConvolveND operators and the circulant structure rules. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/core/random.ts';
import * as L from '../../src/linalg/index.ts';
import { naiveLogdet, naiveT, randMat, rel } from './helpers.ts';

function naiveDft(re: number[], im: number[], inverse: boolean): [number[], number[]] {
  const n = re.length, s = inverse ? 1 : -1, outR: number[] = [], outI: number[] = [];
  for (let k = 0; k < n; k++) {
    let a = 0, b = 0;
    for (let j = 0; j < n; j++) { const t = (s * 2 * Math.PI * ((j * k) % n)) / n; a += re[j]! * Math.cos(t) - im[j]! * Math.sin(t); b += re[j]! * Math.sin(t) + im[j]! * Math.cos(t); }
    outR.push(inverse ? a / n : a); outI.push(inverse ? b / n : b);
  }
  return [outR, outI];
}

test('fft matches the naive DFT for powers of two and (Bluestein) for prime and composite lengths; inverse round-trips', () => {
  const rng = new Rng(1);
  for (const n of [1, 2, 8, 64, 3, 7, 12, 100, 257]) {
    const re = Array.from({ length: n }, () => rng.gauss()), im = Array.from({ length: n }, () => rng.gauss());
    const r = Float64Array.from(re), i = Float64Array.from(im);
    L.fft(r, i);
    const [wr, wi] = naiveDft(re, im, false);
    assert.ok(rel([...r, ...i], [...wr, ...wi]) < 1e-12, `n=${n}: ${rel([...r, ...i], [...wr, ...wi])}`);
    L.fft(r, i, true);
    assert.ok(rel([...r, ...i], [...re, ...im]) < 1e-13, `n=${n} round trip`);
  }
});

/** Dense circulant by its definition C_ij = c_{(i−j) mod n}. */
function circDense(c: number[]): L.Mat {
  const n = c.length, d = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) d[j * n + i] = c[(((i - j) % n) + n) % n]!;
  return { rows: n, cols: n, data: d };
}

test('Circulant and Toeplitz: products, transposes and diagonals match their dense definitions', () => {
  const rng = new Rng(2);
  for (const n of [6, 7, 16]) {
    const c = Array.from({ length: n }, () => rng.gauss()), C = new L.Circulant(c), D = circDense(c);
    assert.ok(rel(C.toDense(), D) < 1e-13 && rel(C.T.toDense(), naiveT(D)) < 1e-13, `circulant ${n}`);
    assert.ok(!C.isa('SelfAdjoint'));
    const col = Array.from({ length: n }, () => rng.gauss()), row = [col[0]!, ...Array.from({ length: n - 1 }, () => rng.gauss())];
    const T = new L.Toeplitz(col, row), Td = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) Td[j * n + i] = i >= j ? col[i - j]! : row[j - i]!;
    const Tm = { rows: n, cols: n, data: Td };
    assert.ok(rel(T.toDense(), Tm) < 1e-13 && rel(T.T.toDense(), naiveT(Tm)) < 1e-13, `toeplitz ${n}`);
    for (const k of [-2, 0, 3]) {
      assert.ok(rel(L.diag(T, k), L.diag(L.lazify(Tm), k)) < 1e-15, `toeplitz diag ${k}`);
      assert.ok(rel(L.diag(C, k), L.diag(L.lazify(D), k)) < 1e-15, `circulant diag ${k}`);
    }
  }
  const sym = new L.Circulant([4, 1, 0.5, 0, 0.5, 1]);
  assert.ok(sym.isa('SelfAdjoint') && sym.isa('PSD'));
  assert.throws(() => new L.Toeplitz([1, 2], [3, 4]), /row\[0\]/);
});

test('ConvolveND (same mode) equals the direct zero-padded convolution in 1-D and 2-D; rmatmat is its transpose', () => {
  const rng = new Rng(3);
  // 2-D: x 5×6, filter 3×2; y[i,j] = Σ f[a,b]·x[i + s0 − a, j + s1 − b], s = ⌊(f − 1)/2⌋.
  const [h, w, fh, fw] = [5, 6, 3, 2], f = Array.from({ length: fh * fw }, () => rng.gauss());
  const K = new L.ConvolveND(f, [fh, fw], [h, w]);
  const dense = new Float64Array(h * w * h * w), s0 = Math.floor((fh - 1) / 2), s1 = Math.floor((fw - 1) / 2);
  for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) for (let a = 0; a < fh; a++) for (let b = 0; b < fw; b++) {
    const ii = i + s0 - a, jj = j + s1 - b;
    if (ii >= 0 && ii < h && jj >= 0 && jj < w) dense[(ii * w + jj) * (h * w) + i * w + j] += f[a * fw + b]!;
  }
  const Dm = { rows: h * w, cols: h * w, data: dense };
  assert.ok(rel(K.toDense(), Dm) < 1e-13, `2-D ${rel(K.toDense(), Dm)}`);
  assert.ok(rel(K.T.toDense(), naiveT(Dm)) < 1e-13);
  // 1-D against numpy's convolve(x, f, 'same') worked by hand: x = [1, 2, 3, 4], f = [1, 0, −1] → [2, 2, 2, −3].
  const one = new L.ConvolveND([1, 0, -1], [3], [4]).matmat(new Float64Array([1, 2, 3, 4]));
  assert.deepEqual(Array.from(one.data).map((v) => Math.round(v * 1e12) / 1e12), [2, 2, 2, -3]);
  assert.throws(() => new L.ConvolveND([1, 2], [3], [4]), /needs 3 values/);
});

test('circulant rules: solve, logdet and eig by FFT match dense (explain shows the rule); symmetric f(C) stays circulant', () => {
  const rng = new Rng(4);
  for (const c of [[5, 1, -2, 0.5, 0.3, 1, 2], [3, 1, 0.2, 0.1, 0.2, 1]]) {
    const C = new L.Circulant(c), D = circDense(c), B = randMat(rng, c.length, 3);
    assert.equal(L.explain('solve', C), 'inv.circulant');
    assert.ok(L.inv(C) instanceof L.Circulant);
    assert.ok(rel(L.solve(C, B), L.solve(L.lazify(D), B, L.LU())) < 1e-12);
    const want = naiveLogdet(D), got = L.slogdet(C);
    assert.ok(Math.abs(got.logabs - want.logabs) < 1e-10 && got.sign === want.sign, `logdet ${got.logabs} vs ${want.logabs}`);
    const e = L.eig(C, c.length, 'LA');
    const ed = L.eig(L.noDispatch(C), c.length, 'LA', L.Eig());
    assert.ok(rel(e.values, ed.values) < 1e-12, 'eig values');
    // A·V = V·Λ in the real-pair convention: for a pair (a ± bi) in columns (u, w): A·u = a·u − b·w, A·w = b·u + a·w.
    const n = c.length, V = e.vectors.toDense(), AV = C.matmat(V), im = e.valuesIm ?? new Float64Array(n), VL = new Float64Array(n * n);
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) VL[j * n + i] = e.values[j]! * V.data[j * n + i]!;
      if (im[j]! > 0) for (let i = 0; i < n; i++) VL[j * n + i] = VL[j * n + i]! - im[j]! * V.data[(j + 1) * n + i]!;
      if (im[j]! < 0) for (let i = 0; i < n; i++) VL[j * n + i] = VL[j * n + i]! - im[j]! * V.data[(j - 1) * n + i]!;
    }
    assert.ok(rel(AV, { rows: n, cols: n, data: VL }) < 1e-12, 'A·V = V·Λ');
  }
  const S = new L.Circulant([3, 1, 0.2, 0.1, 0.2, 1]);
  const E = L.exp(S);
  assert.ok(E instanceof L.Circulant && E.isa('PSD'));
  assert.ok(rel(E.toDense(), L.exp(L.SelfAdjoint(L.noDispatch(S)), L.Eigh()).toDense()) < 1e-12);
  assert.throws(() => L.inv(new L.Circulant([1, 1])), L.SingularError);
});
