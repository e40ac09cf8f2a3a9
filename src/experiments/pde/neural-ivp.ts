/**
 * The pde miniature (spec pde.md §5): 1-D advection of a Gaussian bump with three solvers — (A) EDNN-style (tanh
 * MLP, dense normal equations, μ_rel = 1e-12, no restarts), (B) Neural IVP (embedding + swish + boundary factor,
 * μ_rel = 1e-6, Nyström-preconditioned CG), (C) B with a restart every 0.25 time units — tracking the error against
 * the analytic solution and the Lanczos estimate of cond(M); then the grid solver a user would pick instead
 * (4th-order finite differences + RK4) on the same 1-D and 2-D problems (error vs wall time), and a heat equation in
 * 5-D where the grid's n^d memory is set against Neural IVP's fixed point budget.
 */
import type { Experiment, ExperimentContext, ExperimentResult, Figure, Table, Verdict } from '../contract.ts';
import { loadavg } from 'node:os';
import { NeuralIVP, nets, pdes, ednnOptions, solveGrid, gridCost, type NeuralIvpOptions, type Trajectory, type NetConfig, type PDE } from '../../pde/index.ts';

export interface PdeMetrics {
  /** Steps of the shortest of the three 1-D runs, and how many runs stopped early. */
  steps: number;
  stoppedRuns: number;
  errA: number; errB: number; errC: number;
  /** Lanczos cond(M) at the first and last refresh of each run. */
  condA0: number; condAEnd: number; condB0: number; condBEnd: number; condCEnd: number;
  /** Smallest ratio cond(after restart)/cond(before) over C's restarts (null without restarts). */
  restartCondRatio: number | null;
}

/** Error margin: a claimed ordering must hold by this factor (single seed; seed spread not measured). */
export const ERROR_MARGIN = 1.5;
/** "Grows by ≥ 2 orders of magnitude" (spec §5). */
export const COND_GROWTH = 100;

/**
 * cond(M) estimates at or above this are at the float64 limit (θ_min is clamped at eps64·θ_max ⇒ cond ≤ 4.5e15):
 * growth or drops between such values are not measurable.
 */
export const COND_SATURATED = 1e13;

export interface PdeCheck { name: string; passed: boolean; measurable: boolean; detail: string }
export interface PdeVerdict { verdict: Verdict; checks: PdeCheck[] }

/** The verdict of the 1-D comparison, a pure function of the metrics (spec §5 "Expected / reproduced" (a)). */
export function pdeVerdict(m: PdeMetrics, minSteps = 20): PdeVerdict {
  const condStart = m.condA0 < COND_SATURATED;
  const restartMeasurable = m.restartCondRatio !== null && m.condCEnd < COND_SATURATED;
  const checks: PdeCheck[] = [
    { name: 'cond(M) of the EDNN run grows ≥ 100×', passed: condStart && m.condAEnd / m.condA0 >= COND_GROWTH, measurable: condStart, detail: `${fmt(m.condA0)} → ${fmt(m.condAEnd)}${condStart ? '' : ' (starts at the float64 limit: growth not measurable)'}` },
    { name: `EDNN final error > ${ERROR_MARGIN}× the restarted Neural IVP's`, passed: m.errA > ERROR_MARGIN * m.errC, measurable: true, detail: `${fmt(m.errA)} vs ${fmt(m.errC)}` },
    { name: 'restarts drop cond(M) (after/before ≤ 0.5)', passed: restartMeasurable && m.restartCondRatio! <= 0.5, measurable: restartMeasurable, detail: m.restartCondRatio === null ? 'no restart measured' : `ratio ${fmt(m.restartCondRatio)}${restartMeasurable ? '' : ' (cond at the float64 limit: not measurable)'}` },
    { name: `restarted run has the lowest final error (by ${ERROR_MARGIN}× over B)`, passed: m.errC * ERROR_MARGIN < m.errB && m.errC < m.errA, measurable: true, detail: `C ${fmt(m.errC)}, B ${fmt(m.errB)}, A ${fmt(m.errA)}` },
  ];
  const underPowered = m.steps < minSteps || m.stoppedRuns > 0 || ![m.errA, m.errB, m.errC].every(Number.isFinite);
  const measured = checks.filter((c) => c.measurable);
  const passed = measured.filter((c) => c.passed).length;
  // Unmeasurable checks cannot be counted as passed: with any of them, the best possible verdict is 'partly'.
  const verdict: Verdict = underPowered || measured.length === 0 ? 'inconclusive'
    : passed === checks.length ? 'reproduced' : passed === 0 ? 'not reproduced' : 'partly reproduced';
  return { verdict, checks };
}

