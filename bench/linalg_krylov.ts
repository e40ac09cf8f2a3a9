/**
 * `npx tsx bench/linalg_krylov.ts [reps]`: only the two Krylov rows of spec §6 (CG on the dense SPD n = 2000; top-10 of
 * the 10⁵-node Laplacian), built exactly as in src/experiments/linalg/benchmarks.ts, with per-matvec timings, for iterating on
 * the kernels without the whole suite. Compare against SciPy with `python3 bench/linalg_scipy.py`.
 */
import { loadavg } from 'node:os';
import { Rng } from '../src/core/random.ts';
import * as L from '../src/linalg/index.ts';

const reps = Number(process.argv[2] ?? 3), only = process.argv[3]; // only: 'cg' | 'lap' runs one row
const rng = new Rng(0);
// Consume the generator exactly as runBenchmarks does before each row, so both rows see the same matrices.
const gauss = (count: number) => { for (let i = 0; i < count; i++) rng.gauss(); };
function skipLaplacian(N: number) { for (let i = 0; i < N; i++) for (let e = 0; e < 5; e++) { rng.int(0, N); rng.random(); } }
gauss(2000 * 2000); skipLaplacian(100000);
function best<T>(k: number, f: () => T): { seconds: number; value: T } {
  let b = Infinity, v!: T;
  for (let r = 0; r < k; r++) { const t = performance.now(); v = f(); b = Math.min(b, (performance.now() - t) / 1000); }
  return { seconds: b, value: v };
}
if (only === 'lap') { gauss(2000 * 2000); for (const nk of [500, 30]) gauss(2 * nk * nk); } else {
  const n = 2000, G = new Float64Array(n * n);
  for (let i = 0; i < G.length; i++) G[i] = rng.gauss();
  const M = L.matmulMat({ rows: n, cols: n, data: G }, { rows: n, cols: n, data: G }, false, true);
  for (let i = 0; i < M.data.length; i++) M.data[i] = M.data[i]! / n;
  for (let i = 0; i < n; i++) M.data[i * n + i] = M.data[i * n + i]! + 0.1;
  const A = L.PSD(L.lazify(M)), b = new Float64Array(n).fill(1);
  const r = best(reps, () => L.solveWithInfo(A, b, L.CG({ tol: 1e-8 })));
  const x = new Float64Array(n).fill(1);
  A.matmat({ rows: n, cols: 1, data: x }); A.matmat({ rows: n, cols: 1, data: x });
  const mv = best(20, () => A.matmat({ rows: n, cols: 1, data: x }));
  // Inside one operation the staged copy is refreshed once (kernels/staging.ts); a lone product refreshes each time.
  const mvOp = best(3, () => L.operation(() => { for (let k = 0; k < 20; k++) A.matmat({ rows: n, cols: 1, data: x }); }));
  for (const nk of [500, 30]) gauss(2 * nk * nk);
  console.log(`cg-dense-spd    ${r.seconds.toFixed(4)} s  ${r.value.info!.iterations} it  relres ${L.relError(A.matmat(r.value.X), b).toExponential(2)}  gemv ${(mv.seconds * 1e3).toFixed(3)} ms (lone), ${(mvOp.seconds * 1e3 / 20).toFixed(3)} ms (20 in one operation)  load ${loadavg()[0]!.toFixed(2)}`);
}
if (only !== 'cg') {
  const N = 100000, vals: number[] = [], rows: number[] = [], cols: number[] = [], deg = new Float64Array(N);
  for (let i = 0; i < N; i++) for (let e = 0; e < 5; e++) {
    const j = rng.int(0, N), w = 0.5 + rng.random();
    if (j === i) continue;
    vals.push(-w, -w); rows.push(i, j); cols.push(j, i); deg[i] += w; deg[j] += w;
  }
  for (let i = 0; i < N; i++) { vals.push(deg[i]!); rows.push(i); cols.push(i); }
  const Lap = L.SelfAdjoint(L.Sparse.fromCOO(vals, rows, cols, [N, N]));
  const x = new Float64Array(N).fill(1);
  const mv = best(20, () => Lap.matmat({ rows: N, cols: 1, data: x }));
  const mvOp = best(3, () => L.operation(() => { for (let k = 0; k < 20; k++) Lap.matmat({ rows: N, cols: 1, data: x }); }));
  const r = best(1, () => L.eig(Lap, 10, 'LA', L.Lanczos({ tol: 1e-12, maxRestarts: 300 })));
  console.log(`laplacian-top10 ${r.seconds.toFixed(4)} s  ${r.value.info!.iterations} matvecs  maxres ${Math.max(...r.value.info!.residuals).toExponential(2)}  conv ${r.value.info!.converged}  spmv ${(mv.seconds * 1e3).toFixed(3)} ms (lone), ${(mvOp.seconds * 1e3 / 20).toFixed(3)} ms (20 in one operation)  top ${r.value.values[0]!.toFixed(6)}  load ${loadavg()[0]!.toFixed(2)}`);
}
