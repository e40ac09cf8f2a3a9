import { Tensor, Rng, deriveSeed, matmul, add, mul, maximum, sub, noGrad, scalarLike, type FloatDType } from '../../core/index.ts';
import type { ProgressSink } from '../contract.ts';
import { valueAndGrad } from '../../autodiff/index.ts';
import { adamw, cosineSchedule } from '../../optim/index.ts';
import {
  linearInit, layerNorm, layerNormInit, type LinearParams, type NormParams, mse, gelu, replaceLinears, layerAt,
  lrMultipliers, createAuxCollector, type LayerTable, type StructureSpec, type StructuredParams,
} from '../../nn/index.ts';

/**
 * The shared miniature task of spec nn §5: teacher–student regression. The teacher is a fixed random 4-layer
 * √2·ReLU network of width 256 on x ~ N(0, I_8) with its output standardised; the student is an input layer +
 * LayerNorm, residual pre-LN blocks LN → L1(w, 4w) → GELU → L2(4w, w) (L2 zero-initialised) and a zero-initialised
 * head; only L1 and L2 are structured. Fresh batches every step, so the loss measures fit, not memorisation.
 */

export const INPUT_DIM = 8;

export interface Teacher {
  layers: { w: Tensor; b: Tensor }[];
  mean: number;
  std: number;
}

export function makeTeacher(seed: number, opts: { width?: number; standardiseDraws?: number } = {}): Teacher {
  const width = opts.width ?? 256;
  const rng = new Rng(deriveSeed(seed, 'teacher'));
  const sizes = [INPUT_DIM, width, width, width, 1];
  const layers = sizes.slice(1).map((out, i) => ({
    w: rng.normal([sizes[i]!, out], { std: 1 / Math.sqrt(sizes[i]!), dtype: 'float32' }),
    b: rng.normal([out], { std: 0.1, dtype: 'float32' }),
  }));
  const t: Teacher = { layers, mean: 0, std: 1 };
  const xs = rng.normal([opts.standardiseDraws ?? 8192, INPUT_DIM], { dtype: 'float32' });
  const y = teacherRaw(t, xs).values();
  let m = 0;
  for (const v of y) m += v / y.length;
  let v2 = 0;
  for (const v of y) v2 += (v - m) ** 2 / y.length;
  t.mean = m;
  t.std = Math.sqrt(v2);
  return t;
}

function teacherRaw(t: Teacher, x: Tensor): Tensor {
  return noGrad(() => {
    let h = x;
    t.layers.forEach((l, i) => {
      h = add(matmul(h, l.w), l.b);
      if (i < t.layers.length - 1) h = mul(maximum(h, scalarLike(0, h.dtype)), Math.SQRT2);
    });
    return h;
  });
}

export function teacherTarget(t: Teacher, x: Tensor): Tensor {
  return noGrad(() => mul(sub(teacherRaw(t, x), t.mean), 1 / t.std));
}

export interface StudentParams {
  input: LinearParams;
  inNorm: NormParams;
  blocks: { norm: NormParams; l1: StructuredParams; l2: StructuredParams }[];
  outNorm: NormParams;
  head: LinearParams;
}

export interface Student {
  width: number;
  structure: StructureSpec;
  params: StudentParams;
  layers: LayerTable;
  /** Multiply-adds per sample over every linear layer (what training FLOPs are counted from). */
  macsPerSample: number;
  /** Multiply-adds per sample of the structured L1/L2 layers only. */
  blockMacs: number;
}

const isBlockLinear = (path: string) => /\.blocks\[\d+\]\.l[12]$/.test(path);

export function makeStudent(rng: Rng, width: number, structure: StructureSpec, opts: { blocks?: number; expansion?: number; dtype?: FloatDType } = {}): Student {
  const nBlocks = opts.blocks ?? 2, expansion = opts.expansion ?? 4, dtype = opts.dtype ?? 'float32';
  const [r0, r1, r2] = rng.split(3);
  const denseTree = {
    input: linearInit(r0!, INPUT_DIM, width, { dtype }),
    inNorm: layerNormInit(width, dtype),
    blocks: Array.from({ length: nBlocks }, () => ({
      norm: layerNormInit(width, dtype),
      l1: linearInit(r1!, width, expansion * width, { dtype }),
      l2: linearInit(r1!, expansion * width, width, { dtype }),
    })),
    outNorm: layerNormInit(width, dtype),
    head: linearInit(r2!, width, 1, { dtype, scale: 0 }),
  };
  const { params, layers } = replaceLinears(denseTree, structure, {
    rng: r1!, select: isBlockLinear, zeroInit: (path) => path.endsWith('.l2'),
  });
  let macsPerSample = 0, blockMacs = 0;
  for (const [path, l] of Object.entries(layers)) {
    macsPerSample += l.activeMacs;
    if (isBlockLinear(path)) blockMacs += l.activeMacs;
  }
  return { width, structure, params: params as unknown as StudentParams, layers, macsPerSample, blockMacs };
}

