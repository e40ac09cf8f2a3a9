/**
 * Neural IVP (Finzi, Potapczynski, Choptuik & Wilson, ICLR 2023): evolve the parameters θ(t) of u_θ with an ODE
 * solver, θ̇ = (M + μI)⁻¹F at every stage on fresh Monte-Carlo points (spec §2.1), μ = μ_rel·λ_max(M) (§2.2.1),
 * Nyström-preconditioned CG (§2.2.2), restarts that refit a fresh network to the current solution (§2.2.3),
 * RK4 or adaptive RK23 (§2.3), diagnostics every step (§2.4). With `solver: 'dense'`, μ_rel ≈ 0 and no restarts it
 * is the EDNN-style baseline (Du & Zaki 2021 as set up in the reference).
 */
import { Tensor, Rng, ArgumentError, NonFiniteError, ShapeError } from '../core/index.ts';
import type { LinearOperator } from '../linalg/index.ts';
import { parameterJacobian, spatialEval } from './derivatives.ts';
import { fitNetwork, type FitOptions, type FitResult, type Target } from './fit.ts';
import { rk23Step, rk4Step, StepSizeCollapse, validateIntegrator, type IntegratorOptions } from './integrators.ts';
import { applyJ, applyJt, nystromPreconditioner, solveDense, solvePcg, spectrum, type LsSystem, type SolveInfo, type SpectrumEstimate } from './lsq.ts';
import { evaluate, initParams, paramCount, validateNet, type NetConfig } from './net.ts';
import { evalRhs, pointValues, samplePoints, validatePde, type PDE } from './problem.ts';

export interface RestartPolicy {
  /** Restart when this much simulated time has passed since the last restart. */
  everyT?: number;
  /** Restart when the Lanczos estimate of cond(M) exceeds this. */
  whenCondAbove?: number;
  /** Restart when wall time since the last restart exceeds (1 − f)/f × the mean restart duration (reference: f ≈ 1/3). */
  computeFraction?: number;
}

export interface NeuralIvpOptions {
  /** Monte-Carlo points per dynamics evaluation (default 512). */
  points?: number;
  /** 'pcg' (Neural IVP, matrix-free) or 'dense' (EDNN-style: M assembled and factored). */
  solver?: 'pcg' | 'dense';
  /** μ = relative·λ_max(M); default 1e-6 for 'pcg', 1e-12 for 'dense'. */
  mu?: { relative: number };
  /**
   * CG settings. `preconditioner`: rebuild the Nyström sketch at every dynamics evaluation ('stage', default) or only
   * on refresh steps ('refresh', the reference's every-k-steps). With fresh points per stage M changes by Monte-Carlo
   * noise of order λ_max/√N ≫ μ, and a sketch of another stage's M barely preconditions the current one.
   */
  cg?: { tol?: number; maxIter?: number; nystromRank?: number; preconditioner?: 'stage' | 'refresh' };
  /** Refresh λ_max, μ, the preconditioner and the cond estimate every this many steps (default 10). */
  refreshEvery?: number;
  /** Lanczos iterations of the spectrum estimate (default 50). */
  lanczosSteps?: number;
  integrator?: IntegratorOptions;
  restart?: RestartPolicy | null;
  /** Initial fit (default 1000 Adam steps, lr 3e-3, batch = points, ridge 1e-5). */
  fit?: Partial<FitOptions>;
  /** Restart refit (defaults as `fit`). */
  restartFit?: Partial<FitOptions>;
  /** Size of the fixed error-evaluation set (default 1000: a uniform grid in 1-D, seeded uniform points otherwise). */
  evalPoints?: number;
  seed?: number;
  maxSteps?: number;
  onStep?: (s: StepRecord) => void;
}

export interface StepRecord {
  step: number;
  t: number;
  dt: number;
  /** Max CG iterations over the step's stages (0 for the dense path). */
  cgIterations: number;
  /** Max final relative residual of the linear solve over the stages. */
  solveResidual: number;
  /** Mean relative PDE residual √(Σ‖J·θ̇ − f‖² / Σ‖f‖²) over the stages. */
  pdeResidual: number;
  cgConverged: boolean;
  mu: number;
  /** Lanczos estimates, on refresh steps only (null otherwise). */
  lambdaMax: number | null;
  lambdaMin: number | null;
  cond: number | null;
  /** Relative L2 error against pde.exact on the evaluation set (null without an exact solution). */
  error: number | null;
  rejected: number;
  restart: boolean;
  wallSeconds: number;
}

