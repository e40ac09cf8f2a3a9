/**
 * `npx tsx bench/linalg_kernels.ts [reps]`: the linalg WebAssembly kernels (asm/linalg-kernels.ts) against the JS
 * loops they replace, side by side in one run, plus the per-operation refresh that keeps staged copies exact
 * (kernels/staging.ts). Best of `reps` per row, ms.
 */
import { availableParallelism, loadavg } from 'node:os';
import { Rng } from '../src/core/random.ts';
import { gemvCols } from '../src/linalg/operators/dense.ts';
import { StagedGemv, StagedSpmv, StagedSymv, KrylovBlock } from '../src/linalg/kernels/staged.ts';
import * as L from '../src/linalg/index.ts';

const reps = Number(process.argv[2] ?? 10), rng = new Rng(0);
function best(f: () => void): number { let b = Infinity; for (let r = 0; r < reps; r++) { const t = performance.now(); f(); b = Math.min(b, performance.now() - t); } return b; }
const row = (name: string, js: number, wasm: number, extra = '') => console.log(`${name.padEnd(34)} js ${js.toFixed(3)}  wasm ${wasm.toFixed(3)}  js/wasm ${(js / wasm).toFixed(2)}${extra}`);

const n = 2000, a = new Float64Array(n * n);
for (let j = 0; j < n; j++) for (let i = 0; i <= j; i++) { const v = rng.gauss(); a[j * n + i] = v; a[i * n + j] = v; }
const x = Float64Array.from({ length: n }, () => rng.gauss()), y = new Float64Array(n), X = { rows: n, cols: 1, data: x }, A = { rows: n, cols: n, data: a };
const g = StagedGemv.create(a, n, n), s = StagedSymv.create(a, n);
if (!g || !s) throw new Error('the wasm kernels did not load here');
await s.whenReady();
const js = best(() => gemvCols(A, X, false));
row('gemv n=2000', js, best(() => g.apply(x, y)), `  refresh ${best(() => g.refresh()).toFixed(3)}`);
row(`symv n=2000 (threaded ${s.threaded})`, js, best(() => s.apply(x, y)), `  refresh ${best(() => s.refresh()).toFixed(3)}`);

const N = 100000, vals: number[] = [], rows: number[] = [], cols: number[] = [];
for (let i = 0; i < N; i++) for (let e = 0; e < 11; e++) { vals.push(rng.gauss()); rows.push(i); cols.push(rng.int(0, N)); }
const S = L.Sparse.fromCOO(vals, rows, cols, [N, N]), xs = Float64Array.from({ length: N }, () => rng.gauss());
const sp = StagedSpmv.create(S.indptr, S.indices, S.values as Float64Array, N, N)!;
await sp.whenReady();
const spmvJs = () => { const ip = S.indptr, ix = S.indices, v = S.values, out = new Float64Array(N); for (let i = 0; i < N; i++) { let t = 0; for (let k = ip[i]!; k < ip[i + 1]!; k++) t += v[k]! * xs[ix[k]!]!; out[i] = t; } return out; };
row(`spmv N=1e5 nnz=${S.nnz} (threaded ${sp.threaded})`, best(spmvJs), best(() => sp.apply(xs)), `  refresh ${best(() => sp.refresh()).toFixed(3)}`);

const kb = KrylovBlock.create(N, 31)!;
for (let i = 0; i < kb.V.length; i++) kb.V[i] = rng.gauss();
for (let i = 0; i < N; i++) kb.w[i] = rng.gauss();
const out = new Float64Array(30), h = new Float64Array(30).fill(1e-3);
const dotJs = () => { for (let k = 0; k < 30; k++) { let t = 0; const o = k * N; for (let i = 0; i < N; i++) t += kb.V[o + i]! * kb.w[i]!; out[k] = t; } };
const axpyJs = () => { const w = kb.w; for (let k = 0; k < 30; k++) { const o = k * N, c = h[k]!; for (let i = 0; i < N; i++) w[i] = w[i]! - c * kb.V[o + i]!; } };
row('krylov dot 30 × N=1e5', best(dotJs), best(() => kb.dot(30, out)));
row('krylov axpy 30 × N=1e5', best(axpyJs), best(() => kb.axpy(30, h)));
console.log(`cores ${availableParallelism()}  load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
process.exit(0);
