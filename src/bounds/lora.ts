import { Tensor, Rng, ArgumentError, matmul, add, mul } from '../core/index.ts';
import { leaves, unflatten, type Tree } from '../autodiff/index.ts';

export interface LoraOptions {
  /** Paths of the 2-D weights to adapt (as `leaves` names them, e.g. "$.blocks[0].wq.w"), or a predicate. */
  targets: readonly string[] | ((path: string, value: Tensor) => boolean);
  /** Rank r (reference 4). */
  rank?: number;
  /** Scale numerator α_LoRA (reference 32): the update is (α/r)·A·B. */
  alpha?: number;
  /** Dropout on the adapter's input features while training (reference 0.1). */
  dropout?: number;
  seed: number;
}

export interface LoraFactors { A: Tensor; B: Tensor }

export interface Lora<P extends Tree> {
  /** The trainable tree: one {A, B} per target, in target order. A starts random, B at zero. */
  readonly factors: LoraFactors[];
  readonly targets: readonly string[];
  readonly rank: number;
  readonly scale: number;
  /**
   * The base tree with every target W replaced by W + (α/r)·A·B, differentiable in the factors. With `training`
   * and a generator, dropout zeroes input features of the adapter (rows of A) for this call.
   */
  merge(factors: LoraFactors[], options?: { training?: boolean; rng?: Rng }): P;
}

/**
 * LoRA (Hu et al. 2022, eq. 3): a linear W (d_in × d_out) becomes W + (α/r)·A·B with A (d_in × r) Gaussian
 * (std 1/√d_in) and B (r × d_out) zero, so training starts at the base model. The base stays frozen; only the
 * factors are trainable, and SubLoRA is `subspace(lora.factors, …)` over them.
 */
export function lora<P extends Tree>(base: P, options: LoraOptions): Lora<P> {
  const rank = options.rank ?? 4, alpha = options.alpha ?? 32, p = options.dropout ?? 0.1;
  if (!Number.isInteger(rank) || rank < 1) throw new ArgumentError(`lora: rank must be a positive integer, got ${rank}`);
  if (!(Number.isFinite(alpha) && alpha > 0)) throw new ArgumentError(`lora: alpha must be a positive number, got ${alpha}`);
  if (!(p >= 0 && p < 1)) throw new ArgumentError(`lora: dropout must be in [0, 1), got ${p}`);
  const all = leaves(base);
  const want = options.targets;
  const idx = all.map((l, i) => ((typeof want === 'function' ? want(l.path, l.value) : want.includes(l.path)) ? i : -1)).filter((i) => i >= 0);
  if (Array.isArray(want)) for (const t of want) if (!all.some((l) => l.path === t)) throw new ArgumentError(`lora: target '${t}' is not a parameter path (e.g. ${all.slice(0, 4).map((l) => l.path).join(', ')})`);
  if (idx.length === 0) throw new ArgumentError('lora: targets matched no parameter');
  const rngs = new Rng(options.seed).split(idx.length);
  const factors = idx.map((li, q) => {
    const w = all[li]!.value;
    if (w.ndim !== 2) throw new ArgumentError(`lora: target ${all[li]!.path} has shape [${w.shape.join(', ')}]; LoRA adapts 2-D weights only`);
    const [din, dout] = w.shape as [number, number];
    const dtype = w.dtype === 'float64' ? 'float64' : 'float32';
    return { A: rngs[q]!.normal([din, rank], { std: 1 / Math.sqrt(din), dtype }), B: new Tensor(dtype === 'float32' ? new Float32Array(rank * dout) : new Float64Array(rank * dout), [rank, dout]) };
  });
  const scale = alpha / rank;
  return {
    factors, rank, scale, targets: idx.map((i) => all[i]!.path),
    merge(fs, o = {}) {
      if (!Array.isArray(fs) || fs.length !== idx.length) throw new ArgumentError(`lora.merge: expected ${idx.length} factor pairs, got ${Array.isArray(fs) ? fs.length : typeof fs}`);
      const values = all.map((l) => l.value);
      idx.forEach((li, q) => {
        let A = fs[q]!.A;
        if (o.training && p > 0) {
          if (!o.rng) throw new ArgumentError('lora.merge: training with dropout needs an rng');
          const mask = new Float64Array(A.shape[0]!);
          for (let i = 0; i < mask.length; i++) mask[i] = o.rng.random() >= p ? 1 / (1 - p) : 0;
          const m = new Tensor(A.dtype === 'float32' ? Float32Array.from(mask) : mask, [A.shape[0]!, 1]);
          A = mul(A, m);
        }
        values[li] = add(values[li]!, mul(matmul(A, fs[q]!.B), scale));
      });
      return unflatten(base, values);
    },
  };
}
