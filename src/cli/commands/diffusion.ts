/** `strata diffusion`: event-conditioned sampling with an exact score (`event`), training a score on a simulated system (`train`), sampling it (`sample`). */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Rng, Tensor, mean, max, sub, ArgumentError } from '../../core/index.ts';
import * as D from '../../diffusion/index.ts';
import { SYSTEMS, simulateRows, spikeEvent, destandardise } from '../../experiments/index.ts';
import { commonOptions, parseCommandArgs, parseSeed, UsageError, type CliIO, type Command } from '../command.ts';
import { ProgressRenderer, progressMode } from '../progress.ts';

const help = `strata diffusion — diffusion models for dynamical systems with user-defined events (Finzi et al., ICML 2023)

Usage: strata diffusion <event | train | sample> [options]
  strata diffusion event [options]                 event-conditioned sampling of an AR(1) process with its exact score
  strata diffusion train --system <s> --out <f>    simulate a system and train a score network (safetensors checkpoint)
  strata diffusion sample --model <f> [options]    sample trajectories from a checkpoint, optionally conditioned on the spike event

event options:
  --event mean|max     C(x) = mean(x) − threshold (default) or max_τ x(τ) − threshold
  --threshold <x>      event threshold (default 1.5 for mean, 3 for max)
  --length <T>         AR(1) length (default 32)     --rho <ρ>  AR(1) coefficient (default 0.9)
  --link probit|logistic-1.6   link of P(E | x_t) (default probit)
  --logp               also estimate log P(E) by the probability-flow ODE and compare with the exact value (mean event)

train options:
  --system fhn|lorenz|sho|pendulum   simulator (spec §2.4)
  --trajectories <n>   simulated trajectories (default 2000)     --frames <k>  frames kept per trajectory (default 32)
  --steps <n>          training steps (default 3000)             --out <file>  checkpoint path (required)

sample options:
  --model <file>       checkpoint written by 'train'
  --spike <threshold>  condition on max_τ ½(x1 + x2) > threshold (FitzHugh–Nagumo; the spec's 2.5)
  --std-gradient full|stop   differentiate the event's std (default stop: cheaper; full needs second derivatives)
  --samples-out <file> write the sampled trajectories (original units) as JSON

Common: --n <samples> (default 1000, sample: 200), --sampler-steps <k> (default 500), --seed <n> (default 1),
        --json (one JSON document on stdout), -q/--quiet, --debug, -h/--help

Examples:
  strata diffusion event --event mean --threshold 1.5 --logp
  strata diffusion event --event max --link logistic-1.6 --n 500 --json
  strata diffusion train --system fhn --trajectories 2000 --steps 3000 --out fhn.safetensors
  strata diffusion sample --model fhn.safetensors --spike 2.5 --n 200 --samples-out spikes.json
`;

function num(flag: string, v: string | undefined, fallback: number, check: (x: number) => boolean, expected: string): number {
  if (v === undefined) return fallback;
  const x = Number(v);
  if (v.trim() === '' || !Number.isFinite(x) || !check(x)) throw new ArgumentError(`${flag}: expected ${expected}, got '${v}'`);
  return x;
}
const posInt = (flag: string, v: string | undefined, fallback: number, maxV = 1e7) => num(flag, v, fallback, (x) => Number.isInteger(x) && x >= 1 && x <= maxV, `an integer from 1 to ${maxV}`);

const options = {
  ...commonOptions, json: { type: 'boolean' }, seed: { type: 'string' }, n: { type: 'string' }, 'sampler-steps': { type: 'string' },
  event: { type: 'string' }, threshold: { type: 'string' }, length: { type: 'string' }, rho: { type: 'string' }, link: { type: 'string' }, logp: { type: 'boolean' },
  system: { type: 'string' }, trajectories: { type: 'string' }, frames: { type: 'string' }, steps: { type: 'string' }, out: { type: 'string' },
  model: { type: 'string' }, spike: { type: 'string' }, 'std-gradient': { type: 'string' }, 'samples-out': { type: 'string' },
} as const;

function summarise(values: ArrayLike<number>): { mean: number; q10: number; q50: number; q90: number } {
  const s = Float64Array.from(values).sort();
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { mean: s.reduce((a, b) => a + b, 0) / s.length, q10: q(0.1), q50: q(0.5), q90: q(0.9) };
}

