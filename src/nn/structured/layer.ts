import {
  Tensor, Rng, add, mul, div, sqrt, mean, maximum, reshape, zeros, ones, assertFinite, noGrad, pushRecorder,
  popRecorder, shapeStr, type FloatDType, type Recorder, ArgumentError, ShapeError,
} from '../../core/index.ts';
import type { StructureWarning } from './warnings.ts';

/**
 * What every structured linear layer shares: the factor descriptions that drive µP initialisation and
 * structure-aware learning rates, the (init, apply) pair over a plain parameter tree, a reference dense matrix, and
 * parameter / multiply-add counts. A layer object is an immutable description; it never holds weights.
 */

export type StructureKind = 'dense' | 'low-rank' | 'kronecker' | 'tt' | 'monarch' | 'btt' | 'einsum' | 'btt-moe';

/** One dense factor (core) of a structured matrix: its key in the parameter tree, shape, fan-in and fan-out. */
export interface FactorInfo {
  readonly name: string;
  readonly shape: readonly number[];
  /** Fan-in / fan-out of the factor seen as a (batched) linear map (spec nn §2.5). */
  readonly fanIn: number;
  readonly fanOut: number;
  /** Standard deviation the factor is drawn with (0 when zero-initialised). */
  readonly initStd: number;
}

export type InitMode = 'mup' | 'standard';

/** Options every structure accepts. */
export interface CommonOptions {
  /** Add a bias vector `b` (initialised to 0). Default true, like `linearInit`. */
  bias?: boolean;
  /** 'mup' (default): s = sqrt(min(n, m))/n per factor; 'standard': s = 1/sqrt(n). */
  init?: InitMode;
  /**
   * Zero-initialise the last factor — for the last linear layer of a residual block and for classifier heads
   * (spec nn §2.5), so each block starts as the identity.
   */
  zeroInit?: boolean;
}

/** The parameter tree of one structured layer: factor tensors by name, optional bias `b`, optional gains. */
export type StructuredParams = Record<string, Tensor>;

/** Collects auxiliary losses (BTT-MoE load balancing) produced during a forward pass. */
export interface AuxLosses {
  push(loss: Tensor): void;
}

export interface StructuredLayer {
  readonly kind: StructureKind;
  readonly dIn: number;
  readonly dOut: number;
  readonly factors: readonly FactorInfo[];
  /** Number of factor entries (the structure's parameters; the bias and weight-norm gains are not counted). */
  readonly params: number;
  /** Multiply-adds per input vector of the forward pass (×2 for floating-point operations, ×3 for training). */
  readonly macs: number;
  /** Multiply-adds per input vector that a routed implementation needs (BTT-MoE: only the top-k experts); = macs otherwise. */
  readonly activeMacs: number;
  /** Non-factor parameters with learning-rate multiplier 1 and their own init (the BTT-MoE gate). */
  readonly extras: readonly FactorInfo[];
  readonly bias: boolean;
  readonly normalize: boolean;
  /** One line, e.g. "btt 256→1024 [α=16 γ=16 | φ=32 ε=32] ρ=1". */
  readonly description: string;
  /** Why the structure is weaker than asked for (a factor of 1 from a prime width); absent or empty when it is not. */
  readonly warnings?: readonly StructureWarning[];
  /** A fresh parameter tree (float32 unless `dtype` says otherwise). */
  init(rng: Rng, opts?: { dtype?: FloatDType }): StructuredParams;
  /**
   * y = x·A + b for x of shape [..., dIn], computed as batched matmuls over the factors (never through the dense
   * matrix). Layers with auxiliary losses (BTT-MoE) require `aux`.
   */
  apply(p: StructuredParams, x: Tensor, aux?: AuxLosses): Tensor;
  /**
   * The materialised (dIn, dOut) matrix A (without bias), built entry by entry from the structure's defining formula
   * in plain loops — an independent reference for `apply`, for tests and inspection only.
   */
  toDense(p: StructuredParams): Tensor;
}

