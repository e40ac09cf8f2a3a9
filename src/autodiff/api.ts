import {
  Tensor, emit, noGrad, zeros, isFloat, shapeStr, type FloatDType, ArgumentError, DTypeError, ShapeError,
} from '../core/index.ts';
import { Tape } from './tape.ts';
import { leaves, unflatten, type Tree } from './tree.ts';
import { zeroCotangent } from './rules.ts';

function trackLeaves(tape: Tape, params: unknown, op: string): Tensor[] {
  const ls = leaves(params);
  return ls.map(({ path, value }) => {
    if (!isFloat(value.dtype)) throw new DTypeError(`${op}: parameter ${path} has dtype ${value.dtype}; only float tensors can be differentiated`);
    tape.track(value);
    return value;
  });
}

function checkScalar(op: string, y: unknown): Tensor {
  if (!(y instanceof Tensor)) throw new ArgumentError(`${op}: the function must return a Tensor, got ${typeof y}`);
  if (y.size !== 1) throw new ShapeError(`${op}: the function must return a scalar (one element), got shape ${shapeStr(y.shape)}; use vjp for non-scalar outputs`);
  return y;
}

/**
 * Value and gradient of a scalar function with respect to its first argument, a parameter tree.
 * `valueAndGrad(f)(params, ...rest)` returns `{ value, grad }` with `grad` shaped like `params`; parameters on
 * which the value does not depend get zero gradients.
 */
export function valueAndGrad<P extends Tree, A extends unknown[]>(
  f: (params: P, ...rest: A) => Tensor,
): (params: P, ...rest: A) => { value: Tensor; grad: P } {
  return (params, ...rest) => {
    const tape = new Tape();
    const xs = trackLeaves(tape, params, 'valueAndGrad');
    tape.start();
    let y: Tensor;
    try {
      y = checkScalar('valueAndGrad', f(params, ...rest));
    } finally {
      tape.stop();
    }
    const gs = tape.backward(y, Tape.seedFor(y), xs);
    return { value: y, grad: unflatten(params, gs.map((g, i) => g ?? zeroCotangent(xs[i]!))) };
  };
}

/** Gradient of a scalar function with respect to its first argument (a parameter tree). */
export function grad<P extends Tree, A extends unknown[]>(f: (params: P, ...rest: A) => Tensor): (params: P, ...rest: A) => P {
  const vg = valueAndGrad(f);
  return (params, ...rest) => vg(params, ...rest).grad;
}

/**
 * Reverse mode for any output shape: returns the output and a function mapping an output cotangent to the
 * cotangents of the primals (a tree shaped like `primals`). The pullback may be called several times.
 */
export function vjp<P extends Tree>(f: (primals: P) => Tensor, primals: P): { out: Tensor; pullback: (cotangent: Tensor) => P } {
  const tape = new Tape();
  const xs = trackLeaves(tape, primals, 'vjp');
  tape.start();
  let y: Tensor;
  try {
    y = f(primals);
    if (!(y instanceof Tensor)) throw new ArgumentError(`vjp: the function must return a Tensor, got ${typeof y}`);
  } finally {
    tape.stop();
  }
  const out = y;
  return {
    out,
    pullback: (ct: Tensor) => {
      if (ct.dtype !== out.dtype) throw new DTypeError(`vjp: cotangent dtype ${ct.dtype} differs from the output's ${out.dtype}`);
      const gs = tape.backward(out, ct, xs);
      return unflatten(primals, gs.map((g, i) => g ?? zeroCotangent(xs[i]!)));
    },
  };
}

/**
 * Forward mode: the output of `f` at `primals` and its directional derivative along `tangents` (J·v), computed by
 * differentiating the (linear) pullback once more — the double-vjp construction.
 */