async function runEvent(values: Record<string, string | boolean | undefined>, io: CliIO, progress: ProgressRenderer): Promise<Record<string, unknown>> {
  const ev = (values.event as string | undefined) ?? 'mean';
  if (ev !== 'mean' && ev !== 'max') throw new ArgumentError(`--event: expected mean or max, got '${ev}'`);
  const link = (values.link as string | undefined) ?? 'probit';
  if (link !== 'probit' && link !== 'logistic-1.6') throw new ArgumentError(`--link: expected probit or logistic-1.6, got '${link}'`);
  const thr = num('--threshold', values.threshold as string | undefined, ev === 'mean' ? 1.5 : 3, () => true, 'a number');
  const T = posInt('--length', values.length as string | undefined, 32, 512);
  const rho = num('--rho', values.rho as string | undefined, 0.9, (x) => Math.abs(x) < 1, 'a number with |ρ| < 1');
  const n = posInt('--n', values.n as string | undefined, 1000), steps = posInt('--sampler-steps', values['sampler-steps'] as string | undefined, 500);
  const seed = parseSeed(values.seed as string | undefined, 1);
  const g = D.gaussian(D.ar1Covariance(T, rho), T);
  const sched = D.ve({ sigmaMin: 1e-3, sigmaMax: 20 });
  const score = D.gaussianScore(g, sched);
  const C = ev === 'mean' ? (x: Tensor) => sub(mean(x, 1), thr) : (x: Tensor) => sub(max(x, 1), thr);
  const cond = D.eventScore(score, C, { sched, link, reg: 0 });
  const [r1, r2] = new Rng(seed).split(2);
  const xs = D.sampleSDE(cond, { sched, n, dim: T, steps, rng: r1!, onStep: (k, t) => progress.update(k, t, 'event sampler') });
  const c = C(xs).values();
  const inside = Array.from(c).filter((v) => v > 0).length / n;
  const out: Record<string, unknown> = { event: ev, threshold: thr, length: T, rho, link, n, samplerSteps: steps, seed, fractionInEvent: inside, eventStatistic: summarise(c) };
  if (ev === 'mean') {
    let s = 0;
    for (let i = 0; i < T; i++) for (let j = 0; j < T; j++) s += rho ** Math.abs(i - j);
    out.exactLogP = D.logNdtr(-thr / Math.sqrt(s / (T * T)));
  }
  if (values.logp) {
    const m = Math.min(n, 200);
    const lp = D.eventLogProb(score, cond, C, xs.slice([0, m]), { sched, steps: 100, rng: r2!, logPrior: (x) => D.gaussianLogDensity(g, x), onStep: (k, t) => progress.update(k, t, 'log P(E)') });
    out.logP = lp.logP; out.logPStderr = lp.stderr; out.logPSamples = lp.used;
  }
  void io;
  return out;
}

async function runTrain(values: Record<string, string | boolean | undefined>, io: CliIO, progress: ProgressRenderer): Promise<Record<string, unknown>> {
  const name = values.system as string | undefined;
  if (!name || !(name in SYSTEMS)) throw new UsageError('diffusion', `diffusion train: --system must be one of ${Object.keys(SYSTEMS).join(', ')}${name ? `, got '${name}'` : ''}`);
  if (!values.out) throw new UsageError('diffusion', 'diffusion train: --out <file> is required (the checkpoint path)');
  const n = posInt('--trajectories', values.trajectories as string | undefined, 2000, 100000);
  const frames = posInt('--frames', values.frames as string | undefined, 32, 4096);
  const steps = posInt('--steps', values.steps as string | undefined, 3000);
  const seed = parseSeed(values.seed as string | undefined, 1);
  const [simRng, trainRng] = new Rng(seed).split(2);
  progress.log(`simulating ${n} ${name} trajectories`);
  const data = simulateRows(SYSTEMS[name]!(), n, frames, simRng!);
  const model = D.trainScore(data.rows, { hidden: [128, 128], steps, seed: trainRng!.nextU32(), schedule: { kind: 've', sigmaMin: 1e-3, sigmaMax: 30 }, onStep: (k, t) => progress.update(k, t, 'training') });
  const file = resolve(io.cwd, values.out as string);
  D.saveScore(file, model, { system: name, mean: data.mean, std: data.std, frames, m: data.m, names: data.names });
  return { system: name, trajectories: n, frames, steps: model.steps, finalLoss: model.losses.slice(-100).reduce((a, b) => a + b, 0) / Math.min(100, model.losses.length), checkpoint: file };
}

