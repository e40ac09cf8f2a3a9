/**
 * Diffusing differentiable representations (Savani, Finzi, Kolter; NeurIPS 2024; spec diffusion.md §2.5). A diffrep
 * renders parameters θ into views x_π = f(θ, π); the pulled-back probability-flow ODE moves θ so that every rendered
 * view follows the image-space PF-ODE velocity v as closely as possible:
 *   θ̇ = (Σ_π J_πᵀJ_π + λI)⁻¹ Σ_π J_πᵀ v(x_π, t),  J_π = ∂f(θ, π)/∂θ,
 * solved matrix-free by CG on JVP/VJP products through `strata/linalg`. SDS (score distillation) is the mode-seeking
 * baseline. Batches: θ is [n, P] (one parameter vector per sample) and renders are row-wise.
 */
import { Tensor, Rng, add, mul, sub, sin, matmul, ArgumentError, ShapeError, NonFiniteError } from '../core/index.ts';
import { vjp, jvp, noGrad } from '../autodiff/index.ts';
import { PSD, fromFunction, solveWithInfo, solve, lazify, mat, CG } from '../linalg/index.ts';
import { marginalStd, timeGrid, type Schedule } from './schedules.ts';
import type { ScoreFn } from './score.ts';
import { inpaintScore } from './events.ts';
import { pfVelocity } from './samplers.ts';

export interface Diffrep {
  name: string;
  /** Parameters per sample. */
  params: number;
  /** Number of views and the size of one rendered view. */
  views: number;
  viewSize: number;
  /** Renders view `v` of every row of θ [n, P] → [n, viewSize]; differentiable in θ. */
  render(theta: Tensor, view: number): Tensor;
  /** Initial parameters for n samples (SIREN init; zeros for linear diffreps). */
  init(n: number, rng: Rng): Tensor;
  /** Linear diffreps can start exactly at f(θ_T) = noise; others are fitted by Gauss–Newton. */
  linear: boolean;
  /** For each view, the coordinates of that view which other views also render (for consistency rounds). */
  shared?: { view: number; coords: number[]; other: number; otherCoords: number[] }[];
}

/** θ = x: the image-space sampler itself. */
export function identityRep(size: number): Diffrep {
  return { name: 'identity', params: size, views: 1, viewSize: size, linear: true, render: (t) => t, init: (n) => new Tensor(new Float64Array(n * size), [n, size]) };
}

/** A 1-D panorama θ ∈ R^{width}, views are crops of `size` starting every `stride` (spec §5.3: 24, crops [0:16], [8:24]). */
export function panoramaRep(width: number, size: number, stride: number): Diffrep {
  if (!(size <= width && stride > 0 && (width - size) % stride === 0)) throw new ArgumentError(`panoramaRep: need (width − size) divisible by stride, got width ${width}, size ${size}, stride ${stride}`);
  const views = (width - size) / stride + 1;
  const shared: NonNullable<Diffrep['shared']> = [];
  for (let a = 0; a < views; a++) for (let b = 0; b < views; b++) {
    if (a === b) continue;
    const lo = Math.max(a * stride, b * stride), hi = Math.min(a * stride, b * stride) + size;
    if (hi <= lo) continue;
    const coords: number[] = [], other: number[] = [];
    for (let g = lo; g < hi; g++) { coords.push(g - a * stride); other.push(g - b * stride); }
    shared.push({ view: a, coords, other: b, otherCoords: other });
  }
  return {
    name: 'panorama', params: width, views, viewSize: size, linear: true, shared,
    render: (t, v) => t.slice([null], [v * stride, v * stride + size]),
    init: (n) => new Tensor(new Float64Array(n * width), [n, width]),
  };
}

/**
 * A SIREN (Sitzmann et al. 2020) 1 → h → h → 1 with sin(ω₀·) activations evaluated at `points` grid locations in
 * [−1, 1]; spec §5.3 uses h = 8 (97 parameters), ω₀ = 30, 16 points — over-parameterised, so J has full row rank.
 */
