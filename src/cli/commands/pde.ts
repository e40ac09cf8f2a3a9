/** `strata pde solve --problem <name> …`: one Neural IVP (or EDNN baseline, or grid) solve with diagnostics. */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError, commonOptions, parseCommandArgs, parseSeed, type CliIO, type Command } from '../command.ts';
import { ProgressRenderer, progressMode } from '../progress.ts';
import { NeuralIVP, nets, problem, PROBLEMS, ednnOptions, solveGrid, type NeuralIvpOptions, type Trajectory } from '../../pde/index.ts';
import { renderFigureSvg } from '../../report/index.ts';
import type { Figure } from '../../experiments/contract.ts';

const help = `strata pde — initial-value PDEs solved by evolving neural-network parameters (Neural IVP, ICLR 2023)

Usage: strata pde solve --problem <name> [options]

Fits the network to u0, then integrates θ(t) with (M + μI)θ̇ = F on fresh Monte-Carlo points per stage
(Nyström-preconditioned CG), printing per-step error against the analytic solution, cond(M), CG iterations and
restarts. Problems: ${Object.keys(PROBLEMS).join(', ')}.

Options:
  --problem <name>      the PDE (required)
  --t-end <T>           end time (default: the problem's, 1)
  --method <m>          neural-ivp (default), ednn (dense solve, μ_rel 1e-12, no restarts) or grid (finite differences)
  --width <k>           hidden width (default 16); depth 2
  --points <N>          Monte-Carlo points per stage (default 256)
  --dt <dt>             RK4 step (default 0.025); --rk23 for adaptive Bogacki–Shampine instead
  --rk23                adaptive RK23 with rtol 1e-3
  --restart-every <T>   restart (refit a fresh network) every T time units
  --fit-steps <n>       Adam steps of the initial fit (default 200; then 10 Levenberg–Marquardt iterations)
  --grid-n <n>          nodes per axis for --method grid (default 65)
  --seed <n>            random seed (default 1)
  --json                one JSON document on stdout: settings, per-step diagnostics, restarts, snapshots
  --plot <file.svg>     write the error curve there, and <file>.cond.svg, <file>.solution.svg (a slice along x₁ = … = x_d)
  -q, --quiet           no progress on stderr
  -h, --help            show this help

Examples:
  strata pde solve --problem advection1d
  strata pde solve --problem advection2d --t-end 0.5 --plot adv2d.svg
  strata pde solve --problem heat1d --method ednn --json > heat1d-ednn.json
  strata pde solve --problem advection1d --method grid --grid-n 129
`;

function num(flag: string, v: string | undefined, fallback: number, integer = false): number {
  if (v === undefined) return fallback;
  const x = Number(v);
  if (!Number.isFinite(x) || x <= 0 || (integer && !Number.isInteger(x))) throw new UsageError('pde', `--${flag}: expected a positive ${integer ? 'integer' : 'number'}, got '${v}'`);
  return x;
}