function fmt(x: number): string { return Number.isFinite(x) ? x.toExponential(2) : String(x); }

interface Run { name: string; traj: Trajectory; net: NetConfig; seconds: number }

function condSeries(t: Trajectory): { x: number[]; y: number[] } {
  const x: number[] = [], y: number[] = [];
  for (const s of t.steps) if (s.cond !== null) { x.push(s.t); y.push(s.cond); }
  return { x, y };
}

function runOne(name: string, pde: PDE, net: NetConfig, opts: NeuralIvpOptions, tEnd: number, ctx: ExperimentContext, done: { n: number; total: number }): Run {
  const started = performance.now();
  const solver = new NeuralIVP(pde, net, {
    ...opts,
    onStep: (s) => { done.n++; ctx.progress.update(done.n, done.total, `${name} t=${s.t.toFixed(2)}`); },
  });
  const fit = solver.fitInitial();
  const traj = solver.solve(tEnd);
  const seconds = (performance.now() - started) / 1000;
  ctx.progress.log(`${name}: ${traj.params} params, fit error ${fit.relError.toExponential(2)}, final error ${traj.finalError?.toExponential(3)}, ${traj.steps.length} steps, ${traj.restarts.length} restarts, ${seconds.toFixed(1)} s${traj.stopped ? `; stopped: ${traj.stopped.reason}` : ''}`);
  return { name, traj, net, seconds };
}