export function sirenRep(points: number, hidden = 8, omega = 30): Diffrep {
  const h = hidden;
  const sizes = { w1: h, b1: h, w2: h * h, b2: h, w3: h, b3: 1 };
  const P = Object.values(sizes).reduce((a, b) => a + b, 0);
  const grid = new Tensor(Float64Array.from({ length: points }, (_, i) => -1 + (2 * i) / (points - 1)), [points, 1]);
  const unpack = (theta: Tensor) => {
    const n = theta.shape[0]!;
    let o = 0;
    const take = (len: number, shape: number[]) => { const t = theta.slice([null], [o, o + len]).reshape([n, ...shape]); o += len; return t; };
    return { w1: take(h, [1, h]), b1: take(h, [1, h]), w2: take(h * h, [h, h]), b2: take(h, [1, h]), w3: take(h, [h, 1]), b3: take(1, [1, 1]) };
  };
  return {
    name: 'siren', params: P, views: 1, viewSize: points, linear: false,
    render: (theta) => {
      const p = unpack(theta);
      const n = theta.shape[0]!;
      const h1 = sin(mul(add(matmul(grid, p.w1), p.b1), omega)); // [n, points, h]
      const h2 = sin(mul(add(matmul(h1, p.w2), p.b2), omega));
      return add(matmul(h2, p.w3), p.b3).reshape([n, points]);
    },
    init: (n, rng) => {
      const out = new Float64Array(n * P);
      const c = Math.sqrt(6 / h) / omega;
      for (let r = 0; r < n; r++) {
        let o = r * P;
        for (let i = 0; i < h; i++) out[o++] = 2 * rng.random() - 1;            // w1 ~ U(−1/fan_in, 1/fan_in), fan_in = 1
        for (let i = 0; i < h; i++) out[o++] = 2 * rng.random() - 1;            // b1
        for (let i = 0; i < h * h; i++) out[o++] = (2 * rng.random() - 1) * c;  // w2 ~ U(−√(6/h)/ω₀, √(6/h)/ω₀)
        for (let i = 0; i < h; i++) out[o++] = (2 * rng.random() - 1) / Math.sqrt(h);
        for (let i = 0; i < h; i++) out[o++] = (2 * rng.random() - 1) * c;
        out[o++] = 0;
      }
      return new Tensor(out, [n, P]);
    },
  };
}

function checkRender(rep: Diffrep, x: Tensor, n: number): void {
  if (x.ndim !== 2 || x.shape[0] !== n || x.shape[1] !== rep.viewSize) throw new ShapeError(`${rep.name}: render must return [${n}, ${rep.viewSize}], got [${x.shape.join(', ')}]`);
}

/**
 * Solves (Σ_π J_πᵀJ_π + λI) u = Σ_π J_πᵀ r_π for every row of θ at once: one block-diagonal PSD operator of size n·P
 * applied by JVPs and VJPs, solved by `strata/linalg`'s CG. Returns u [n, P] and the CG iteration count.
 */
export function pulledBackSolve(rep: Diffrep, theta: Tensor, residuals: Tensor[], lambda: number, tol = 1e-8, solver: 'auto' | 'cg' | 'dense' = 'auto'): { u: Tensor; iterations: number } {
  const n = theta.shape[0]!, P = rep.params;
  const M = rep.views * rep.viewSize;
  if (solver === 'dense' || (solver === 'auto' && M * P <= 20_000)) return denseSolve(rep, theta, residuals, lambda);
  const pulls = Array.from({ length: rep.views }, (_, v) => vjp((th: Tensor) => rep.render(th, v), theta));
  const JT = (v: number, w: Tensor) => pulls[v]!.pullback(w) as Tensor;
  const Jv = (v: number, u: Tensor) => jvp((th: Tensor) => rep.render(th, v), theta, u).tangent;
  let rhs: Tensor | null = null;
  for (let v = 0; v < rep.views; v++) { const g = noGrad(() => JT(v, residuals[v]!)); rhs = rhs ? add(rhs, g) : g; }
  const b = Float64Array.from(rhs!.values());
  const apply = (x: Float64Array): Float64Array => {
    const u = new Tensor(Float64Array.from(x), [n, P]);
    let acc = mul(u, lambda);
    for (let v = 0; v < rep.views; v++) acc = add(acc, JT(v, Jv(v, u)));
    return Float64Array.from(acc.values());
  };
  const N = n * P;
  const A = PSD(fromFunction([N, N], (X) => {
    const out = new Float64Array(N * X.cols);
    for (let c = 0; c < X.cols; c++) out.set(apply(X.data.subarray(c * N, (c + 1) * N) as Float64Array), c * N);
    return { rows: N, cols: X.cols, data: out };
  }));
  const { X, info } = solveWithInfo(A, { rows: N, cols: 1, data: b }, CG({ tol, maxIters: 10 * P + 50 }));
  return { u: new Tensor(Float64Array.from(X.data), [n, P]), iterations: info?.iterations ?? 0 };
}

