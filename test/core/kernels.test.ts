import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as C from '../../src/core/index.ts';
import { elementwiseWasmAvailable } from '../../src/core/kernels/elementwise-wasm.ts';
import { logsumexpRowsJs } from '../../src/core/reduce.ts';

// Numerics of the elementwise / reduction kernels: the wasm SIMD transcendental kernels against Math.* (and a
// 256-bit reference for tanh), NaN/Inf propagation, tails, non-contiguous views and broadcasting. No timings.

const f64 = new Float64Array(1);
const i64 = new BigInt64Array(f64.buffer);
/** Signed distance in units in the last place (adjacent doubles differ by 1; NaN vs NaN is 0). */
function ulps(a: number, b: number): number {
  if (Number.isNaN(a) && Number.isNaN(b)) return 0;
  if (a === b) return 0;
  if (Number.isNaN(a) || Number.isNaN(b)) return Infinity;
  const ord = (x: number) => { f64[0] = x; const v = i64[0]!; return v < 0n ? -(v & 0x7fffffffffffffffn) : v; };
  return Math.abs(Number(ord(a) - ord(b)));
}
const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);
function ulps32(a: number, b: number): number {
  if (Number.isNaN(a) && Number.isNaN(b)) return 0;
  if (a === b) return 0;
  if (Number.isNaN(a) || Number.isNaN(b)) return Infinity;
  const ord = (x: number) => { f32[0] = x; const v = i32[0]!; return v < 0 ? -(v & 0x7fffffff) : v; };
  return Math.abs(ord(a) - ord(b));
}

function samples(lo: number, hi: number, n: number, seed: number, dtype: 'float32' | 'float64' = 'float64'): C.Tensor {
  return new C.Rng(seed).uniform([n], { low: lo, high: hi, dtype });
}

function worst(x: C.Tensor, y: C.Tensor, ref: (v: number) => number, dist = ulps): { ulp: number; at: number } {
  const xs = x.values(), ys = y.values();
  let w = 0, at = NaN;
  for (let i = 0; i < xs.length; i++) {
    const d = dist(ys[i]!, ref(xs[i]!));
    if (d > w) { w = d; at = xs[i]!; }
  }
  return { ulp: w, at };
}

// tanh with 256 fractional bits: e^y = (e^(y/2^8))^(2^8), Taylor series for the small argument.
const P = 256n;
const ONE = 1n << P;
function expFixed(y: bigint): bigint {
  const s = 8n;
  const z = y >> s;
  let term = ONE, sum = ONE;
  for (let k = 1n; k < 60n; k++) { term = (term * z) / (k << P); sum += term; if (term === 0n) break; }
  for (let i = 0n; i < s; i++) sum = (sum * sum) >> P;
  return sum;
}
function tanhRef(x: number): number {
  if (x === 0 || !Number.isFinite(x)) return Math.tanh(x);
  const t = Math.abs(x);
  if (t >= 22 || t < 2 ** -200) return Math.tanh(x);
  const e = expFixed(BigInt(t * 2 ** 300) >> 43n); // 2t in 256-bit fixed point (exact: t ≥ 2^-200 has ≤ 2^-252 ulp)
  const q = ((e - ONE) << P) / (e + ONE);
  return Math.sign(x) * (Number(q) / 2 ** 256);
}

const siluRef = (v: number) => v * sigmoidRef(v);
const siluGradRef = (v: number) => sigmoidRef(v) * (1 + Math.min(Math.max(v, -800), 800) * (1 - sigmoidRef(v)));
const sigmoidRef = (v: number) => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));
const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 5e-324, -5e-324, 2.2250738585072014e-308, 1e-310, 709.782712893384, 709.79,
  -745.1332191019411, -745.14, -708.5, 22, -22, 1e300, -1e300, 1e-20, -1e-20];

test('the wasm SIMD kernels load in this engine (the numerics below then exercise them)', () => {
  assert.equal(elementwiseWasmAvailable(), true);
});

test('exp float64 is within 2 ulp of Math.exp, incl. subnormal results, overflow, ±Inf, NaN, −0', () => {
  for (const [lo, hi, seed] of [[-1, 1, 1], [-745, 710, 2], [-745.2, -700, 3], [700, 709.8, 4], [-1e-9, 1e-9, 5]] as const) {
    const x = samples(lo, hi, 20000, seed);
    const w = worst(x, C.exp(x), Math.exp);
    assert.ok(w.ulp <= 2, `exp on [${lo}, ${hi}]: ${w.ulp} ulp at ${w.at}`);
  }
  const s = C.tensor(SPECIAL);
  const y = Array.from(C.exp(s).values());
  SPECIAL.forEach((v, i) => assert.ok(ulps(y[i]!, Math.exp(v)) <= 1, `exp(${v}) = ${y[i]}, Math.exp = ${Math.exp(v)}`));
  assert.ok(Number.isNaN(y[0]!) && y[1] === Infinity && y[2] === 0);
});