export const pdeCommand: Command = {
  name: 'pde',
  summary: 'solve an initial-value PDE with Neural IVP, the EDNN baseline or a finite-difference grid',
  help,
  async run(argv: string[], io: CliIO): Promise<number> {
    const [sub, ...rest] = argv;
    if (sub === '--help' || sub === '-h' || sub === undefined) { io.stdout.write(help); return sub === undefined ? 2 : 0; }
    if (sub !== 'solve') throw new UsageError('pde', `unknown subcommand '${sub}'; expected 'solve'`);
    const { values } = parseCommandArgs('pde', rest, {
      ...commonOptions, problem: { type: 'string' }, 't-end': { type: 'string' }, method: { type: 'string' }, width: { type: 'string' },
      points: { type: 'string' }, dt: { type: 'string' }, rk23: { type: 'boolean' }, 'restart-every': { type: 'string' }, 'fit-steps': { type: 'string' },
      'grid-n': { type: 'string' }, seed: { type: 'string' }, json: { type: 'boolean' }, plot: { type: 'string' },
    });
    if (values.help) { io.stdout.write(help); return 0; }
    if (!values.problem) throw new UsageError('pde', `--problem is required; one of ${Object.keys(PROBLEMS).join(', ')}`);
    if (!PROBLEMS[values.problem]) throw new UsageError('pde', `--problem: unknown problem '${values.problem}'; one of ${Object.keys(PROBLEMS).join(', ')}`);
    const pde = problem(values.problem);
    const method = values.method ?? 'neural-ivp';
    if (!['neural-ivp', 'ednn', 'grid'].includes(method)) throw new UsageError('pde', `--method: expected neural-ivp, ednn or grid, got '${method}'`);
    const tEnd = num('t-end', values['t-end'], pde.tEnd ?? 1);
    const seed = parseSeed(values.seed, 1);
    const mode = progressMode(io.stderr, values.quiet === true);
    const progress = new ProgressRenderer({ stream: io.stderr, mode, prefix: `pde ${values.problem}` });

    if (method === 'grid') {
      const n = num('grid-n', values['grid-n'], 65, true);
      const g = solveGrid(pde, tEnd, { n, onStep: (s, total) => progress.update(s, total, `step ${s}/${total}`) });
      progress.finish();
      const out = { problem: pde.name, method, tEnd, n, nodes: g.nodes, bytes: g.bytes, steps: g.steps, dt: g.dt, seconds: g.seconds, error: g.error };
      if (values.json) io.stdout.write(JSON.stringify(out, null, 2) + '\n');
      else io.stdout.write(`${pde.name} grid n=${n}: ${g.nodes} nodes, ${g.steps} RK4 steps (dt ${g.dt.toExponential(2)}), error at t=${tEnd}: ${g.error?.toExponential(3) ?? '-'}, ${g.seconds.toFixed(2)} s\n`);
      return 0;
    }

    const width = num('width', values.width, 16, true);
    const dt = num('dt', values.dt, 0.025);
    const restartEvery = values['restart-every'] === undefined ? null : num('restart-every', values['restart-every'], 1);
    const base: NeuralIvpOptions = {
      points: num('points', values.points, 256, true), seed,
      integrator: values.rk23 ? { method: 'rk23', rtol: 1e-3, dt0: dt } : { method: 'rk4', dt },
      cg: { tol: 1e-5, maxIter: 100, nystromRank: 50 }, refreshEvery: 5,
      fit: { steps: num('fit-steps', values['fit-steps'], 200, true), gaussNewton: 10 },
    };
    const net = method === 'ednn' ? nets.ednnMlp({ dim: pde.dim, nOut: pde.components, width, depth: 3 }) : nets.neuralIvpMlp({ dim: pde.dim, nOut: pde.components, width, depth: 2 });
    const totalSteps = values.rk23 ? 0 : Math.ceil(tEnd / dt - 1e-9);
    const opts: NeuralIvpOptions = method === 'ednn' ? ednnOptions(base) : { ...base, restart: restartEvery ? { everyT: restartEvery } : null };
    opts.onStep = (s) => {
      progress.update(values.rk23 ? Math.round((s.t / tEnd) * 1000) : s.step, values.rk23 ? 1000 : totalSteps, `t=${s.t.toFixed(3)} err ${s.error?.toExponential(2) ?? '-'}${s.restart ? ' restart' : ''}`);
      if (!values.json && (s.cond !== null || s.restart)) progress.log(`step ${s.step} t=${s.t.toFixed(3)} error ${s.error?.toExponential(3) ?? '-'} cond ${s.cond?.toExponential(2) ?? '-'} CG ${s.cgIterations} PDE residual ${s.pdeResidual.toExponential(2)}${s.restart ? ' RESTART' : ''}`);
    };
    const solver = new NeuralIVP(pde, net, opts);
    progress.log(`fitting ${solver.p} parameters to u0`);
    const fit = solver.fitInitial();
    const saveAt = [0.25, 0.5, 0.75, 1].map((f) => f * tEnd);
    const traj = solver.solve(tEnd, { saveAt });
    progress.finish();
    if (values.plot) writePlots(resolve(io.cwd, values.plot), traj, solver);
    if (values.json) {
      const slice = sliceX(pde.dim);
      io.stdout.write(JSON.stringify({
        problem: pde.name, method, tEnd, params: traj.params, initialFitError: fit.relError, finalError: traj.finalError, seconds: traj.seconds,
        stopped: traj.stopped, warnings: traj.warnings, restarts: traj.restarts, steps: traj.steps,
        snapshots: traj.snapshots.map((s) => ({ t: s.t, s: slice.s, u: Array.from(solver.values(slice.X, s.theta)), exact: pde.exact ? slice.s.map((_, i) => pde.exact!(slice.X.subarray(i * pde.dim, (i + 1) * pde.dim), s.t)[0]) : null })),
      }, null, 2) + '\n');
    } else {
      io.stdout.write(`${pde.name} ${method}: ${traj.params} params, ${traj.steps.length} steps, ${traj.restarts.length} restarts, final error ${traj.finalError?.toExponential(3) ?? '-'} at t=${traj.t.toFixed(3)}, ${traj.seconds.toFixed(1)} s\n`);
      if (traj.stopped) io.stdout.write(`stopped early: ${traj.stopped.reason}\n`);
      for (const w of traj.warnings) io.stdout.write(`warning: ${w}\n`);
    }
    return traj.stopped ? 1 : 0;
  },
};