// ---------------------------------------------------------------- shared helpers

export function checkPositiveInt(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new ArgumentError(`${op}: ${name} must be a positive integer, got ${String(v)}`);
  return v;
}

/** Rejects option keys the structure does not know (a misspelt option must not be silently ignored). */
export function checkOptions(op: string, opts: object, allowed: readonly string[]): void {
  for (const k of Object.keys(opts)) {
    if (!allowed.includes(k)) throw new ArgumentError(`${op}: unknown option '${k}'; expected one of ${allowed.join(', ')}`);
  }
}

export const COMMON_OPTION_KEYS = ['bias', 'init', 'zeroInit'] as const;

/** µP std for a factor with fan-in n and fan-out m: sqrt(1/n)·min(1, sqrt(m/n)) = sqrt(min(n, m))/n (spec nn §2.5). */
export function muPStd(fanIn: number, fanOut: number): number {
  return Math.sqrt(Math.min(fanIn, fanOut)) / fanIn;
}

export function initStd(mode: InitMode, fanIn: number, fanOut: number): number {
  if (mode !== 'mup' && mode !== 'standard') throw new ArgumentError(`init: expected 'mup' or 'standard', got '${String(mode)}'`);
  return mode === 'mup' ? muPStd(fanIn, fanOut) : 1 / Math.sqrt(fanIn);
}

/**
 * Factor descriptions with init stds; the last factor gets std 0 when zero-initialised.
 * `raw` lists name, shape, fan-in, fan-out in forward order.
 */
export function describeFactors(
  raw: readonly { name: string; shape: number[]; fanIn: number; fanOut: number; std?: number }[],
  mode: InitMode,
  zeroInit: boolean,
): FactorInfo[] {
  return raw.map((f, i) => ({
    name: f.name, shape: f.shape, fanIn: f.fanIn, fanOut: f.fanOut,
    initStd: zeroInit && i === raw.length - 1 ? 0 : (f.std ?? initStd(mode, f.fanIn, f.fanOut)),
  }));
}

/** Draws every factor from N(0, initStd²), plus bias zeros and weight-norm gains of 1 when asked. */
export function initParams(layer: StructuredLayer, rng: Rng, dtype: FloatDType = 'float32'): StructuredParams {
  if (dtype !== 'float32' && dtype !== 'float64') throw new ArgumentError(`${layer.kind}.init: dtype must be 'float32' or 'float64', got '${String(dtype)}'`);
  const rngs = rng.split(layer.factors.length);
  const p: StructuredParams = {};
  layer.factors.forEach((f, i) => {
    p[f.name] = f.initStd === 0 ? zeros(f.shape, dtype) : rngs[i]!.normal(f.shape, { std: f.initStd, dtype });
  });
  const extraRngs = rng.split(layer.extras.length);
  layer.extras.forEach((f, i) => {
    p[f.name] = f.initStd === 0 ? zeros(f.shape, dtype) : extraRngs[i]!.normal(f.shape, { std: f.initStd, dtype });
  });
  if (layer.normalize) for (const f of layer.factors) p[gainKey(f.name)] = ones([], dtype);
  if (layer.bias) p.b = zeros([layer.dOut], dtype);
  return p;
}

export function gainKey(name: string): string {
  return `gain${name}`;
}

/** Checks that `p` has every factor with the right shape (a clear error beats a matmul shape error deep inside). */
export function checkParams(layer: StructuredLayer, p: StructuredParams): void {
  if (p === null || typeof p !== 'object') throw new ArgumentError(`${layer.kind}: parameters must be an object of tensors, got ${String(p)}`);
  for (const f of [...layer.factors, ...layer.extras]) {
    const t = p[f.name];
    if (!(t instanceof Tensor)) throw new ArgumentError(`${layer.kind}: parameter '${f.name}' is missing (layer ${layer.description})`);
    if (t.shape.join() !== f.shape.join()) throw new ShapeError(`${layer.kind}: parameter '${f.name}' has shape ${shapeStr(t.shape)}, expected ${shapeStr(f.shape)} (layer ${layer.description})`);
  }
}

