/**
 * Denoising score matching (spec §2.1) for an MLP score network. The network predicts the noise ε from the
 * EDM-scaled input x_t/c_t (c_t = sqrt(s²σ_data² + σ²)) and noise-level features, and the score is s_θ = −net/σ_t, so
 * the loss mean‖net − ε‖² equals the spec's σ_t²‖s_θ + (x_t − s_t x_0)/σ_t²‖². Times are drawn on a randomly shifted
 * low-discrepancy grid; an exponential moving average of the weights is kept and used for sampling.
 */
import { Tensor, Rng, concat, mul, sub, mean, ArgumentError, ShapeError, NonFiniteError } from '../core/index.ts';
import { valueAndGrad, noGrad, leaves } from '../autodiff/index.ts';
import { mlpInit, mlp, saveParams, loadParams, type MlpParams } from '../nn/index.ts';
import { adam } from '../optim/index.ts';
import { ve, vp, type Schedule } from './schedules.ts';
import { checkBatch, type ScoreFn } from './score.ts';

const FEATURES = 9;

export interface ScoreNetConfig {
  dim: number;
  hidden: number[];
  sigmaData: number;
  schedule: { kind: 've'; sigmaMin: number; sigmaMax: number } | { kind: 'vp'; betaMin: number; betaMax: number };
}

export interface TrainOptions {
  sched?: Schedule;
  /** Schedule parameters recorded with the model (needed to rebuild it from a checkpoint). */
  schedule?: ScoreNetConfig['schedule'];
  hidden?: number[];
  steps?: number;
  batch?: number;
  lr?: number;
  ema?: number;
  seed?: number;
  /** Stop after this many seconds even if `steps` is not reached (the budget of a demo run). */
  maxSeconds?: number;
  onStep?: (done: number, total: number, loss: number) => void;
}

export interface TrainedScore {
  config: ScoreNetConfig;
  params: MlpParams;
  ema: MlpParams;
  sched: Schedule;
  /** The score of the EMA weights. */
  score: ScoreFn;
  losses: number[];
  steps: number;
}

function noiseFeatures(sigmas: ArrayLike<number>): Tensor {
  const n = sigmas.length, f = new Float64Array(n * FEATURES);
  for (let i = 0; i < n; i++) {
    const u = Math.log(sigmas[i]!) / 4;
    f[i * FEATURES] = u;
    for (let j = 0; j < 4; j++) {
      f[i * FEATURES + 1 + 2 * j] = Math.sin(2 ** j * u);
      f[i * FEATURES + 2 + 2 * j] = Math.cos(2 ** j * u);
    }
  }
  return new Tensor(f, [n, FEATURES]);
}

/** The network's noise prediction for rows x_t with per-row σ and c. */
function predictNoise(p: MlpParams, x: Tensor, sigmas: Float64Array, cs: Float64Array): Tensor {
  const inv = new Tensor(cs.map((c) => 1 / c), [cs.length, 1]);
  return mlp(p, concat([mul(x, inv), noiseFeatures(sigmas)], 1), 'silu');
}

export function scheduleFromConfig(c: ScoreNetConfig['schedule']): Schedule {
  return c.kind === 've' ? ve({ sigmaMin: c.sigmaMin, sigmaMax: c.sigmaMax }) : vp({ betaMin: c.betaMin, betaMax: c.betaMax });
}

/** The score function of a network: s_θ(x, t) = −net(x/c_t, features(σ_t))/σ_t. */
export function networkScore(p: MlpParams, config: ScoreNetConfig, sched: Schedule): ScoreFn {
  return (x, t) => {
    checkBatch('networkScore', x, config.dim);
    const n = x.shape[0]!, sg = sched.sigma(t), s = sched.scale(t);
    const c = Math.sqrt(s * s * config.sigmaData ** 2 + sg * sg);
    return mul(predictNoise(p, x, new Float64Array(n).fill(sg), new Float64Array(n).fill(c)), -1 / sg);
  };
}