/** Forward pass; returns predictions (B, 1) and the mean auxiliary loss (null without MoE layers). */
export function studentForward(s: Student, p: StudentParams, x: Tensor): { y: Tensor; aux: Tensor | null } {
  const aux = createAuxCollector();
  let h = layerNorm(p.inNorm, layerAt(s.layers, '$.input').apply(p.input as unknown as StructuredParams, x));
  p.blocks.forEach((b, i) => {
    const u = layerAt(s.layers, `$.blocks[${i}].l1`).apply(b.l1, layerNorm(b.norm, h), aux);
    h = add(h, layerAt(s.layers, `$.blocks[${i}].l2`).apply(b.l2, gelu(u), aux));
  });
  const y = layerAt(s.layers, '$.head').apply(p.head as unknown as StructuredParams, layerNorm(p.outNorm, h));
  return { y, aux: aux.mean() };
}

export interface TrainOptions {
  steps: number;
  batch: number;
  lr: number;
  lrMode: 'structure-aware' | 'naive';
  /** The same model family at its base width (µP width multipliers are relative to it). */
  base: Student;
  seed: number;
  testSize?: number;
  progress?: ProgressSink;
  /** Report the test loss this many times during training (the last one is always at the end). */
  evals?: number;
}

export interface TrainResult {
  testMse: number;
  /** (step, test MSE) along the way. */
  curve: { step: number; mse: number }[];
  trainFlops: number;
  diverged: boolean;
  seconds: number;
}

/** Trains the student on fresh teacher batches with AdamW (wd 0), cosine decay and µP / structure-aware rates. */
export function trainStudent(s: Student, teacher: Teacher, o: TrainOptions): TrainResult {
  const rng = new Rng(deriveSeed(o.seed, 'train'));
  const testX = new Rng(deriveSeed(o.seed, 'test-inputs')).normal([o.testSize ?? 2048, INPUT_DIM], { dtype: 'float32' });
  const testY = teacherTarget(teacher, testX);
  const mults = lrMultipliers(s.layers, { base: o.base.layers, lrMode: o.lrMode });
  const opt = adamw(s.params, { lr: cosineSchedule({ peak: o.lr, total: o.steps, warmup: Math.ceil(o.steps / 20) }), weightDecay: 0, lrMultipliers: mults });
  const lossGrad = valueAndGrad((p: StudentParams, x: Tensor, y: Tensor) => {
    const out = studentForward(s, p, x);
    const l = mse(out.y, y);
    return out.aux ? add(l, mul(out.aux, 0.01)) : l;
  });
  const evaluate = () => noGrad(() => mse(studentForward(s, s.params, testX).y, testY).item());
  const curve: TrainResult['curve'] = [];
  const evalEvery = Math.max(1, Math.floor(o.steps / (o.evals ?? 4)));
  const t0 = performance.now();
  let diverged = false;
  for (let step = 0; step < o.steps; step++) {
    const x = rng.normal([o.batch, INPUT_DIM], { dtype: 'float32' });
    const { value, grad } = lossGrad(s.params, x, teacherTarget(teacher, x));
    if (!Number.isFinite(value.item()) || value.item() > 1e6) { diverged = true; break; }
    try {
      opt.step(grad);
    } catch {
      diverged = true;
      break;
    }
    if ((step + 1) % evalEvery === 0 && step + 1 < o.steps) curve.push({ step: step + 1, mse: evaluate() });
  }
  const testMse = diverged ? Number.NaN : evaluate();
  if (!diverged) curve.push({ step: o.steps, mse: testMse });
  return { testMse, curve, trainFlops: 6 * o.steps * o.batch * s.macsPerSample, diverged, seconds: (performance.now() - t0) / 1000 };
}