/**
 * The same solve with each sample's Jacobian built explicitly (M = views·viewSize reverse passes over one recorded
 * tape), then per sample the minimum-norm form Jᵀ(JJᵀ + λI)⁻¹r when P ≥ M (over-parameterised) or the normal
 * equations (JᵀJ + λI)⁻¹Jᵀr otherwise, each a Cholesky solve through `strata/linalg`. For small diffreps this is
 * far cheaper than CG on JVP/VJP products, and exact.
 */
function denseSolve(rep: Diffrep, theta: Tensor, residuals: Tensor[], lambda: number): { u: Tensor; iterations: number } {
  const n = theta.shape[0]!, P = rep.params, d = rep.viewSize, M = rep.views * d;
  const J = new Float64Array(n * M * P); // per sample, row-major M × P
  for (let v = 0; v < rep.views; v++) {
    const { pullback } = vjp((th: Tensor) => rep.render(th, v), theta);
    for (let j = 0; j < d; j++) {
      const ct = new Float64Array(n * d);
      for (let r = 0; r < n; r++) ct[r * d + j] = 1;
      const g = noGrad(() => (pullback(new Tensor(ct, [n, d])) as Tensor).values());
      const row = v * d + j;
      for (let r = 0; r < n; r++) J.set(g.subarray(r * P, (r + 1) * P), (r * M + row) * P);
    }
  }
  const res = residuals.map((x) => x.values());
  const out = new Float64Array(n * P);
  for (let r = 0; r < n; r++) {
    const Jr = J.subarray(r * M * P, (r + 1) * M * P);
    const rv = new Float64Array(M);
    for (let v = 0; v < rep.views; v++) for (let j = 0; j < d; j++) rv[v * d + j] = res[v]![r * d + j]!;
    if (P >= M) {
      const G = new Float64Array(M * M);
      for (let a = 0; a < M; a++) for (let b = a; b < M; b++) {
        let s = 0;
        for (let k = 0; k < P; k++) s += Jr[a * P + k]! * Jr[b * P + k]!;
        G[a * M + b] = s; G[b * M + a] = s;
      }
      for (let a = 0; a < M; a++) G[a * M + a] += lambda;
      const y = solve(PSD(lazify(mat(M, M, G))), rv).data;
      for (let k = 0; k < P; k++) { let s = 0; for (let a = 0; a < M; a++) s += Jr[a * P + k]! * y[a]!; out[r * P + k] = s; }
    } else {
      const G = new Float64Array(P * P), rhs = new Float64Array(P);
      for (let a = 0; a < P; a++) {
        for (let b = a; b < P; b++) {
          let s = 0;
          for (let m = 0; m < M; m++) s += Jr[m * P + a]! * Jr[m * P + b]!;
          G[a * P + b] = s; G[b * P + a] = s;
        }
        let q = 0;
        for (let m = 0; m < M; m++) q += Jr[m * P + a]! * rv[m]!;
        rhs[a] = q;
        G[a * P + a] += lambda;
      }
      out.set(solve(PSD(lazify(mat(P, P, G))), rhs).data, r * P);
    }
  }
  return { u: new Tensor(out, [n, P]), iterations: 0 };
}

export interface PullbackOptions {
  rep: Diffrep;
  prior: ScoreFn;
  sched: Schedule;
  n: number;
  steps?: number;
  lambda?: number;
  /** Consistency rounds on views' shared coordinates (spec §2.5 project design); 0 disables. */
  rounds?: number;
  /** Reconstruction-guidance strength of the consistency rounds' inpainting score. */
  alpha?: number;
  rng?: Rng;
  seed?: number;
  sigmaData?: number;
  /** Start from these parameters at tMax instead of a fresh noise draw / fit. */
  thetaT?: Tensor;
  onStep?: (done: number, total: number) => void;
}