function sliceX(dim: number): { s: number[]; X: Float64Array } {
  const s = Array.from({ length: 201 }, (_, i) => -1 + i / 100);
  const X = new Float64Array(s.length * dim);
  s.forEach((v, i) => X.fill(v, i * dim, (i + 1) * dim));
  return { s, X };
}

function writePlots(path: string, traj: Trajectory, solver: NeuralIVP): void {
  const steps = traj.steps;
  const err: Figure = { id: 'error', title: `${traj.pde}: relative L2 error vs t`, kind: 'line', xLabel: 't', yLabel: 'relative L2 error', logY: true, series: [{ name: 'Neural IVP', x: steps.map((s) => s.t), y: steps.map((s) => Math.max(s.error ?? NaN, 1e-12)) }] };
  const cs = steps.filter((s) => s.cond !== null);
  const cond: Figure = { id: 'cond', title: `${traj.pde}: cond(M) (Lanczos) and CG iterations`, kind: 'line', xLabel: 't', yLabel: 'value', logY: true, series: [{ name: 'cond(M)', x: cs.map((s) => s.t), y: cs.map((s) => s.cond!) }, { name: 'CG iterations', x: steps.map((s) => s.t), y: steps.map((s) => Math.max(1, s.cgIterations)) }] };
  const { s, X } = sliceX(solver.pde.dim);
  const sol: Figure = { id: 'solution', title: `${traj.pde}: u along x₁ = … = x_d`, kind: 'line', xLabel: 's', yLabel: 'u', series: [] };
  for (const snap of traj.snapshots) {
    const u = solver.values(X, snap.theta), K = solver.pde.components;
    sol.series.push({ name: `t=${snap.t.toFixed(2)}`, x: s, y: s.map((_, i) => u[i * K]!) });
    if (solver.pde.exact) sol.series.push({ name: `exact t=${snap.t.toFixed(2)}`, x: s, y: s.map((_, i) => solver.pde.exact!(X.subarray(i * solver.pde.dim, (i + 1) * solver.pde.dim), snap.t)[0]!) });
  }
  const stem = path.replace(/\.svg$/i, '');
  writeFileSync(path, renderFigureSvg(err));
  writeFileSync(`${stem}.cond.svg`, renderFigureSvg(cond));
  writeFileSync(`${stem}.solution.svg`, renderFigureSvg(sol));
}