test('tanh float64 is within 2 ulp of a 256-bit reference (and within 3 of Math.tanh, itself up to 2 ulp off)', () => {
  for (const [lo, hi, seed] of [[-1, 1, 6], [-25, 25, 7], [-0.01, 0.01, 8], [-1e-8, 1e-8, 9]] as const) {
    const x = samples(lo, hi, 3000, seed);
    const y = C.tanh(x);
    const w = worst(x, y, tanhRef);
    assert.ok(w.ulp <= 2, `tanh on [${lo}, ${hi}]: ${w.ulp} ulp from the reference at ${w.at}`);
    const m = worst(x, y, Math.tanh);
    assert.ok(m.ulp <= 3, `tanh on [${lo}, ${hi}]: ${m.ulp} ulp from Math.tanh at ${m.at}`);
  }
  const y = Array.from(C.tanh(C.tensor(SPECIAL)).values());
  SPECIAL.forEach((v, i) => assert.ok(ulps(y[i]!, Math.tanh(v)) <= 1, `tanh(${v}) = ${y[i]}, Math.tanh = ${Math.tanh(v)}`));
  assert.ok(Object.is(y[4], -0), 'tanh(-0) is -0');
});

test('sigmoid float64 is within 2 ulp of its defining formula; float32 exp/tanh/sigmoid within 1 ulp', () => {
  const x = samples(-40, 40, 20000, 10);
  assert.ok(worst(x, C.sigmoid(x), sigmoidRef).ulp <= 2);
  const ys = Array.from(C.sigmoid(C.tensor(SPECIAL)).values());
  SPECIAL.forEach((v, i) => assert.ok(ulps(ys[i]!, sigmoidRef(v)) <= 1, `sigmoid(${v}) = ${ys[i]} vs ${sigmoidRef(v)}`));
  for (const [lo, hi, seed] of [[-1, 1, 11], [-104, 89, 12], [-104, -85, 13]] as const) {
    const x32 = samples(lo, hi, 20000, seed, 'float32');
    const w = worst(x32, C.exp(x32), (v) => Math.fround(Math.exp(v)), ulps32);
    assert.ok(w.ulp <= 1, `exp float32 on [${lo}, ${hi}]: ${w.ulp} ulp at ${w.at}`);
  }
  const t32 = samples(-12, 12, 20000, 14, 'float32');
  assert.ok(worst(t32, C.tanh(t32), (v) => Math.fround(Math.tanh(v)), ulps32).ulp <= 1);
  assert.ok(worst(t32, C.sigmoid(t32), (v) => Math.fround(sigmoidRef(v)), ulps32).ulp <= 1);
  const s32 = Array.from(C.exp(C.tensor([NaN, Infinity, -Infinity, 88.7, 89, -103, -105, 1e-40], 'float32')).values());
  assert.deepEqual(s32.map((v) => (Number.isNaN(v) ? 'NaN' : v)), ['NaN', Infinity, 0, Math.fround(Math.exp(88.7)) > 0 ? s32[3] : 0, Infinity,
    s32[5], 0, 1]);
  assert.ok(ulps32(s32[3]!, Math.fround(Math.exp(Math.fround(88.7)))) <= 1);
  assert.ok(ulps32(s32[5]!, Math.fround(Math.exp(-103))) <= 1, `exp(-103) float32 subnormal: ${s32[5]}`);
});

test('silu / siluGrad: wasm and JavaScript paths agree with x·σ(x) and σ(1 + x(1 − σ)); NaN, ±Inf, −0', () => {
  const x = samples(-40, 40, 20000, 15);
  assert.ok(worst(x, C.silu(x), siluRef).ulp <= 3);
  const gy = C.siluGrad(x).values(), xv = x.values();
  for (let i = 0; i < xv.length; i++) assert.ok(Math.abs(gy[i]! - siluGradRef(xv[i]!)) <= 1e-15 * Math.max(1, Math.abs(siluGradRef(xv[i]!))), `siluGrad(${xv[i]})`);
  const special = [NaN, Infinity, -Infinity, -0, 800, -800];
  for (const n of [special.length, 70]) {
    const v = Array.from({ length: n }, (_, i) => special[i % special.length]!);
    const s = Array.from(C.silu(C.tensor(v)).values()), g = Array.from(C.siluGrad(C.tensor(v)).values());
    v.forEach((xv, i) => {
      assert.ok(ulps(s[i]!, siluRef(xv)) <= 1 || (xv === -Infinity && s[i] === 0), `silu(${xv}) = ${s[i]} (n=${n})`);
      assert.ok(Number.isNaN(xv) ? Number.isNaN(g[i]!) : Math.abs(g[i]! - (xv > 0 ? 1 : 0)) < 1e-300 || xv === -0, `siluGrad(${xv}) = ${g[i]} (n=${n})`);
    });
  }
});