/**
 * The factor as used in the forward pass. With weight normalisation (spec nn §2.7):
 * W_eff = γ·W / max(1, rms(W)/rms_max), rms_max = the µP init std — caps the core's RMS at its init value.
 * The tiny floor inside the square root keeps the gradient finite for an all-zero (zero-initialised) core.
 */
export function effectiveFactor(layer: StructuredLayer, p: StructuredParams, f: FactorInfo): Tensor {
  const w = p[f.name]!;
  if (!layer.normalize) return w;
  const gain = p[gainKey(f.name)];
  if (!(gain instanceof Tensor)) throw new ArgumentError(`${layer.kind}: weight-normalised layer needs the scalar '${gainKey(f.name)}' in its parameters`);
  const rmsMax = muPStd(f.fanIn, f.fanOut);
  const rms = sqrt(add(mean(mul(w, w)), 1e-30));
  const scale = div(gain, maximum(div(rms, rmsMax), 1));
  return mul(w, scale);
}

/**
 * Shared forward wrapper: validates x (last axis dIn, finite), flattens leading axes to one batch axis, runs the
 * structure's kernel on a (B, dIn) matrix and restores the leading axes; adds the bias.
 */
export function applyLinear(layer: StructuredLayer, p: StructuredParams, x: Tensor, kernel: (x2: Tensor) => Tensor): Tensor {
  if (!(x instanceof Tensor)) throw new ArgumentError(`${layer.kind}.apply: input must be a Tensor`);
  if (x.ndim < 1 || x.shape[x.ndim - 1] !== layer.dIn) {
    throw new ShapeError(`${layer.kind}.apply: input's last axis is ${x.shape[x.ndim - 1]}, the layer (${layer.description}) expects ${layer.dIn} (input shape ${shapeStr(x.shape)})`);
  }
  checkParams(layer, p);
  assertFinite(`${layer.kind}.apply (${layer.description})`, 'input', x);
  const lead = x.shape.slice(0, -1);
  const rows = lead.reduce((a, b) => a * b, 1);
  let y = kernel(reshape(x, [rows, layer.dIn]));
  if (layer.bias) {
    const b = p.b;
    if (!(b instanceof Tensor) || b.shape.join() !== `${layer.dOut}`) throw new ArgumentError(`${layer.kind}: bias 'b' of shape [${layer.dOut}] is missing`);
    y = add(y, b);
  }
  return reshape(y, [...lead, layer.dOut]);
}

/** Factor values as float64 arrays (effective factors when weight-normalised), for the reference `toDense`. */
export function factorValues(layer: StructuredLayer, p: StructuredParams): Record<string, Float64Array> {
  checkParams(layer, p);
  return noGrad(() => Object.fromEntries(layer.factors.map((f) => [f.name, Float64Array.from(effectiveFactor(layer, p, f).values())])));
}

export function denseTensor(values: Float64Array, dIn: number, dOut: number, like: Tensor): Tensor {
  const t = new Tensor(like.dtype === 'float32' ? Float32Array.from(values) : values, [dIn, dOut]);
  return t;
}

/**
 * Brute-force multiply-add count: runs `fn` with a recorder that adds batch·m·k·n for every matmul it performs.
 * Used by tests and the benchmark to check a layer's `macs` against what its forward pass really does.
 */
export function countMatmulMacs(fn: () => void): number {
  let macs = 0;
  const rec: Recorder = {
    record(op, inputs, output) {
      if (op !== 'matmul') return;
      const a = inputs[0]!;
      const k = a.shape[a.ndim - 1]!;
      macs += output.size * k;
    },
  };
  pushRecorder(rec);
  try {
    fn();
  } finally {
    popRecorder(rec);
  }
  return macs;
}

export function sumSizes(factors: readonly { shape: readonly number[] }[]): number {
  return factors.reduce((a, f) => a + f.shape.reduce((x, y) => x * y, 1), 0);
}
