import { Rng } from '../../core/index.ts';
import { polyExperiment, type PolyCell, type PolyLearner, type PolyTarget } from '../../complexity/index.ts';
import type { Experiment, ExperimentResult, Verdict } from '../contract.ts';

/** Mean test MSE from the reference results files (`plotting/data/*.csv`), as quoted by spec §4. */
export const POLY_REFERENCE: { target: PolyTarget; n: number; deg2: number; deg10: number; pen: number }[] = [
  { target: 'x2', n: 10, deg2: 0.0068, deg10: 7.3e13, pen: 0.011 },
  { target: 'x2', n: 20, deg2: 0.0021, deg10: 6.4e3, pen: 0.0028 },
  { target: 'x2', n: 70, deg2: 4.0e-4, deg10: 6.1e-3, pen: 5.8e-4 },
  { target: 'cos', n: 20, deg2: 0.0567, deg10: 2.6e6, pen: 0.0195 },
  { target: 'cos', n: 70, deg2: 0.0361, deg10: 0.0048, pen: 0.0071 },
  { target: 'poly10', n: 20, deg2: 4.09, deg10: 817, pen: 0.0256 },
  { target: 'poly10', n: 100, deg2: 3.19, deg10: 0.0056, pen: 0.0014 },
];

export type CheckStatus = 'pass' | 'fail' | 'inconclusive';
export interface PolyCheck { target: PolyTarget; n: number; learner: PolyLearner; ours: number; se: number; reference: number; status: CheckStatus; rule: string }

/**
 * Spec §5 E3: degree 2 and penalised degree 10 within 3 Monte-Carlo standard errors of the reference at every
 * listed n. The reference value is itself a mean of 100 runs, so the standard error of the difference is
 * SE_ours·√(1 + runs/100) (the reference's spread estimated by ours), not SE_ours alone; unpenalised degree 10 (heavy-tailed) within one order of magnitude for n ≥ 20 and ≫ 1 (> 100) at
 * n = 10 — a heavy-tailed miss whose standard error exceeds half its mean is under-powered (inconclusive).
 */
export function polyChecks(cells: PolyCell[]): PolyCheck[] {
  const out: PolyCheck[] = [];
  for (const ref of POLY_REFERENCE) {
    const get = (l: PolyLearner) => cells.find((c) => c.target === ref.target && c.n === ref.n && c.learner === l);
    for (const [l, r] of [['deg2', ref.deg2], ['deg10-penalised', ref.pen]] as const) {
      const c = get(l);
      if (!c) continue;
      out.push({ target: ref.target, n: ref.n, learner: l, ours: c.mean, se: c.se, reference: r, status: Math.abs(c.mean - r) <= 3 * c.se * Math.sqrt(1 + c.runs / 100) ? 'pass' : 'fail', rule: 'within 3 SE of the difference' });
    }
    const c = get('deg10');
    if (!c) continue;
    if (ref.n < 20) out.push({ target: ref.target, n: ref.n, learner: 'deg10', ours: c.mean, se: c.se, reference: ref.deg10, status: c.mean > 100 ? 'pass' : 'fail', rule: '≫ 1' });
    else {
      const ok = Math.abs(Math.log10(c.mean / ref.deg10)) <= 1;
      out.push({ target: ref.target, n: ref.n, learner: 'deg10', ours: c.mean, se: c.se, reference: ref.deg10, status: ok ? 'pass' : c.se > 0.5 * c.mean ? 'inconclusive' : 'fail', rule: 'same order of magnitude' });
    }
  }
  return out;
}

/** All pass → reproduced; more than half the degree-2 / penalised checks fail → not reproduced; any fail → partly; else inconclusive. */
export function polyVerdict(checks: PolyCheck[]): Verdict {
  const main = checks.filter((c) => c.learner !== 'deg10');
  if (main.filter((c) => c.status === 'fail').length > main.length / 2) return 'not reproduced';
  if (checks.every((c) => c.status === 'pass')) return 'reproduced';
  if (checks.some((c) => c.status === 'fail')) return 'partly reproduced';
  return 'inconclusive';
}

const sizesFor = (t: PolyTarget) => POLY_REFERENCE.filter((r) => r.target === t).map((r) => r.n);
const fmt = (x: number) => (Math.abs(x) >= 1e4 || Math.abs(x) < 1e-3 ? x.toExponential(2) : x.toPrecision(3));

export function runPoly(seed: number, runs: number, compat: 'reference' | 'default'): PolyCell[] {
  const targets: PolyTarget[] = ['x2', 'cos', 'poly10'];
  const rngs = new Rng(seed).split(targets.length);
  return targets.flatMap((t, i) => polyExperiment({ target: t, sizes: sizesFor(t), runs, seed: rngs[i]!.nextU32(), compat }));
}