export interface RestartEvent { step: number; t: number; seconds: number; fitError: number; condBefore: number | null; condAfter: number | null }

export interface Trajectory {
  pde: string;
  net: NetConfig;
  params: number;
  steps: StepRecord[];
  restarts: RestartEvent[];
  snapshots: { t: number; theta: Float64Array }[];
  t: number;
  theta: Float64Array;
  initialFit: FitResult | null;
  stopped: { reason: string; t: number; step: number } | null;
  warnings: string[];
  seconds: number;
  finalError: number | null;
}

const FIT_DEFAULTS: FitOptions = { steps: 1000, lr: 3e-3, batch: 512, ridge: 1e-5, gaussNewton: 0 };

function posInt(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new ArgumentError(`NeuralIVP: ${name} must be a positive integer, got ${v}`);
  return v;
}
function pcMode(v: string | undefined): boolean {
  if (v === undefined || v === 'stage') return true;
  if (v === 'refresh') return false;
  throw new ArgumentError(`NeuralIVP: cg.preconditioner must be 'stage' or 'refresh', got '${v}'`);
}
function posNum(name: string, v: number): number {
  if (!(Number.isFinite(v) && v > 0)) throw new ArgumentError(`NeuralIVP: ${name} must be a positive finite number, got ${v}`);
  return v;
}

export class NeuralIVP {
  readonly pde: PDE;
  readonly net: NetConfig;
  readonly p: number;
  theta: Float64Array;
  readonly evalX: Float64Array;
  private readonly o: {
    points: number; solver: 'pcg' | 'dense'; muRel: number; cgTol: number; cgMaxIter: number; rank: number; pcEveryStage: boolean;
    refreshEvery: number; lanczosSteps: number; integrator: ReturnType<typeof validateIntegrator>;
    restart: RestartPolicy | null; fit: FitOptions; restartFit: FitOptions; seed: number; maxSteps: number;
    onStep: ((s: StepRecord) => void) | null;
  };
  private readonly rng: { points: Rng; init: Rng; fit: Rng; lanczos: Rng };
  private initialFit: FitResult | null = null;