export interface PullbackResult { theta: Tensor; views: Tensor[]; cgIterations: number[] }

/** Gauss–Newton fit of θ so that every view renders `targets` (used at t = tMax for non-linear diffreps). */
export function fitRender(rep: Diffrep, theta0: Tensor, targets: Tensor[], iterations = 15, lambda = 1e-6): Tensor {
  let theta = theta0;
  for (let k = 0; k < iterations; k++) {
    const res = targets.map((y, v) => noGrad(() => sub(y, rep.render(theta, v))));
    const { u } = pulledBackSolve(rep, theta, res, lambda, 1e-10);
    theta = noGrad(() => add(theta, u));
  }
  return theta;
}

/** Velocity of every view, with optional consistency rounds on the shared coordinates. */
function viewVelocities(o: PullbackOptions, xs: Tensor[], t: number): Tensor[] {
  const { rep, prior, sched } = o;
  const rounds = o.rounds ?? 0;
  let scores: ScoreFn[] = xs.map(() => prior);
  for (let r = 0; r < rounds && rep.shared && rep.shared.length; r++) {
    // Tweedie means of every view under its current score, then each view conditions its shared coordinates on the
    // other views' means there (inpainting score, spec §2.2), RePaint-style.
    const sg = sched.sigma(t), s = sched.scale(t);
    const means = xs.map((x, v) => noGrad(() => mul(add(x, mul(scores[v]!(x, t), sg * sg)), 1 / s)).values());
    const next: ScoreFn[] = xs.map(() => prior);
    xs.forEach((x, v) => {
      const n = x.shape[0]!, d = rep.viewSize;
      const links = rep.shared!.filter((l) => l.view === v);
      if (!links.length) return;
      const mask = new Array(d).fill(0);
      const ySum = new Float64Array(n * d), yCnt = new Float64Array(d);
      for (const l of links) l.coords.forEach((c, i) => {
        mask[c] = 1; yCnt[c]++;
        for (let row = 0; row < n; row++) ySum[row * d + c] += means[l.other]![row * d + l.otherCoords[i]!]!;
      });
      const y = new Tensor(Float64Array.from(ySum, (v, i) => (mask[i % d] ? v / yCnt[i % d]! : 0)), [n, d]);
      next[v] = inpaintScore(prior, { sched, mask, y, alpha: o.alpha ?? 1 });
    });
    scores = next;
  }
  return xs.map((x, v) => noGrad(() => pfVelocity(scores[v]!, sched, x, t)));
}


/** Samples θ by the pulled-back PF-ODE with Heun steps from tMax to tMin. */
export function pullbackSample(o: PullbackOptions): PullbackResult {
  const { rep, sched, n } = o;
  if (!Number.isInteger(n) || n < 1) throw new ArgumentError(`pullback.sample: n must be a positive integer, got ${n}`);
  const steps = o.steps ?? 200, lambda = o.lambda ?? 1e-6;
  if (!Number.isInteger(steps) || steps < 1) throw new ArgumentError(`pullback.sample: steps must be a positive integer, got ${steps}`);
  if (!(lambda > 0)) throw new ArgumentError(`pullback.sample: lambda must be > 0, got ${lambda}`);
  const rng = o.rng ?? new Rng(o.seed ?? 0);
  const [initRng, noiseRng] = rng.split(2);
  const sd = marginalStd(sched, sched.tMax, o.sigmaData ?? 1);
  let theta: Tensor;
  if (o.thetaT) theta = o.thetaT;
  else if (rep.linear) theta = noiseRng!.normal([n, rep.params], { dtype: 'float64', std: sd });
  else {
    const targets = Array.from({ length: rep.views }, () => noiseRng!.normal([n, rep.viewSize], { dtype: 'float64', std: sd }));
    theta = fitRender(rep, rep.init(n, initRng!), targets);
  }
  const ts = timeGrid(sched, steps);
  const cgIterations: number[] = [];
  const thetaDot = (th: Tensor, t: number) => {
    const xs = Array.from({ length: rep.views }, (_, v) => { const x = noGrad(() => rep.render(th, v)); checkRender(rep, x, n); return x; });
    const vs = viewVelocities(o, xs, t);
    const { u, iterations } = pulledBackSolve(rep, th, vs, lambda);
    cgIterations.push(iterations);
    return u;
  };
  for (let i = 0; i < steps; i++) {
    const t0 = ts[i]!, t1 = ts[i + 1]!, h = t1 - t0;
    const d0 = thetaDot(theta, t0);
    const te = noGrad(() => add(theta, mul(d0, h)));
    const d1 = thetaDot(te, t1);
    theta = noGrad(() => add(theta, mul(add(d0, d1), h / 2)));
    const tv = theta.values();
    for (let k = 0; k < tv.length; k++) if (!Number.isFinite(tv[k]!)) throw new NonFiniteError(`pullback.sample: θ became non-finite at t = ${t1.toPrecision(4)}; increase lambda or steps`);
    o.onStep?.(i + 1, steps);
  }
  return { theta, views: Array.from({ length: rep.views }, (_, v) => noGrad(() => rep.render(theta, v))), cgIterations };
}