test('unary kernels: every length (vector tails), below and above the wasm threshold, strided views', () => {
  for (const n of [1, 2, 3, 5, 63, 64, 65, 67, 4099, 8195]) {
    for (const dtype of ['float64', 'float32'] as const) {
      const x = samples(-3, 3, n, n, dtype);
      const xd = x.values();
      xd[n - 1] = NaN;
      for (const [op, ref] of [['exp', Math.exp], ['tanh', Math.tanh], ['sigmoid', sigmoidRef], ['silu', siluRef], ['siluGrad', siluGradRef]] as const) {
        const y = C.unary(op, x).values();
        const r = (v: number) => (dtype === 'float32' ? Math.fround(ref(v)) : ref(v));
        for (let i = 0; i < n; i++) {
          const d = dtype === 'float32' ? ulps32(y[i]!, r(xd[i]!)) : ulps(y[i]!, r(xd[i]!));
          // siluGrad has a zero near x = −1.28 where 1 + x(1 − σ) cancels: compare it absolutely there.
          const close = d <= 3 || (op === 'siluGrad' && Math.abs(y[i]! - r(xd[i]!)) <= (dtype === 'float32' ? 1e-6 : 1e-15));
          assert.ok(close, `${op} ${dtype} n=${n} index ${i}: ${y[i]} vs ${r(xd[i]!)}`);
        }
      }
    }
  }
  const m = new C.Rng(3).normal([70, 30]);
  const viaView = C.exp(m.T.slice(null, [1, null, 2]));
  const viaCopy = C.exp(m.T.slice(null, [1, null, 2]).contiguous());
  assert.deepEqual(Array.from(viaView.values()), Array.from(viaCopy.values()));
  assert.deepEqual(viaView.shape, [30, 35]);
});

test('logsumexp and logSoftmax: fused rows agree with the JavaScript fallback; NaN / ±Inf rows; any axis, views', () => {
  const x = new C.Rng(4).normal([7, 37]).mul(30);
  const d = x.values();
  d[5] = NaN;                                    // row 0 has a NaN → NaN
  for (let j = 0; j < 37; j++) d[37 + j] = -Infinity; // row 1 all −∞ → −∞
  d[2 * 37 + 3] = Infinity;                      // row 2 has +∞ → +∞
  const ref = new Float64Array(7);
  logsumexpRowsJs(d, 0, 7, 37, ref);
  const got = Array.from(C.logsumexp(x, 1).values());
  assert.ok(Number.isNaN(got[0]!) && got[1] === -Infinity && got[2] === Infinity);
  for (let i = 3; i < 7; i++) assert.ok(ulps(got[i]!, ref[i]!) <= 4, `row ${i}: ${got[i]} vs ${ref[i]}`);
  // Axis 0 of a transposed view equals axis 1 of the original; keepdims keeps the axis.
  const y = new C.Rng(5).normal([6, 9]);
  const a = Array.from(C.logsumexp(y.T, 0).values()), b = Array.from(C.logsumexp(y, 1).values());
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) <= 1e-14 * Math.abs(b[i]!) + 1e-15));
  assert.deepEqual(C.logsumexp(y, 0, true).shape, [1, 9]);
  // float32 rows (accumulated in float64) against float64.
  const y32 = y.astype('float32');
  const l32 = Array.from(C.logsumexp(y32, 1).values()), l64 = Array.from(C.logsumexp(y32.astype('float64'), 1).values());
  l32.forEach((v, i) => assert.ok(ulps32(v, Math.fround(l64[i]!)) <= 1));
  // logSoftmax rows sum to one in probability and equal x − logsumexp.
  const ls = C.logSoftmax(y, 1);
  const sums = Array.from(C.sum(C.exp(ls), 1).values());
  sums.forEach((s) => assert.ok(Math.abs(s - 1) < 1e-14));
  const fullyMasked = C.logSoftmax(C.tensor([[-Infinity, -Infinity], [0, -Infinity]]), 1).toArray() as number[][];
  assert.ok(Number.isNaN(fullyMasked[0]![0]!) && fullyMasked[1]![0] === 0 && fullyMasked[1]![1] === -Infinity);
});

