/** `npx tsx bench/linalg_toeplitz.ts [n]`: SPD Toeplitz solve and logdet by Levinson/Durbin vs the CG path they replace (well- and ill-conditioned). */
import * as L from '../src/linalg/index.ts';
const n = Number(process.argv[2] ?? 4000), b = new Float64Array(n).fill(1);
const cases: [string, (k: number) => number][] = [
  ['AR(1)-like, well conditioned', (k) => 0.8 ** k + (k === 0 ? 0.5 : 0.1 * Math.exp(-k / 5) * Math.cos(k))],
  ['Gaussian kernel + 1e-4 nugget', (k) => Math.exp(-((k / 10) ** 2)) + (k === 0 ? 1e-4 : 0)],
];
for (const [name, f] of cases) {
  const t = Array.from({ length: n }, (_, k) => f(k)), T = new L.Toeplitz(t);
  let s = performance.now(); const x = L.solve(T, b); const lev = (performance.now() - s) / 1000;
  s = performance.now(); L.logdet(T); const dur = (performance.now() - s) / 1000;
  const P = L.PSD(L.noDispatch(T));
  s = performance.now(); const y = L.solve(P, b, L.CG({ tol: 1e-10, maxIters: 2000 })); const cg = (performance.now() - s) / 1000;
  console.log(`${name}, n=${n}: ${L.explain('solve', T)} ${lev.toFixed(4)} s (residual ${L.relError(T.matmat(x), b).toExponential(1)}), logdet ${dur.toFixed(4)} s; CG ${cg.toFixed(4)} s (residual ${L.relError(T.matmat(y), b).toExponential(1)})`);
}