async function runSample(values: Record<string, string | boolean | undefined>, io: CliIO, progress: ProgressRenderer): Promise<Record<string, unknown>> {
  if (!values.model) throw new UsageError('diffusion', 'diffusion sample: --model <file> is required (a checkpoint from diffusion train)');
  const file = resolve(io.cwd, values.model as string);
  const loaded = D.loadScore(file);
  const extra = loaded.extra as { mean?: number[]; std?: number[]; frames?: number; m?: number; system?: string };
  if (!extra.mean || !extra.std || !extra.frames || !extra.m) throw new ArgumentError(`--model: ${file} has no normalisation metadata (write it with strata diffusion train)`);
  const norm = { mean: extra.mean, std: extra.std, m: extra.m, frames: extra.frames };
  const n = posInt('--n', values.n as string | undefined, 200), steps = posInt('--sampler-steps', values['sampler-steps'] as string | undefined, 500);
  const seed = parseSeed(values.seed as string | undefined, 1);
  const sg = (values['std-gradient'] as string | undefined) ?? 'stop';
  if (sg !== 'full' && sg !== 'stop') throw new ArgumentError(`--std-gradient: expected full or stop, got '${sg}'`);
  let score = loaded.score;
  let C: D.EventFn | null = null;
  if (values.spike !== undefined) {
    if (extra.m < 2) throw new ArgumentError('--spike: the model has fewer than two states');
    const thr = num('--spike', values.spike as string, 2.5, () => true, 'a number');
    C = spikeEvent(norm, thr);
    score = D.eventScore(loaded.score, C, { sched: loaded.sched, stdGradient: sg });
  }
  const xs = D.sampleSDE(score, { sched: loaded.sched, n, dim: loaded.config.dim, steps, seed, onStep: (k, t) => progress.update(k, t, 'sampling') });
  const orig = destandardise(xs, norm);
  const out: Record<string, unknown> = { model: file, system: extra.system ?? null, n, samplerSteps: steps, seed, frames: extra.frames, states: extra.m };
  if (C) { const c = C(xs).values(); out.fractionInEvent = Array.from(c).filter((v) => v > 0).length / n; out.eventStatistic = summarise(c); }
  if (values['samples-out']) {
    const path = resolve(io.cwd, values['samples-out'] as string);
    const rows = Array.from({ length: n }, (_, r) => Array.from({ length: extra.frames! }, (_, f) => Array.from(orig.subarray((r * extra.frames! + f) * extra.m!, (r * extra.frames! + f + 1) * extra.m!))));
    writeFileSync(path, JSON.stringify({ system: extra.system, states: extra.m, frames: extra.frames, samples: rows }));
    out.samplesOut = path;
  }
  return out;
}

export const diffusionCommand: Command = {
  name: 'diffusion',
  summary: 'event-conditioned diffusion sampling for dynamical systems: event, train, sample',
  help,
  async run(argv, io) {
    const [sub0, ...rest] = argv;
    if (sub0 === undefined || sub0 === '--help' || sub0 === '-h') { io.stdout.write(help); return 0; }
    if (!['event', 'train', 'sample'].includes(sub0)) throw new UsageError('diffusion', `unknown diffusion subcommand '${sub0}'; expected event, train or sample`);
    const { values } = parseCommandArgs('diffusion', rest, options);
    if (values.help) { io.stdout.write(help); return 0; }
    const progress = new ProgressRenderer({ stream: io.stderr, mode: progressMode(io.stderr, values.quiet === true), prefix: `diffusion ${sub0}` });
    const result = sub0 === 'event' ? await runEvent(values, io, progress) : sub0 === 'train' ? await runTrain(values, io, progress) : await runSample(values, io, progress);
    progress.finish();
    if (values.json) io.stdout.write(`${JSON.stringify(result)}\n`);
    else for (const [k, v] of Object.entries(result)) io.stdout.write(`${k.padEnd(18)} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}\n`);
    return 0;
  },
};