export const pdeExperiment: Experiment = {
  name: 'pde-neural-ivp',
  system: 'pde',
  paper: 'A Stable and Scalable Method for Solving Initial Value PDEs with Neural Networks (Finzi, Potapczynski, Choptuik & Wilson, ICLR 2023)',
  claim: 'Evolving network parameters without regularisation lets cond(M) grow and the error with it; regularised, preconditioned solves with restarts keep it in check.',
  budgetSeconds: { full: 120, quick: 25, extended: 400 },
  command: 'npm start -- --only pde-neural-ivp',
  async run(ctx: ExperimentContext): Promise<ExperimentResult> {
    const quick = ctx.quick, ext = ctx.extended;
    const tEnd = quick ? 0.2 : 1;
    const dt = quick ? 0.05 : ext ? 0.01 : 0.04;
    const N = ext ? 512 : 256;
    const pde = pdes.advection(1);
    const common: NeuralIvpOptions = {
      points: N, integrator: { method: 'rk4', dt }, cg: { tol: 1e-5, maxIter: 60, nystromRank: 50 }, refreshEvery: 5,
      fit: { steps: quick ? 100 : 200, gaussNewton: quick ? 5 : 10 }, restartFit: { steps: quick ? 100 : 200, gaussNewton: quick ? 5 : 10 }, seed: ctx.seed,
    };
    const nivpNet = nets.neuralIvpMlp({ dim: 1, width: ext ? 24 : 16, depth: 2, embedding: { L: 4 } });
    const ednnNet = nets.ednnMlp({ dim: 1, width: ext ? 20 : 14, depth: 3 });
    const steps = Math.round(tEnd / dt);
    const done = { n: 0, total: 3 * steps + Math.round(tEnd / 0.1) + (quick ? 1 : 5) };
    const A = runOne('A EDNN', pde, ednnNet, ednnOptions(common), tEnd, ctx, done);
    const B = runOne('B Neural IVP', pde, nivpNet, { ...common, mu: { relative: 1e-6 } }, tEnd, ctx, done);
    const C = runOne('C Neural IVP + restarts', pde, nivpNet, { ...common, mu: { relative: 1e-6 }, restart: { everyT: quick ? 0.1 : 0.25 } }, tEnd, ctx, done);

    const cA = condSeries(A.traj), cB = condSeries(B.traj), cC = condSeries(C.traj);
    const ratios = C.traj.restarts.filter((r) => r.condBefore !== null && r.condAfter !== null).map((r) => r.condAfter! / r.condBefore!);
    const metrics: PdeMetrics = {
      steps: Math.min(A.traj.steps.length, B.traj.steps.length, C.traj.steps.length),
      stoppedRuns: [A, B, C].filter((r) => r.traj.stopped).length,
      errA: A.traj.finalError ?? NaN, errB: B.traj.finalError ?? NaN, errC: C.traj.finalError ?? NaN,
      condA0: cA.y[0] ?? NaN, condAEnd: cA.y[cA.y.length - 1] ?? NaN, condB0: cB.y[0] ?? NaN, condBEnd: cB.y[cB.y.length - 1] ?? NaN, condCEnd: cC.y[cC.y.length - 1] ?? NaN,
      restartCondRatio: ratios.length ? Math.min(...ratios) : null,
    };
    const v = pdeVerdict(metrics);

    // Grid solver vs Neural IVP: error against wall time, 1-D and 2-D advection.
    const gridRows: (string | number | null)[][] = [];
    const grid1 = (quick ? [33, 65] : [33, 65, 129, 257]).map((n) => solveGrid(pde, tEnd, { n }));
    const pde2 = pdes.advection(2);
    const grid2 = (quick ? [17, 33] : [17, 33, 65]).map((n) => solveGrid(pde2, tEnd, { n }));
    for (const g of grid1) gridRows.push(['grid 1-D', `n = ${g.n}`, g.nodes, g.error, g.seconds]);
    for (const g of grid2) gridRows.push(['grid 2-D', `n = ${g.n}`, g.nodes, g.error, g.seconds]);
    const nivp2 = runOne('Neural IVP 2-D', pde2, nets.neuralIvpMlp({ dim: 2, width: 16, depth: 2, embedding: { L: 4 } }), { ...common, mu: { relative: 1e-6 }, integrator: { method: 'rk4', dt: 0.1 } }, tEnd, ctx, done);
    gridRows.push(['Neural IVP 1-D (C)', `${C.traj.params} params`, N, metrics.errC, C.seconds]);
    gridRows.push(['Neural IVP 2-D', `${nivp2.traj.params} params`, N, nivp2.traj.finalError, nivp2.seconds]);

    // High dimension: heat in d = 5 (Neural IVP measured) against the grid's n^d memory.
    const dHigh = 5;
    const heatHigh = pdes.heat(dHigh, { modes: 1 });
    const tHigh = quick ? 0.1 : 0.5;
    const nivpHigh = runOne(`Neural IVP heat ${dHigh}-D`, heatHigh, nets.neuralIvpMlp({ dim: dHigh, width: 16, depth: 2, embedding: { L: 3 } }), { ...common, mu: { relative: 1e-6 }, integrator: { method: 'rk4', dt: 0.1 } }, tHigh, ctx, done);
    // Grid resolution a 1-D heat solve needs to match that error, then its cost in d dimensions.
    const heat1 = pdes.heat(1, { modes: 1 });
    const target = nivpHigh.traj.finalError ?? 1;
    let nStar = 5;
    for (const n of [5, 9, 17, 33, 65]) { nStar = n; const g = solveGrid(heat1, tHigh, { n }); if ((g.error ?? 1) <= target) break; }
    // The resolution the 1-D bump needs for 1e-2 on the grid (from the measured 1-D sweep above).
    const nBump = grid1.find((g) => (g.error ?? 1) <= 1e-2)?.n ?? grid1[grid1.length - 1]!.n;
    const dimRows: (string | number | null)[][] = [];
    let firstInfeasible: number | null = null;
    for (let d = 1; d <= 6; d++) {
      if (firstInfeasible === null && !gridCost(d, nBump, 1).feasible) firstInfeasible = d;
      for (const n of [nStar, nBump]) {
        const c = gridCost(d, n, 1);
        dimRows.push([d, n, c.nodes, c.bytes / 2 ** 20, c.feasible ? 'fits in 1 GiB' : 'exceeds 1 GiB']);
      }
    }
    const tables: Table[] = [
      { title: 'Final relative L2 error at t_end and cond(M) (Lanczos, 50 steps; ≈4.5e15 = numerically singular)', columns: ['run', 'params', 'final error', 'cond first', 'cond last', 'mean CG iterations', 'restarts', 'seconds'], rows: [A, B, C].map((r) => {
        const cs = condSeries(r.traj);
        const cg = r.traj.steps.reduce((s, x) => s + x.cgIterations, 0) / Math.max(1, r.traj.steps.length);
        return [r.name, r.traj.params, r.traj.finalError, cs.y[0] ?? null, cs.y[cs.y.length - 1] ?? null, cg, r.traj.restarts.length, r.seconds];
      }) },
      { title: 'Verdict checks', columns: ['check', 'passed', 'measured'], rows: v.checks.map((c) => [c.name, c.measurable ? (c.passed ? 'yes' : 'no') : 'not measurable', c.detail]) },
      { title: 'Grid solver (4th-order FD + RK4) vs Neural IVP on advection: error at t_end vs wall time', columns: ['solver', 'resolution', 'nodes / points', 'final error', 'seconds'], rows: gridRows },
      { title: `Grid memory in d dimensions (derived: n^d nodes × 6 fields × 8 B) at the n a 1-D heat grid needs to match Neural IVP's ${dHigh}-D error (n* = ${nStar}, smooth heat mode) and at the n = ${nBump} the grid needs for 1e-2 on the 1-D bump; Neural IVP ${dHigh}-D: ${N} points per stage, ${nivpHigh.traj.params} params, error ${fmt(target)}, ${nivpHigh.seconds.toFixed(1)} s`, columns: ['d', 'n', 'nodes', 'MiB', 'feasible'], rows: dimRows },
    ];
    const figures: Figure[] = [
      { id: 'pde-error', title: 'Relative L2 error vs time, 1-D advection (source: measured; analytic solution as reference)', kind: 'line', xLabel: 't', yLabel: 'relative L2 error', logY: true,
        series: [A, B, C].map((r) => ({ name: r.name, x: r.traj.steps.map((s) => s.t), y: r.traj.steps.map((s) => Math.min(Math.max(s.error ?? NaN, 1e-12), 1e3)) })),
        caption: 'Errors of the three runs against u0(x − t) (clipped at 1e3); restarts of C show as jumps where the refit error enters.' },
      { id: 'pde-cond', title: 'cond(M) vs time, Lanczos lower bound every 5 steps, ≈4.5e15 = float64 limit (source: measured)', kind: 'line', xLabel: 't', yLabel: 'cond(M)', logY: true,
        series: [{ name: A.name, ...cA }, { name: B.name, ...cB }, { name: C.name, ...cC }], caption: 'Paper claim [paper, abstract]: conditioning grows without the fixes; restarts reset it.' },
      { id: 'pde-cg', title: 'CG iterations per step (max over RK stages; source: measured)', kind: 'line', xLabel: 't', yLabel: 'iterations',
        series: [B, C].map((r) => ({ name: r.name, x: r.traj.steps.map((s) => s.t), y: r.traj.steps.map((s) => s.cgIterations) })) },
      { id: 'pde-grid', title: 'Error at t_end vs wall time: grid solver and Neural IVP (source: measured)', kind: 'scatter', xLabel: 'seconds', yLabel: 'final relative L2 error', logX: true, logY: true,
        series: [
          { name: 'grid 1-D', x: grid1.map((g) => g.seconds), y: grid1.map((g) => g.error ?? NaN) },
          { name: 'grid 2-D', x: grid2.map((g) => g.seconds), y: grid2.map((g) => g.error ?? NaN) },
          { name: 'Neural IVP 1-D', x: [C.seconds], y: [metrics.errC] },
          { name: 'Neural IVP 2-D', x: [nivp2.seconds], y: [nivp2.traj.finalError ?? NaN] },
        ], caption: 'In 1-D and 2-D the grid is faster at every error level: the regime Neural IVP targets is high dimension.' },
    ];
    const load = loadavg()[0]!;
    return {
      verdict: v.verdict,
      summary: `Final error at t = ${tEnd}: EDNN ${fmt(metrics.errA)}, Neural IVP ${fmt(metrics.errB)}, with restarts ${fmt(metrics.errC)}; grid 1-D n=${grid1[grid1.length - 1]!.n} ${fmt(grid1[grid1.length - 1]!.error ?? NaN)} in ${grid1[grid1.length - 1]!.seconds.toFixed(2)} s. cond(M): EDNN ${fmt(metrics.condA0)} → ${fmt(metrics.condAEnd)}, Neural IVP ${fmt(metrics.condB0)} → ${fmt(metrics.condBEnd)}, restarted run ends at ${fmt(metrics.condCEnd)}${metrics.restartCondRatio !== null ? ` (largest drop at a restart ×${fmt(metrics.restartCondRatio)})` : ''}. ${v.checks.filter((c) => c.passed).length}/${v.checks.length} checks pass (${v.checks.filter((c) => !c.measurable).length} not measurable: cond(M) of these small, redundant networks sits at the float64 limit from the start, since N = ${N} points < p and the Jacobian's spectrum decays fast). High dimension: Neural IVP ran ${dHigh}-D heat to ${fmt(target)} in ${nivpHigh.seconds.toFixed(0)} s; a grid matches that smooth solution with n = ${nStar} per axis (${gridCost(6, nStar, 1).nodes} nodes at d = 6), so for it the grid does not explode up to 6-D; a grid resolving the advected bump (n = ${nBump}) exceeds 1 GiB from d = ${firstInfeasible ?? '> 6'}, where Neural IVP's accuracy on that bump was not measured here (its Monte-Carlo points rarely hit a σ = 0.1 bump in 4-D+). In 1-D and 2-D the grid is faster at every error level. The paper's error tables and condition curves were not available (spec §4: unverified), so the reference column quotes its qualitative claims only. Machine load average at the end: ${load.toFixed(1)} on the shared 2 cores.`,
      setup: `1-D advection u_t = −u_x, Gaussian bump σ = 0.1 from x = −0.5, t ∈ [0, ${tEnd}], RK4 Δt = ${dt}, ${N} fresh uniform points per RK stage, CG tol 1e-5 ≤ 60 iterations, Nyström rank 50, λ_max/μ/preconditioner/cond refreshed every 5 steps (50 Lanczos steps). A: tanh ${ednnNet.depth}×${ednnNet.width}, dense Cholesky, μ_rel 1e-12. B: embedding L = 4, swish 2×${nivpNet.width}, boundary factor, μ_rel 1e-6. C: B + restart every ${quick ? 0.1 : 0.25} (same fit as the initial one). Fits (initial and restart): Adam ${common.fit!.steps} steps (lr 3e-3 cosine), ${common.fit!.gaussNewton} Levenberg–Marquardt iterations, ridge head. Grid: 4th-order central differences, RK4 at half the estimated stability limit. Single seed (${ctx.seed}); verdict margins ×${ERROR_MARGIN} on errors, ×${COND_GROWTH} on cond growth.`,
      metrics: { ...metrics, grid1dError: grid1[grid1.length - 1]!.error, grid1dSeconds: grid1[grid1.length - 1]!.seconds, nivp2dError: nivp2.traj.finalError, nivp2dSeconds: nivp2.seconds, nivpHeat5dError: nivpHigh.traj.finalError, nivpHeat5dSeconds: nivpHigh.seconds, gridNStar: nStar, gridNBump: nBump, gridFirstInfeasibleDim: firstInfeasible, loadAverage: load },
      reference: {
        condAEnd: 'grows without control [paper, abstract]', errA: 'large numerical errors without the fixes [paper, abstract]', errC: 'lowest with regularisation + restarts [paper, abstract; spec §5 expectation]',
        restartCondRatio: 'restarts reset conditioning [spec §2.2, reference code]',
      },
      figures,
      tables,
    };
  },
};
