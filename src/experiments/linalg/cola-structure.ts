/**
 * The linalg miniature (spec linalg.md §6, CoLA's central claim): the same question answered three ways — by
 * structure-aware dispatch, by a dense factorization of the assembled matrix, and by a structure-blind Krylov /
 * stochastic method on an opaque copy (`noDispatch`) — over growing sizes, on three compositional problems:
 * logdet of a Kronecker product (GP-style covariance), the top-10 eigenvalues of a Kronecker sum of two path
 * Laplacians (a 2-D grid Laplacian), and a solve with low-rank + diagonal (Woodbury). Times and errors are reported
 * beside CoLA's recorded times from the spec where CoLA has a number for the same problem.
 */
import type { Experiment, ExperimentContext, ExperimentResult, Figure, Series, Table, Verdict } from '../contract.ts';
import { loadavg } from 'node:os';
import { Rng } from '../../core/index.ts';
import * as L from '../../linalg/index.ts';

/** CoLA's recorded times (spec §6, 2-core machine, CoLA 4810da7 on PyTorch 1.13, float64). */
const COLA = {
  kronLogdet900: 0.0013, kronLogdet900Dense: 0.036, kronLogdet250k: 0.016, kronLogdet1600Blind: 168.7,
  kronsumTop10: 70.6, kronSolve1e4: 0.014,
};

interface Point { problem: string; method: 'dispatch' | 'dense' | 'iterative'; N: number; seconds: number; error: number | null; note: string }

export interface ColaMetrics {
  /** Largest relative error of a dispatched result. */
  dispatchError: number;
  /** Per problem family at its largest common size: dispatch's speed-up over dense and over structure-blind iterative. */
  speedups: { dense: number; iterative: number }[];
  /** Rows of CoLA's recorded times that Strata beat, of the rows measured. */
  beatsColaRows: number;
  colaRows: number;
}

/**
 * Exploiting structure pays: dispatch is accurate (relative error < 1e-9) and ≥ 10× faster than both the dense and
 * the structure-blind iterative method on every problem family, and beats CoLA's recorded times. A 10× margin is far
 * beyond the timing noise of repeated runs on a loaded machine, which is why one timing per size is enough. Accurate
 * with at least one 10× win → partly; inaccurate or no 10× win → not reproduced.
 */
export function colaVerdict(m: ColaMetrics): Verdict {
  const accurate = m.dispatchError < 1e-9;
  const bigWins = m.speedups.filter((s) => Math.min(s.dense, s.iterative) >= 10).length;
  if (accurate && m.speedups.length > 0 && bigWins === m.speedups.length && m.beatsColaRows === m.colaRows) return 'reproduced';
  return accurate && bigWins >= 1 ? 'partly reproduced' : 'not reproduced';
}

function gaussian(rng: Rng, m: number, n: number): L.Mat {
  const d = new Float64Array(m * n); for (let i = 0; i < d.length; i++) d[i] = rng.gauss();
  return { rows: m, cols: n, data: d };
}
/** G·Gᵀ/n + s·I, the spec's SPD factor. */
function spd(rng: Rng, n: number, s: number): L.Mat {
  const G = gaussian(rng, n, n), M = L.matmulMat(G, G, false, true);
  for (let i = 0; i < M.data.length; i++) M.data[i] = M.data[i]! / n;
  for (let i = 0; i < n; i++) M.data[i * n + i] = M.data[i * n + i]! + s;
  return M;
}
/** Path-graph Laplacian with edge weights U(0.5, 1.5) (spec row 3b). */
function pathLaplacian(rng: Rng, m: number): L.Tridiagonal {
  const w = Float64Array.from({ length: m - 1 }, () => 0.5 + rng.random()), d = new Float64Array(m);
  for (let i = 0; i < m - 1; i++) { d[i] = d[i]! + w[i]!; d[i + 1] = d[i + 1]! + w[i]!; }
  const off = w.map((v) => -v);
  return new L.Tridiagonal(off, d, off);
}
/** Best of `reps` wall times; `make` builds fresh operator objects so no cached factorization flatters a repetition. */
function timeIt<T>(reps: number, run: () => T): { seconds: number; value: T } {
  let best = Infinity, value!: T;
  for (let r = 0; r < reps; r++) { const t = performance.now(); value = run(); best = Math.min(best, (performance.now() - t) / 1000); }
  return { seconds: best, value };
}
const relErr = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