export const polynomialExperiment: Experiment = {
  name: 'complexity-polynomial',
  system: 'complexity',
  paper: 'The No Free Lunch Theorem, Kolmogorov Complexity, and the Role of Inductive Biases in Machine Learning (Goldblum, Finzi, Rowan, Wilson; ICML 2024)',
  claim: 'One flexible learner with a soft simplicity penalty (degree-10 polynomial penalised by α·k²) does about as well as the small model on small samples and as well as the large one on large samples.',
  budgetSeconds: { full: 10, quick: 5 },
  command: 'strata demo --only complexity-polynomial',
  async run(ctx): Promise<ExperimentResult> {
    const t0 = performance.now();
    const runs = ctx.quick ? 100 : 400;
    const cells = runPoly(ctx.seed, runs, 'reference');
    ctx.progress.update(1, 2, 'reference mode');
    const def = runPoly(ctx.seed, runs, 'default');
    ctx.progress.update(2, 2, 'default mode');
    const checks = polyChecks(cells);
    const verdict = polyVerdict(checks);
    const seconds = (performance.now() - t0) / 1000;
    const cell = (cs: PolyCell[], t: PolyTarget, n: number, l: PolyLearner) => cs.find((c) => c.target === t && c.n === n && c.learner === l)!;
    const failed = checks.filter((c) => c.status !== 'pass');
    const metrics: Record<string, number | string | null> = {};
    const reference: Record<string, number | string | null> = {};
    for (const r of POLY_REFERENCE) for (const [l, key, v] of [['deg2', 'deg2', r.deg2], ['deg10', 'deg10', r.deg10], ['deg10-penalised', 'pen', r.pen]] as const) {
      metrics[`${r.target}_n${r.n}_${key}`] = Number(fmt(cell(cells, r.target, r.n, l).mean));
      reference[`${r.target}_n${r.n}_${key}`] = `${v} (reference results file, via spec §4)`;
    }
    return {
      verdict,
      summary: `Reference mode, ${runs} runs per cell: ${checks.filter((c) => c.status === 'pass').length} of ${checks.length} checks pass.${failed.length ? ' ' + failed.map((c) => `${c.target} n=${c.n} ${c.learner}: ${fmt(c.ours)} ± ${fmt(c.se)} vs ${c.reference} (${c.rule}: ${c.status})`).join('; ') + '.' : ''} Penalised vs degree 2 at the largest n: ${(['x2', 'cos', 'poly10'] as PolyTarget[]).map((t) => { const n = Math.max(...sizesFor(t)); return `${t} ${fmt(cell(cells, t, n, 'deg10-penalised').mean)} vs ${fmt(cell(cells, t, n, 'deg2').mean)}`; }).join(', ')}. ${seconds.toFixed(1)} s.`,
      setup: `x ~ U[0, 1] sorted, y = f(x) + 0.1·N(0, 1); test MSE on 100 equispaced noise-free points; ${runs} seeded runs per (target, n) (the reference used 100); α = 0.01 (0.001 for the degree-10 target). Reference mode: constant column + penalty rows inside the centring, minimum-norm least squares (pivoted QR + complete orthogonal decomposition). Default mode: free intercept, penalised coefficients.`,
      metrics, reference,
      figures: (['x2', 'cos', 'poly10'] as PolyTarget[]).map((t) => ({
        id: `poly-${t}`, title: `Test MSE vs n: ${t === 'x2' ? 'x²' : t === 'cos' ? 'cos(1.5πx)' : 'degree-10 polynomial'} (reference mode)`, kind: 'line' as const, xLabel: 'training points n', yLabel: 'mean test MSE', logY: true,
        series: [
          ...(['deg2', 'deg10', 'deg10-penalised'] as PolyLearner[]).map((l) => ({ name: l, x: sizesFor(t), y: sizesFor(t).map((n) => cell(cells, t, n, l).mean) })),
          { name: 'reference deg10 + penalty', x: sizesFor(t), y: POLY_REFERENCE.filter((r) => r.target === t).map((r) => r.pen) },
        ],
        caption: 'Where the penalised curve sits relative to the two fixed-degree learners at each n is the single-learner claim.',
      })),
      tables: [
        { title: 'Checks (reference mode vs the reference results files)', columns: ['target', 'n', 'learner', 'ours (mean ± SE)', 'reference', 'rule', 'status'], rows: checks.map((c) => [c.target, c.n, c.learner, `${fmt(c.ours)} ± ${fmt(c.se)}`, c.reference, c.rule, c.status]) },
        { title: 'Default mode (free intercept, proper ridge) beside reference mode', columns: ['target', 'n', 'deg2', 'deg10', 'deg10 + penalty (default)', 'deg10 + penalty (reference)'], rows: POLY_REFERENCE.map((r) => [r.target, r.n, fmt(cell(def, r.target, r.n, 'deg2').mean), fmt(cell(def, r.target, r.n, 'deg10').mean), fmt(cell(def, r.target, r.n, 'deg10-penalised').mean), fmt(cell(cells, r.target, r.n, 'deg10-penalised').mean)]) },
      ],
    };
  },
};