export function jvp<P extends Tree>(f: (primals: P) => Tensor, primals: P, tangents: P): { out: Tensor; tangent: Tensor } {
  const tLeaves = leaves(tangents);
  const pLeaves = leaves(primals);
  if (tLeaves.length !== pLeaves.length) throw new ArgumentError(`jvp: tangents have ${tLeaves.length} leaves, primals ${pLeaves.length}`);
  pLeaves.forEach((p, i) => {
    const t = tLeaves[i]!.value;
    if (t.dtype !== p.value.dtype || t.shape.join() !== p.value.shape.join()) {
      throw new ShapeError(`jvp: tangent ${tLeaves[i]!.path} is ${t.dtype} ${shapeStr(t.shape)}, primal is ${p.value.dtype} ${shapeStr(p.value.shape)}`);
    }
  });
  const { out, pullback } = vjp(f, primals);
  const u = zeros(out.shape, out.dtype);
  // J v = d/du <Jᵀu, v>: pull back a tracked dummy cotangent u, then differentiate against v.
  const outer = new Tape();
  outer.track(u);
  outer.start();
  let inner: Tensor;
  try {
    const gx = leaves(pullback(u)).map((l) => l.value);
    let acc: Tensor | null = null;
    for (let i = 0; i < gx.length; i++) {
      const term = gx[i]!.mul(tLeaves[i]!.value).sum();
      acc = acc ? acc.add(term) : term;
    }
    inner = acc ?? zeros([], out.dtype);
  } finally {
    outer.stop();
  }
  const [t] = outer.backward(inner, Tape.seedFor(inner), [u]);
  return { out, tangent: t ?? zeros(out.shape, out.dtype) };
}

/**
 * A function with its own reverse-mode rule (JAX's custom_vjp shape): `forward(...inputs)` returns the output and
 * residuals saved for the backward pass; `backward(residuals, g)` returns one cotangent per input (null for inputs
 * without one). The forward computation is not recorded, so it may use iterative algorithms freely.
 */
export function customVjp<R>(
  forward: (...inputs: Tensor[]) => { out: Tensor; residuals: R },
  backward: (residuals: R, g: Tensor) => (Tensor | null)[],
): (...inputs: Tensor[]) => Tensor {
  return (...inputs) => {
    const { out, residuals } = noGrad(() => forward(...inputs));
    // Fresh tensor object, so the recorded output is never one of the inputs.
    const y = new Tensor(out.data, out.shape, out.strides, out.offset);
    return emit('custom', inputs, y, { residuals, bwd: backward });
  };
}

/** The same values, cut off from differentiation. */
export function stopGradient(x: Tensor): Tensor {
  return new Tensor(x.data, x.shape, x.strides, x.offset);
}

export interface GradCheckResult {
  maxRelError: number;
  analytic: number;
  numeric: number;
}

/**
 * Compares the reverse-mode directional derivative of a scalar `f` at `params` along a random direction with a
 * central finite difference (step `eps`), in float64. Returns the relative error |a − n| / max(|a|, |n|, 1e-12).
 */
export function checkGrad<P extends Tree>(f: (params: P) => Tensor, params: P, opts: { eps?: number; seed?: number; dtype?: FloatDType } = {}): GradCheckResult {
  const eps = opts.eps ?? 1e-6;
  let s = (opts.seed ?? 1) >>> 0 || 1;
  const rand = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32 - 0.5; };
  const ls = leaves(params);
  const dirs = ls.map(({ value }) => {
    const d = zeros(value.shape, value.dtype);
    for (let i = 0; i < d.size; i++) d.data[i] = rand();
    return d;
  });
  const { grad: g } = valueAndGrad(f)(params);
  const gl = leaves(g);
  let analytic = 0;
  gl.forEach((l, i) => { analytic += l.value.mul(dirs[i]!).sum().item(); });
  const shifted = (sign: number) => unflatten(params, ls.map(({ value }, i) => value.add(dirs[i]!.mul(sign * eps))));
  const numeric = noGrad(() => (f(shifted(1)).item() - f(shifted(-1)).item()) / (2 * eps));
  const maxRelError = Math.abs(analytic - numeric) / Math.max(Math.abs(analytic), Math.abs(numeric), 1e-12);
  return { maxRelError, analytic, numeric };
}