export async function runLinalgExperiment(ctx: ExperimentContext): Promise<ExperimentResult> {
  const quick = ctx.quick, rng = new Rng(ctx.seed);
  const points: Point[] = [];
  const add = (p: Point) => { points.push(p); ctx.progress.log(`${p.problem} ${p.method} N=${p.N}: ${p.seconds.toExponential(2)} s, error ${p.error === null ? '-' : p.error.toExponential(1)}`); };
  const sizes = {
    kron: quick ? [8, 16, 30] : [8, 16, 24, 30, 40],
    kronBig: quick ? [100, 500] : [100, 250, 500],
    kronsum: quick ? [8, 16] : [8, 16, 24],
    kronsumBlind: quick ? [8, 16, 24, 48] : [8, 16, 24, 32, 64, 100],
    kronsumBig: [100, 316],
    wood: quick ? [250, 500] : [250, 500, 1000, 2000],
  };
  const total = sizes.kron.length + sizes.kronBig.length + sizes.kronsumBlind.length + sizes.kronsumBig.length + sizes.wood.length + 1;
  let done = 0;
  const tick = (label: string) => ctx.progress.update(++done, total, label);

  // ---- 1. logdet(A₁ ⊗ A₂), Aᵢ = GGᵀ/n + I ----
  for (const n of [...sizes.kron, ...sizes.kronBig]) {
    const a1 = spd(rng, n, 1), a2 = spd(rng, n, 1), N = n * n;
    const make = () => L.kron(L.PSD(L.lazify(a1)), L.PSD(L.lazify(a2)));
    // Oracle independent of the dispatch path: n·log|det A₁| + n·log|det A₂| from a plain LU of each factor.
    const truth = n * L.luSlogdet(L.luFactor(a1.data as Float64Array, n)).logabs + n * L.luSlogdet(L.luFactor(a2.data as Float64Array, n)).logabs;
    const d = timeIt(5, () => L.logdet(make()));
    add({ problem: 'kron-logdet', method: 'dispatch', N, seconds: d.seconds, error: relErr(d.value, truth), note: L.explain('logdet', make()) });
    if (sizes.kron.includes(n)) {
      const dn = timeIt(1, () => L.logdet(L.PSD(L.noDispatch(make())), { logAlg: L.Cholesky() }));
      add({ problem: 'kron-logdet', method: 'dense', N, seconds: dn.seconds, error: relErr(dn.value, truth), note: 'Cholesky of the assembled N×N matrix' });
      const it = timeIt(1, () => L.slogdet(L.PSD(L.noDispatch(make())), { logAlg: L.SLQ({ steps: 40, tol: 1e-3, maxProbes: 320, seed: ctx.seed }) }));
      add({ problem: 'kron-logdet', method: 'iterative', N, seconds: it.seconds, error: relErr(it.value.logabs, truth), note: `SLQ, 40 Lanczos steps, ${it.value.info!.iterations} probes` });
    }
    tick('kron-logdet');
    await Promise.resolve();
  }

  // ---- 2. top-10 eigenvalues of T₁ ⊕ T₂ (path Laplacians: a weighted 2-D grid Laplacian) ----
  for (const m of [...new Set([...sizes.kronsumBlind, ...sizes.kronsumBig])].sort((a, b) => a - b)) {
    const t1 = pathLaplacian(rng, m), t2 = pathLaplacian(rng, m), N = m * m;
    const make = () => L.kronsum(new L.Tridiagonal(t1.subdiag, t1.diag, t1.superdiag), new L.Tridiagonal(t2.subdiag, t2.diag, t2.superdiag));
    // Oracle: the 10 largest sums of the factors' eigenvalues from an independent dense eigh of each factor.
    const e1 = L.eigh(t1.toDense().data, m, false).values, e2 = L.eigh(t2.toDense().data, m, false).values;
    const sums: number[] = []; for (const a of e1) for (const b of e2) sums.push(a + b);
    const truth = sums.sort((a, b) => a - b).slice(-10);
    const err = (v: Float64Array) => L.relError(v, truth);
    const d = timeIt(5, () => L.eig(make(), 10, 'LA'));
    add({ problem: 'kronsum-top10', method: 'dispatch', N, seconds: d.seconds, error: err(d.value.values), note: L.explain('eig', make(), L.Auto(), { k: 10 }) });
    if (sizes.kronsum.includes(m)) {
      const dn = timeIt(1, () => L.eig(L.SelfAdjoint(L.noDispatch(make())), 10, 'LA', L.Eigh()));
      add({ problem: 'kronsum-top10', method: 'dense', N, seconds: dn.seconds, error: err(dn.value.values), note: 'dense eigh of the assembled N×N matrix' });
    }
    if (sizes.kronsumBlind.includes(m)) {
      const it = timeIt(1, () => L.eig(L.SelfAdjoint(L.noDispatch(make())), 10, 'LA', L.Lanczos({ tol: 1e-10, seed: ctx.seed })));
      add({ problem: 'kronsum-top10', method: 'iterative', N, seconds: it.seconds, error: err(it.value.values), note: `thick-restart Lanczos, ${it.value.info!.iterations} matvecs` });
    }
    tick('kronsum-top10');
    await Promise.resolve();
  }

  // ---- 3. solve (D + U·Uᵀ)x = b, D diagonal in [1, 2], U n×8 Gaussian ----
  const r = 8;
  for (const n of sizes.wood) {
    const dvals = Float64Array.from({ length: n }, () => 1 + rng.random()), U = gaussian(rng, n, r), b = gaussian(rng, n, 1);
    const make = () => new L.Diagonal(dvals).add(L.lowRank(U));
    const resid = (x: L.Mat) => L.relError(make().matmat(x), b);
    const d = timeIt(5, () => L.solve(make(), b));
    add({ problem: 'woodbury-solve', method: 'dispatch', N: n, seconds: d.seconds, error: resid(d.value), note: L.explain('solve', make()) });
    const dn = timeIt(1, () => L.solve(L.PSD(L.noDispatch(make())), b, L.Cholesky()));
    add({ problem: 'woodbury-solve', method: 'dense', N: n, seconds: dn.seconds, error: resid(dn.value), note: 'Cholesky of the assembled matrix' });
    const it = timeIt(1, () => L.solveWithInfo(L.PSD(L.noDispatch(make())), b, L.CG({ tol: 1e-10, maxIters: 2000 })));
    add({ problem: 'woodbury-solve', method: 'iterative', N: n, seconds: it.seconds, error: resid(it.value.X), note: `CG, ${it.value.info!.iterations} iterations` });
    tick('woodbury-solve');
    await Promise.resolve();
  }

  // ---- spec row 5: Kronecker solve, 100×100 SPD factors, N = 10⁴ ----
  const k1 = spd(rng, 100, 1), k2 = spd(rng, 100, 1), kb = new Float64Array(10000).fill(1);
  const ks = timeIt(5, () => L.solve(L.kron(L.PSD(L.lazify(k1)), L.PSD(L.lazify(k2))), kb));
  const ksErr = L.relError(L.kron(L.lazify(k1), L.lazify(k2)).matmat(ks.value), kb);
  tick('kron-solve');

  // ---- summaries ----
  const at = (problem: string, method: Point['method'], N: number) => points.find((p) => p.problem === problem && p.method === method && p.N === N) ?? null;
  const largestCommon = (problem: string): number => {
    const Ns = points.filter((p) => p.problem === problem && p.method === 'dense').map((p) => p.N).filter((N) => at(problem, 'iterative', N));
    return Math.max(...Ns);
  };
  const speedups: Record<string, { N: number; dense: number; iterative: number }> = {};
  for (const prob of ['kron-logdet', 'kronsum-top10', 'woodbury-solve']) {
    const N = largestCommon(prob), s = at(prob, 'dispatch', N)!.seconds;
    speedups[prob] = { N, dense: at(prob, 'dense', N)!.seconds / s, iterative: at(prob, 'iterative', N)!.seconds / s };
  }
  // Is dispatch the fastest method at every size where a baseline ran? (Checked, not assumed.)
  const slower = points.filter((p) => p.method !== 'dispatch' && at(p.problem, 'dispatch', p.N)!.seconds >= p.seconds);
  const dispatchErr = Math.max(...points.filter((p) => p.method === 'dispatch').map((p) => p.error ?? 0), ksErr);
  const kl900 = at('kron-logdet', 'dispatch', 900);
  const kl250k = at('kron-logdet', 'dispatch', 250000);
  const ksTop = at('kronsum-top10', 'dispatch', 316 * 316)!;
  const colaRows: [string, number | null, number][] = [
    ['kron logdet N=900', kl900?.seconds ?? null, COLA.kronLogdet900],
    ['kron logdet N=250000', kl250k?.seconds ?? null, COLA.kronLogdet250k],
    ['kronsum top-10 N=99856', ksTop.seconds, COLA.kronsumTop10],
    ['kron solve N=10000', ks.seconds, COLA.kronSolve1e4],
  ];
  const measuredCola = colaRows.filter((row) => row[1] !== null);
  const beatsCola = measuredCola.filter((row) => row[1]! < row[2]).length;
  const bigWins = Object.values(speedups).filter((s) => Math.min(s.dense, s.iterative) >= 10).length;
  const accurate = dispatchErr < 1e-9;
  const verdict = colaVerdict({ dispatchError: dispatchErr, speedups: Object.values(speedups), beatsColaRows: beatsCola, colaRows: measuredCola.length });

  const fmt = (x: number) => (x >= 1 ? x.toFixed(2) : x.toExponential(2));
  const speedText = Object.entries(speedups).map(([p, s]) => `${p} at N=${s.N}: ${s.dense.toFixed(0)}× faster than dense, ${s.iterative.toFixed(0)}× faster than structure-blind iterative`).join('; ');
  const colaText = measuredCola.map(([name, t, c]) => `${name} ${fmt(t!)} s vs CoLA ${c} s`).join('; ');
  const woodIt = speedups['woodbury-solve']!;
  const summary = `Structure-aware dispatch gave the same answers (max relative error ${dispatchErr.toExponential(1)} against independent oracles) ` +
    (slower.length === 0 ? 'and was the fastest method at every size where a baseline ran; ' : `but was not the fastest at ${slower.map((p) => `${p.problem} N=${p.N} (${p.method})`).join(', ')}; `) +
    `at the largest size where all three ran: ${speedText}. ` +
    `Against CoLA's recorded times on the same problems, Strata beat ${beatsCola} of ${measuredCola.length}: ${colaText}. ` +
    (woodIt.iterative < 10 ? `Honest caveat: on low-rank + diagonal, plain CG is already cheap (the spectrum is a well-conditioned diagonal plus ${r} outliers, so CG needs about ${r + 10} iterations), so Woodbury's win over the structure-blind iterative path is only ${woodIt.iterative.toFixed(1)}×. ` : '') +
    `The dense baselines grow as N³, the structured ones as n³ per factor (N^{3/2}) or O(N·r²), which the log–log figures show as diverging slopes.`;

  const series = (problem: string): Series[] => (['dispatch', 'dense', 'iterative'] as const).map((m) => {
    const ps = points.filter((p) => p.problem === problem && p.method === m).sort((a, b) => a.N - b.N);
    return { name: m === 'dispatch' ? 'structure dispatch' : m === 'dense' ? 'dense (assembled)' : 'structure-blind iterative', x: ps.map((p) => p.N), y: ps.map((p) => p.seconds) };
  });
  const fig = (id: string, problem: string, title: string, caption: string): Figure => ({ id, title, kind: 'line', xLabel: 'N (operator size)', yLabel: 'seconds', logX: true, logY: true, series: series(problem), caption });
  const figures = [
    fig('linalg-kron-logdet', 'kron-logdet', 'logdet(A₁⊗A₂): time vs size', 'Dispatch factors two n×n matrices; the dense path factors the N×N product and SLQ needs ~N·40 products per probe.'),
    fig('linalg-kronsum-eig', 'kronsum-top10', 'top-10 eigenvalues of T₁⊕T₂: time vs size', 'The factor rule needs two tridiagonal eigensolves; dense eigh is O(N³) and Lanczos slows as the top of a grid Laplacian clusters.'),
    fig('linalg-woodbury', 'woodbury-solve', 'solve with diagonal + rank-8: time vs size', 'Woodbury costs O(N·r²); CG on the opaque operator needs ~r + 10 iterations, the dense path O(N³).'),
  ];
  const table: Table = {
    title: 'All measurements (best of 5 for dispatch, single run for the baselines)',
    columns: ['problem', 'method', 'N', 'seconds', 'rel. error', 'how'],
    rows: points.map((p) => [p.problem, p.method, p.N, Number(p.seconds.toPrecision(3)), p.error === null ? null : Number(p.error.toPrecision(2)), p.note]),
  };
  const colaTable: Table = {
    title: "Spec problems beside CoLA's recorded times",
    columns: ['problem', 'Strata seconds', 'CoLA seconds', 'ratio CoLA/Strata'],
    rows: colaRows.map(([name, t, c]) => [name, t === null ? null : Number(t.toPrecision(3)), c, t === null ? null : Number((c / t).toPrecision(3))]),
  };
  const metrics: Record<string, number | string | null> = {
    max_dispatch_rel_error: dispatchErr,
    kron_logdet_speedup_vs_dense: speedups['kron-logdet']!.dense, kron_logdet_speedup_vs_iterative: speedups['kron-logdet']!.iterative,
    kronsum_eig_speedup_vs_dense: speedups['kronsum-top10']!.dense, kronsum_eig_speedup_vs_iterative: speedups['kronsum-top10']!.iterative,
    woodbury_speedup_vs_dense: speedups['woodbury-solve']!.dense, woodbury_speedup_vs_iterative: speedups['woodbury-solve']!.iterative,
    kron_logdet_900_seconds: kl900?.seconds ?? null, kron_logdet_250000_seconds: kl250k?.seconds ?? null,
    kronsum_top10_99856_seconds: ksTop.seconds, kron_solve_10000_seconds: ks.seconds, kron_solve_10000_residual: ksErr,
    beats_cola_rows: `${beatsCola}/${measuredCola.length}`,
  };
  const reference: Record<string, number | string | null> = {
    max_dispatch_rel_error: '< 1e-12 (target)',
    kron_logdet_speedup_vs_dense: `${(COLA.kronLogdet900Dense / COLA.kronLogdet900).toFixed(0)}× at N=900 (CoLA, recorded on a 2-core machine)`, kron_logdet_speedup_vs_iterative: `${(COLA.kronLogdet1600Blind / COLA.kronLogdet900).toFixed(0)}× (CoLA recorded: blind SLQ at N=1600 vs dispatch at 900)`,
    kronsum_eig_speedup_vs_dense: null, kronsum_eig_speedup_vs_iterative: 'CoLA recorded: no factor rule (70.6 s Lanczos at N=99856)',
    woodbury_speedup_vs_dense: null, woodbury_speedup_vs_iterative: null,
    kron_logdet_900_seconds: `${COLA.kronLogdet900} (CoLA recorded)`, kron_logdet_250000_seconds: `${COLA.kronLogdet250k} (CoLA recorded)`,
    kronsum_top10_99856_seconds: `${COLA.kronsumTop10} (CoLA recorded)`, kron_solve_10000_seconds: `${COLA.kronSolve1e4} (CoLA recorded)`, kron_solve_10000_residual: '3.5e-15 (CoLA recorded)',
    beats_cola_rows: 'all (target)',
  };
  return {
    verdict, summary,
    setup: `float64, seed ${ctx.seed}. Kronecker logdet: Aᵢ = GGᵀ/n + I with n ∈ {${[...sizes.kron, ...sizes.kronBig].join(', ')}} (N = n²); baselines up to n = ${sizes.kron.at(-1)}: ` +
      `dense Cholesky of the assembled matrix and SLQ (40 steps, adaptive Rademacher probes in batches of 16 to 1e-3 relative stderr or 320 probes, selective re-orthogonalization) on noDispatch. ` +
      `KronSum: path Laplacians with U(0.5, 1.5) weights, m ∈ {${[...new Set([...sizes.kronsumBlind, ...sizes.kronsumBig])].join(', ')}} (N = m²), top 10 ('LA'); dense eigh up to m = ${sizes.kronsum.at(-1)}, ` +
      `thick-restart Lanczos (tol 1e-10) up to m = ${sizes.kronsumBlind.at(-1)}. Woodbury: D ~ U(1, 2), U n×${r} Gaussian, one right-hand side; CG tol 1e-10. ` +
      `Errors: logdet against per-factor LU, eigenvalues against dense eigh of each factor, solves as relative residuals. ` +
      `Wall-clock times on a shared 2-core machine (other jobs may run); dispatch rows are best of 5 with fresh operator objects (no cached factorization); the 1-minute load average at the end was ${loadavg()[0]!.toFixed(1)}.`,
    metrics, reference, figures, tables: [colaTable, table],
  };
}

export const linalgExperiment: Experiment = {
  name: 'cola-structure',
  system: 'linalg',
  paper: 'CoLA: Exploiting Compositional Structure for Automatic and Efficient Numerical Linear Algebra (Potapczynski, Finzi, Pleiss & Wilson, NeurIPS 2023)',
  claim: 'Dispatching linear-algebra operations on compositional structure (Kronecker, Kronecker sum, low-rank + diagonal) gives the same answers as dense and structure-blind iterative methods, orders of magnitude faster as the size grows.',
  budgetSeconds: { full: 30, quick: 6 },
  // Its table compares wall-clock times against SciPy: run alone so the other core is not busy with a neighbour.
  exclusive: true,
  command: 'strata demo --only cola-structure',
  run: (ctx) => runLinalgExperiment(ctx),
};