  constructor(pde: PDE, net: NetConfig, opts: NeuralIvpOptions = {}) {
    this.pde = validatePde(pde, 'NeuralIVP');
    this.net = validateNet(net, 'NeuralIVP');
    if (net.dim !== pde.dim) throw new ShapeError(`NeuralIVP: the network takes ${net.dim}-dimensional inputs but the PDE '${pde.name}' is ${pde.dim}-dimensional; build the net with dim: ${pde.dim}`);
    if (net.nOut !== pde.components) throw new ShapeError(`NeuralIVP: the network has ${net.nOut} output${net.nOut > 1 ? 's' : ''} but the PDE '${pde.name}' has ${pde.components} component${pde.components > 1 ? 's' : ''}; build the net with nOut: ${pde.components}`);
    const known = ['points', 'solver', 'mu', 'cg', 'refreshEvery', 'lanczosSteps', 'integrator', 'restart', 'fit', 'restartFit', 'evalPoints', 'seed', 'maxSteps', 'onStep'];
    for (const k of Object.keys(opts)) if (!known.includes(k)) throw new ArgumentError(`NeuralIVP: unknown option '${k}'; accepted: ${known.join(', ')}`);
    const solver = opts.solver ?? 'pcg';
    if (solver !== 'pcg' && solver !== 'dense') throw new ArgumentError(`NeuralIVP: solver must be 'pcg' or 'dense', got '${solver}'`);
    const points = posInt('points', opts.points ?? 512);
    const muRel = opts.mu?.relative ?? (solver === 'pcg' ? 1e-6 : 1e-12);
    if (!(muRel >= 0 && Number.isFinite(muRel))) throw new ArgumentError(`NeuralIVP: mu.relative must be a finite number ≥ 0, got ${muRel}`);
    if (solver === 'pcg' && muRel === 0) throw new ArgumentError('NeuralIVP: mu.relative = 0 makes M + μI singular whenever points < parameters and CG cannot solve it; use μ > 0 or solver: \'dense\'');
    const fit = { ...FIT_DEFAULTS, batch: points, ...opts.fit };
    const restart = opts.restart ?? null;
    if (restart) {
      for (const k of Object.keys(restart)) if (!['everyT', 'whenCondAbove', 'computeFraction'].includes(k)) throw new ArgumentError(`NeuralIVP: unknown restart option '${k}'; accepted: everyT, whenCondAbove, computeFraction`);
      if (restart.everyT !== undefined) posNum('restart.everyT', restart.everyT);
      if (restart.whenCondAbove !== undefined) posNum('restart.whenCondAbove', restart.whenCondAbove);
      if (restart.computeFraction !== undefined && !(restart.computeFraction > 0 && restart.computeFraction < 1)) throw new ArgumentError(`NeuralIVP: restart.computeFraction must be in (0, 1), got ${restart.computeFraction}`);
    }
    const seed = opts.seed ?? 0;
    if (!Number.isFinite(seed)) throw new ArgumentError(`NeuralIVP: seed must be finite, got ${seed}`);
    this.o = {
      points, solver, muRel,
      cgTol: posNum('cg.tol', opts.cg?.tol ?? 1e-8), cgMaxIter: posInt('cg.maxIter', opts.cg?.maxIter ?? 200), rank: posInt('cg.nystromRank', opts.cg?.nystromRank ?? 50), pcEveryStage: pcMode(opts.cg?.preconditioner),
      refreshEvery: posInt('refreshEvery', opts.refreshEvery ?? 10), lanczosSteps: posInt('lanczosSteps', opts.lanczosSteps ?? 50),
      integrator: validateIntegrator(opts.integrator ?? { method: 'rk4', dt: 0.01 }),
      restart, fit, restartFit: { ...fit, ...opts.restartFit }, seed, maxSteps: posInt('maxSteps', opts.maxSteps ?? 100000),
      onStep: opts.onStep ?? null,
    };
    const [pts, init, fitRng, lz, ev] = new Rng(seed).split(5);
    this.rng = { points: pts!, init: init!, fit: fitRng!, lanczos: lz! };
    this.p = paramCount(net);
    this.theta = initParams(net, this.rng.init);
    const nEval = posInt('evalPoints', opts.evalPoints ?? 1000);
    this.evalX = pde.dim === 1 ? Float64Array.from({ length: nEval }, (_, i) => -1 + (2 * (i + 0.5)) / nEval) : samplePoints(ev!, nEval, pde.dim);
    this.probe();
  }

  /** Setup check of the PDE's functions on a few points, before any expensive work. */
  private probe(): void {
    const X = this.evalX.subarray(0, Math.min(8, this.evalX.length / this.pde.dim) * this.pde.dim);
    const N = X.length / this.pde.dim, K = this.pde.components, d = this.pde.dim;
    const u = pointValues(this.pde, this.pde.u0, X, 'u0');
    const needGrad = this.pde.uses.length > 0;
    const needSecond = this.pde.uses.includes('d2') || this.pde.uses.includes('laplacian');
    evalRhs(this.pde, X, 0, u, needGrad ? new Float64Array(N * K * d) : null, needSecond ? new Float64Array(N * K * d) : null);
    if (this.pde.exact) pointValues(this.pde, (x) => this.pde.exact!(x, 0), X, 'exact');
  }

  /** Fits the network to u0 (Adam on fresh points, then the ridge head). Throws NonFiniteError if u0 is not finite. */
  fitInitial(o: Partial<FitOptions> = {}): FitResult {
    const u0: Target = (X) => pointValues(this.pde, this.pde.u0, X, 'u0');
    const r = fitNetwork(this.net, this.theta, u0, { ...this.o.fit, ...o }, this.rng.fit);
    this.theta = r.theta;
    this.initialFit = r;
    return r;
  }

  /** u_θ at points X [N·dim] (point-major, N·components values). */
  values(X: Float64Array, theta: Float64Array = this.theta): Float64Array {
    if (X.length % this.pde.dim !== 0) throw new ShapeError(`NeuralIVP.values: X has ${X.length} numbers, not a multiple of dim = ${this.pde.dim}`);
    return evaluate(this.net, theta, new Tensor(X, [X.length / this.pde.dim, this.pde.dim]));
  }

  /** Relative L2 error of u_θ against pde.exact at time t on the evaluation set (null without exact). */
  error(t: number, theta: Float64Array = this.theta): number | null {
    if (!this.pde.exact) return null;
    const u = this.values(this.evalX, theta);
    const e = pointValues(this.pde, (x) => this.pde.exact!(x, t), this.evalX, 'exact');
    let num = 0, den = 0;
    for (let i = 0; i < u.length; i++) { num += (u[i]! - e[i]!) ** 2; den += e[i]! ** 2; }
    return den > 0 ? Math.sqrt(num / den) : Math.sqrt(num / u.length);
  }