/** Trains a score network on data rows [N, d] (float64) by denoising score matching. */
export function trainScore(data: Tensor, opts: TrainOptions = {}): TrainedScore {
  if (data.ndim !== 2) throw new ShapeError(`trainScore: data must be [N, d], got [${data.shape.join(', ')}]`);
  const [N, d] = data.shape as [number, number];
  if (N < 2) throw new ArgumentError(`trainScore: need at least 2 training rows, got ${N}`);
  const dv = data.astype('float64').values();
  let ss = 0, mu = 0;
  for (let i = 0; i < dv.length; i++) { if (!Number.isFinite(dv[i]!)) throw new NonFiniteError(`trainScore: data has a non-finite value at row ${Math.floor(i / d)}`); mu += dv[i]!; }
  mu /= dv.length;
  for (let i = 0; i < dv.length; i++) ss += (dv[i]! - mu) ** 2;
  const sigmaData = Math.sqrt(ss / dv.length) || 1;
  const schedule = opts.schedule ?? { kind: 've' as const, sigmaMin: 1e-3, sigmaMax: Math.max(10, 20 * sigmaData) };
  const sched = opts.sched ?? scheduleFromConfig(schedule);
  const hidden = opts.hidden ?? [128, 128];
  const steps = opts.steps ?? 2000, batch = Math.min(opts.batch ?? 256, N), lr = opts.lr ?? 1e-3, decay = opts.ema ?? 0.999;
  for (const [k, v] of [['steps', steps], ['batch', batch]] as const) if (!Number.isInteger(v) || v < 1) throw new ArgumentError(`trainScore: ${k} must be a positive integer, got ${v}`);
  if (!(lr > 0)) throw new ArgumentError(`trainScore: lr must be > 0, got ${lr}`);
  if (!(decay >= 0 && decay < 1)) throw new ArgumentError(`trainScore: ema must be in [0, 1), got ${decay}`);
  const rng = new Rng(opts.seed ?? 0);
  const [initRng, dataRng] = rng.split(2);
  const config: ScoreNetConfig = { dim: d, hidden, sigmaData, schedule };
  const params = mlpInit(initRng!, [d + FEATURES, ...hidden, d], { dtype: 'float64' });
  const ema = mlpInit(initRng!, [d + FEATURES, ...hidden, d], { dtype: 'float64' });
  const pl = leaves(params), el = leaves(ema);
  el.forEach((l, i) => l.value.data.set(pl[i]!.value.data));
  const opt = adam(params, { lr, clipNorm: 1 });
  const lossFn = valueAndGrad((p: MlpParams, xt: Tensor, eps: Tensor, sg: Float64Array, cs: Float64Array) => {
    const r = sub(predictNoise(p, xt, sg, cs), eps);
    return mean(mul(r, r));
  });
  const losses: number[] = [];
  const started = Date.now();
  let done = 0;
  for (let step = 0; step < steps; step++) {
    if (opts.maxSeconds !== undefined && (Date.now() - started) / 1000 > opts.maxSeconds) break;
    const xt = new Float64Array(batch * d), eps = new Float64Array(batch * d);
    const sg = new Float64Array(batch), cs = new Float64Array(batch);
    const shift = dataRng!.random();
    for (let b = 0; b < batch; b++) {
      const row = dataRng!.int(0, N);
      const u = (shift + b / batch) % 1; // low-discrepancy times
      const t = sched.tMin + (sched.tMax - sched.tMin) * u;
      const s = sched.scale(t), sigma = sched.sigma(t);
      sg[b] = sigma; cs[b] = Math.sqrt(s * s * sigmaData * sigmaData + sigma * sigma);
      for (let j = 0; j < d; j++) {
        const e = dataRng!.gauss();
        eps[b * d + j] = e;
        xt[b * d + j] = s * dv[row * d + j]! + sigma * e;
      }
    }
    const { value, grad } = lossFn(params, new Tensor(xt, [batch, d]), new Tensor(eps, [batch, d]), sg, cs);
    opt.step(grad);
    noGrad(() => el.forEach((l, i) => {
      const e = l.value.data, p = pl[i]!.value.data;
      for (let k = 0; k < e.length; k++) e[k] = decay * e[k]! + (1 - decay) * p[k]!;
    }));
    const lv = value.item();
    losses.push(lv);
    done = step + 1;
    opts.onStep?.(done, steps, lv);
  }
  return { config, params, ema, sched, score: networkScore(ema, config, sched), losses, steps: done };
}

/** Saves the EMA weights and the configuration as a safetensors checkpoint. */
export function saveScore(file: string, model: TrainedScore, extra: Record<string, unknown> = {}): void {
  saveParams(file, model.ema, { strata: 'diffusion-score', config: JSON.stringify(model.config), extra: JSON.stringify(extra) });
}

/** Loads a checkpoint written by `saveScore`. */
export function loadScore(file: string): { config: ScoreNetConfig; params: MlpParams; sched: Schedule; score: ScoreFn; extra: Record<string, unknown> } {
  const { params, metadata } = loadParams(file);
  if (metadata.strata !== 'diffusion-score' || !metadata.config) throw new ArgumentError(`loadScore: ${file} is not a Strata diffusion score checkpoint (metadata.strata = ${metadata.strata ?? 'missing'})`);
  const config = JSON.parse(metadata.config) as ScoreNetConfig;
  const sched = scheduleFromConfig(config.schedule);
  const extra = metadata.extra ? (JSON.parse(metadata.extra) as Record<string, unknown>) : {};
  return { config, params: params as MlpParams, sched, score: networkScore(params as MlpParams, config, sched), extra };
}
