import { Tensor, ArgumentError } from '../core/index.ts';
import type { Tree } from '../autodiff/index.ts';
import { Optimizer, type OptimizerOptions } from '../optim/index.ts';
import type { Parameterisation } from './parameterisation.ts';
import { quantize } from './quantize.ts';

export interface TrainOptions {
  steps: number;
  optimizer: OptimizerOptions;
  onProgress?: (done: number, total: number, label: string) => void;
  /**
   * Quantisation-aware fine-tuning after the main steps (spec §2.4 step 2, off by default): the forward pass uses
   * each coordinate's nearest codeword, the straight-through gradient reaches the coordinate unchanged and each
   * codeword as the sum over its members. The trained codebook is returned for `computeBound`'s `codebook`.
   */
  qat?: { steps: number; levels?: number; optimizer?: OptimizerOptions };
}

export interface TrainResult {
  losses: number[];
  /** Present when quantisation-aware training ran. */
  codebook: Float64Array | null;
}

/**
 * Trains the coordinates of a parameterisation with strata/optim. `loss(params, step)` returns the scalar
 * training loss of the model at `params` on the step's batch.
 */
export function trainCoordinates<P extends Tree>(par: Parameterisation<P>, loss: (params: P, step: number) => Tensor, options: TrainOptions): TrainResult {
  if (!Number.isInteger(options.steps) || options.steps < 0) throw new ArgumentError(`trainCoordinates: steps must be a non-negative integer, got ${options.steps}`);
  const opt = new Optimizer({ w: par.coords }, options.optimizer);
  const losses: number[] = [];
  const total = options.steps + (options.qat?.steps ?? 0);
  for (let s = 0; s < options.steps; s++) {
    const { value, grad } = par.valueAndGrad((p) => loss(p, s));
    opt.step({ w: new Tensor(grad, [par.size]) });
    losses.push(value);
    options.onProgress?.(s + 1, total, 'training');
  }
  if (!options.qat) return { losses, codebook: null };
  const q0 = quantize(par.coords.data as Float64Array, { levels: options.qat.levels ?? 11 });
  const codebook = new Tensor(Float64Array.from(q0.codebook), [q0.levels]);
  const qopt = new Optimizer({ w: par.coords, c: codebook }, options.qat.optimizer ?? options.optimizer);
  const w = par.coords.data as Float64Array, c = codebook.data as Float64Array;
  const sym = new Int32Array(par.size), what = new Float64Array(par.size);
  for (let s = 0; s < options.qat.steps; s++) {
    for (let i = 0; i < w.length; i++) {
      let best = 0, bd = Infinity;
      for (let b = 0; b < c.length; b++) { const dd = Math.abs(w[i]! - c[b]!); if (dd < bd) { bd = dd; best = b; } }
      sym[i] = best; what[i] = c[best]!;
    }
    const { value, grad } = par.valueAndGrad((p) => loss(p, options.steps + s), what);
    const gc = new Float64Array(c.length);
    for (let i = 0; i < grad.length; i++) gc[sym[i]!]! += grad[i]!;
    qopt.step({ w: new Tensor(grad, [par.size]), c: new Tensor(gc, [c.length]) });
    losses.push(value);
    options.onProgress?.(options.steps + s + 1, total, 'quantisation-aware training');
  }
  return { losses, codebook: Float64Array.from(c) };
}