  /** Evolves θ from t = 0 to tEnd. Returns every step's diagnostics; stops early (with the reason) on failure. */
  solve(tEnd: number, opts: { saveAt?: readonly number[] } = {}): Trajectory {
    posNum('tEnd', tEnd);
    const started = performance.now();
    if (!this.initialFit) this.fitInitial();
    const o = this.o, K = this.pde.components, d = this.pde.dim, N = o.points;
    const saveAt = [...(opts.saveAt ?? [])].filter((s) => s > 0 && s <= tEnd).sort((a, b) => a - b);
    const traj: Trajectory = {
      pde: this.pde.name, net: this.net, params: this.p, steps: [], restarts: [], snapshots: [{ t: 0, theta: this.theta.slice() }],
      t: 0, theta: this.theta, initialFit: this.initialFit, stopped: null, warnings: [], seconds: 0, finalError: null,
    };
    let needRefresh = true, mu = 0, P: LinearOperator | null = null, lastSpec: SpectrumEstimate | null = null, refreshedThisStep = false;
    let lastThetaDot: Float64Array | null = null, cgWarned = false;
    let stageInfos: { info: SolveInfo; pdeRes: number }[] = [];
    const g = (t: number, theta: Float64Array): Float64Array => {
      const Xd = samplePoints(this.rng.points, N, d);
      const X = new Tensor(Xd, [N, d]);
      const se = spatialEval(this.net, theta, X, this.pde.uses);
      const f = evalRhs(this.pde, Xd, t, se.u, se.grad, se.d2);
      const { blocks } = parameterJacobian(this.net, theta, X);
      const sys: LsSystem = { N, p: this.p, blocks };
      const F = applyJt(sys, f, K);
      if (needRefresh) {
        lastSpec = spectrum(sys, o.lanczosSteps, this.rng.lanczos);
        mu = o.muRel * lastSpec.lambdaMax;
        if (o.solver === 'pcg') {
          if (!(mu > 0)) throw new NonFiniteError(`NeuralIVP: λ_max(M) estimate is ${lastSpec.lambdaMax} at t = ${t}; the network's Jacobian vanishes on the sampled points`);
          P = nystromPreconditioner(sys, o.rank, mu, this.rng.lanczos.nextU32());
        }
        needRefresh = false; refreshedThisStep = true;
      } else if (o.solver === 'pcg' && o.pcEveryStage) P = nystromPreconditioner(sys, o.rank, mu, this.rng.lanczos.nextU32());
      const r = o.solver === 'pcg'
        ? solvePcg(sys, F, mu, { tol: o.cgTol, maxIter: o.cgMaxIter, P, x0: lastThetaDot })
        : solveDense(sys, F, mu);
      for (let i = 0; i < r.x.length; i++) {
        if (!Number.isFinite(r.x[i]!)) throw new NonFiniteError(`NeuralIVP: θ̇ is not finite (component ${i} = ${r.x[i]}) at t = ${t.toPrecision(4)}`);
      }
      if (!r.info.converged && !cgWarned) { cgWarned = true; traj.warnings.push(`CG did not reach tol ${o.cgTol} within ${o.cgMaxIter} iterations at t = ${t.toPrecision(4)} (residual ${r.info.residual.toExponential(2)}); the iterate was used (warned once per run)`); }
      const Jv = applyJ(sys, r.x, K);
      let num = 0, den = 0;
      for (let i = 0; i < f.length; i++) { num += (Jv[i]! - f[i]!) ** 2; den += f[i]! ** 2; }
      stageInfos.push({ info: r.info, pdeRes: den > 0 ? Math.sqrt(num / den) : Math.sqrt(num) });
      lastThetaDot = r.x;
      return r.x;
    };

    let t = 0, theta = this.theta, step = 0;
    const integ = o.integrator;
    let dtNext = integ.method === 'rk4' ? integ.dt : integ.dt0;
    let k1: Float64Array | null = null;
    let lastRestartWall = performance.now(), lastRestartT = 0;
    const restartDurations: number[] = this.initialFit ? [this.initialFit.seconds] : [];
    try {
      if (integ.method === 'rk23') k1 = g(t, theta);
      while (t < tEnd - 1e-12 && step < o.maxSteps) {
        const stepStart = performance.now();
        if (step % o.refreshEvery === 0) needRefresh = true;
        refreshedThisStep = false;
        stageInfos = [];
        const nextSave = saveAt.find((s) => s > t + 1e-12) ?? tEnd;
        let dt = Math.min(dtNext, nextSave - t, tEnd - t);
        let rejected = 0;
        if (integ.method === 'rk4') {
          theta = rk4Step(g, t, theta, dt);
        } else {
          const r = rk23Step(g, t, theta, dt, k1!, integ);
          theta = r.y; dt = r.dt; rejected = r.rejected; k1 = r.kLast;
          dtNext = r.dtNext;
        }
        t += dt; step++;
        this.theta = theta; traj.theta = theta; traj.t = t;
        const specNow = refreshedThisStep ? lastSpec as SpectrumEstimate | null : null;
        const rec: StepRecord = {
          step, t, dt,
          cgIterations: Math.max(...stageInfos.map((s) => s.info.iterations)),
          solveResidual: Math.max(...stageInfos.map((s) => s.info.residual)),
          pdeResidual: stageInfos.reduce((s, x) => s + x.pdeRes, 0) / stageInfos.length,
          cgConverged: stageInfos.every((s) => s.info.converged),
          mu, lambdaMax: specNow?.lambdaMax ?? null, lambdaMin: specNow?.lambdaMin ?? null, cond: specNow?.cond ?? null,
          error: this.error(t, theta), rejected, restart: false, wallSeconds: (performance.now() - stepStart) / 1000,
        };
        traj.steps.push(rec);
        if (saveAt.some((s) => Math.abs(s - t) < 1e-9)) traj.snapshots.push({ t, theta: theta.slice() });
        // Restart check at the step boundary (spec §2.2.3).
        const pol = o.restart;
        if (pol && t < tEnd - 1e-12) {
          const mean = restartDurations.length ? restartDurations.reduce((a, b) => a + b, 0) / restartDurations.length : Infinity;
          const byT = pol.everyT !== undefined && t - lastRestartT >= pol.everyT - 1e-9;
          const byCond = pol.whenCondAbove !== undefined && lastSpec !== null && (lastSpec as SpectrumEstimate).cond > pol.whenCondAbove;
          const byWall = pol.computeFraction !== undefined && (performance.now() - lastRestartWall) / 1000 > ((1 - pol.computeFraction) / pol.computeFraction) * mean;
          if (byT || byCond || byWall) {
            const condBefore = (lastSpec as SpectrumEstimate | null)?.cond ?? null;
            const old = theta;
            const target: Target = (X) => evaluate(this.net, old, new Tensor(X, [X.length / d, d]));
            const fresh = initParams(this.net, this.rng.init);
            const fr = fitNetwork(this.net, fresh, target, o.restartFit, this.rng.fit);
            theta = fr.theta; this.theta = theta; traj.theta = theta;
            restartDurations.push(fr.seconds);
            lastRestartWall = performance.now(); lastRestartT = t;
            needRefresh = true; lastThetaDot = null;
            rec.restart = true;
            rec.error = this.error(t, theta);
            traj.restarts.push({ step, t, seconds: fr.seconds, fitError: fr.relError, condBefore, condAfter: null });
            if (integ.method === 'rk23') k1 = g(t, theta);
          }
        }
        if (traj.restarts.length && traj.restarts[traj.restarts.length - 1]!.condAfter === null && rec.cond !== null && !rec.restart) {
          traj.restarts[traj.restarts.length - 1]!.condAfter = rec.cond;
        }
        o.onStep?.(rec);
      }
    } catch (e) {
      if (e instanceof StepSizeCollapse) traj.stopped = { reason: e.message, t, step };
      else if (e instanceof NonFiniteError) traj.stopped = { reason: e.message, t, step };
      else throw e;
    }
    traj.seconds = (performance.now() - started) / 1000;
    traj.finalError = this.error(traj.t, traj.theta);
    return traj;
  }
}

/** Options of the EDNN-style baseline: dense normal-equation solve, μ_rel = 1e-12, no restarts. */
export function ednnOptions(o: Omit<NeuralIvpOptions, 'solver' | 'restart'> = {}): NeuralIvpOptions {
  return { mu: { relative: 1e-12 }, ...o, solver: 'dense', restart: null };
}