export interface SdsOptions {
  rep: Diffrep;
  prior: ScoreFn;
  sched: Schedule;
  n: number;
  steps?: number;
  lr?: number;
  rng?: Rng;
  seed?: number;
  /** Initial θ (default: the diffrep's init, or N(0, 1) parameters for linear diffreps). */
  theta0?: Tensor;
  onStep?: (done: number, total: number) => void;
}

/**
 * Score distillation (SDS/SJC, the mode-seeking baseline of spec §2.5): θ ← θ − η Σ_π J_πᵀ(ε̂(x_π + σ_t ε, t) − ε) with
 * ε̂ = −σ_t·s(·, t), t drawn uniformly in (tMin, tMax) each step (weight w(t) = 1), and η decaying linearly to 0.
 */
export function sdsOptimize(o: SdsOptions): { theta: Tensor; views: Tensor[] } {
  const { rep, prior, sched, n } = o;
  const steps = o.steps ?? 2000, lr = o.lr ?? 1e-2;
  if (!Number.isInteger(steps) || steps < 1) throw new ArgumentError(`sds.optimize: steps must be a positive integer, got ${steps}`);
  if (!(lr > 0)) throw new ArgumentError(`sds.optimize: lr must be > 0, got ${lr}`);
  const rng = o.rng ?? new Rng(o.seed ?? 0);
  const [initRng, stepRng] = rng.split(2);
  let theta = o.theta0 ?? (rep.linear ? initRng!.normal([n, rep.params], { dtype: 'float64' }) : rep.init(n, initRng!));
  for (let i = 0; i < steps; i++) {
    const t = sched.tMin + (sched.tMax - sched.tMin) * stepRng!.random();
    const sg = sched.sigma(t), s = sched.scale(t);
    let g: Tensor | null = null;
    for (let v = 0; v < rep.views; v++) {
      const { out: x, pullback } = vjp((th: Tensor) => rep.render(th, v), theta);
      const eps = stepRng!.normal(x.shape, { dtype: 'float64' });
      const xt = noGrad(() => add(mul(x, s), mul(eps, sg)));
      const epsHat = noGrad(() => mul(prior(xt, t), -sg));
      const gv = noGrad(() => pullback(sub(epsHat, eps)) as Tensor);
      g = g ? add(g, gv) : gv;
    }
    // The stochastic ε term never vanishes, so a constant step keeps a random-walk spread; the rate decays
    // linearly to zero (documented choice) so the iterate settles at the mode SDS seeks.
    theta = noGrad(() => sub(theta, mul(g!, lr * (1 - i / steps))));
    o.onStep?.(i + 1, steps);
  }
  return { theta, views: Array.from({ length: rep.views }, (_, v) => noGrad(() => rep.render(theta, v))) };
}

export const pullback = { sample: pullbackSample, solve: pulledBackSolve, fit: fitRender };
export const sds = { optimize: sdsOptimize };