test('binary kernels: scalar on either side, vector tails, broadcasting, int32, NaN', () => {
  for (const n of [1, 3, 4, 5, 9, 1027]) {
    const a = samples(-2, 2, n, 20 + n);
    const av = Array.from(a.values());
    assert.deepEqual(Array.from(C.sub(1, a).values()), av.map((v) => 1 - v));
    assert.deepEqual(Array.from(C.div(a, 4).values()), av.map((v) => v / 4));
    assert.deepEqual(Array.from(C.maximum(a, 0).values()), av.map((v) => (v > 0 ? v : 0)));
    const col = C.tensor([[1], [NaN], [3]]);
    const row = a.reshape(1, n);
    const sum = C.add(col, row).toArray() as number[][];
    for (let i = 0; i < 3; i++) for (let j = 0; j < n; j++) assert.ok(Object.is(sum[i]![j], [1, NaN, 3][i]! + av[j]!));
  }
  const ints = C.arange(10, undefined, 1, 'int32');
  assert.deepEqual(Array.from(C.mul(ints, ints).values()), Array.from({ length: 10 }, (_, i) => i * i));
  assert.equal(C.mul(ints, ints).dtype, 'int32');
  // Strided operands on both sides.
  const m = new C.Rng(6).normal([5, 7]);
  const got = C.mul(m.T, m.T.slice([null, null, -1])).toArray() as number[][];
  for (let i = 0; i < 7; i++) for (let j = 0; j < 5; j++) assert.equal(got[i]![j], m.get(j, i) * m.get(j, 6 - i));
});

test('reductions: max/min find NaN anywhere (also in the unrolled tail), column sums of any width', () => {
  for (const r of [1, 2, 5, 8, 9, 13]) {
    for (let p = 0; p < r; p++) {
      const v = Array.from({ length: r }, (_, i) => i - 3);
      v[p] = NaN;
      assert.ok(Number.isNaN(C.max(C.tensor([v]), 1).item()), `max NaN at ${p} of ${r}`);
      assert.ok(Number.isNaN(C.min(C.tensor([v]), 1).item()));
      assert.ok(Number.isNaN(C.max(C.tensor(v).reshape(r, 1), 0).item()), `column max NaN at ${p} of ${r}`);
    }
    const w = Array.from({ length: r }, (_, i) => (i * 7) % 5 - 2);
    assert.equal(C.max(C.tensor([w]), 1).item(), Math.max(...w));
    assert.equal(C.min(C.tensor([w]), 1).item(), Math.min(...w));
    assert.equal(C.max(C.tensor([[...w, -Infinity]]), 1).item(), Math.max(...w));
  }
  const m = new C.Rng(8).normal([6, 7]);
  const cs = Array.from(C.sum(m, 0).values());
  for (let j = 0; j < 7; j++) {
    let s = 0;
    for (let i = 0; i < 6; i++) s += m.get(i, j);
    assert.ok(Math.abs(cs[j]! - s) < 1e-14);
  }
  assert.deepEqual(Array.from(C.max(m, 0).values()), Array.from({ length: 7 }, (_, j) => Math.max(...Array.from({ length: 6 }, (_, i) => m.get(i, j)))));
});

test('reshape of a strided view is a view when the merged axes are contiguous together, else a copy', () => {
  const x = C.arange(2 * 3 * 4 * 1).reshape(2, 3, 4, 1);
  const p = x.permute(1, 0, 2, 3);                    // [3, 2, 4, 1], strides [4, 12, 1, 1]
  const v = p.reshape(3, 2, 4);                       // drops the size-1 axis: a view
  assert.equal(v.data, x.data);
  assert.deepEqual(v.toArray(), (p.toArray() as number[][][][]).map((a) => a.map((b) => b.map((c) => c[0]!))));
  const w = p.reshape(3, 8);                          // merges the 2 and 4 axes, which are not contiguous together
  assert.notEqual(w.data, x.data);
  assert.deepEqual(Array.from(w.values()), Array.from(p.contiguous().values()));
  const q = C.arange(24).reshape(4, 6).slice(null, [0, 6, 2]);   // [4, 3], strides [6, 2]
  const r = q.reshape(2, 2, 3, 1);
  assert.equal(r.data, q.data);
  assert.deepEqual(Array.from(r.values()), Array.from(q.values()));
  assert.deepEqual(Array.from(q.T.reshape(1, 12).values()), Array.from(q.T.contiguous().values()));
});
