import {
  Tensor, add, sub, mul, div, neg, cos, sin, sign, log, pow, gt, lt, eq, where, astype, sum, reshape, permute,
  broadcastTo, matmul, take, indexAdd, slice, transpose, sameShape, zeros, cumsum, scalarLike, exp, tanh, geluGrad, siluGrad, sigmoid,
} from '../core/index.ts';

/**
 * The reverse-mode rule table: one entry per core primitive, mapping the output cotangent `g` to one cotangent per
 * input (null where the input is not differentiable or not needed). Rules are written with the same differentiable
 * ops, so running a backward pass under another tape differentiates it again (higher order, jvp by double-vjp).
 */
export interface RuleArgs {
  g: Tensor;
  inputs: readonly Tensor[];
  out: Tensor;
  params: Readonly<Record<string, unknown>>;
  /** needs[i]: whether input i requires a cotangent (skip work otherwise). */
  needs: readonly boolean[];
}
export type VjpRule = (a: RuleArgs) => (Tensor | null)[];

/** Sums `g` down to `shape`, undoing broadcasting. */
export function sumTo(g: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.ndim; i++) if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  return reshape(sum(g, axes, true), shape);
}

const unaryRule = (f: (g: Tensor, x: Tensor, out: Tensor) => Tensor): VjpRule => ({ g, inputs, out }) => [f(g, inputs[0]!, out)];

export const VJP: Record<string, VjpRule> = {
  copy: ({ g }) => [g],
  reshape: ({ g, inputs }) => [reshape(g, inputs[0]!.shape)],
  permute: ({ g, params }) => {
    const axes = params.axes as number[];
    return [permute(g, axes.map((_, i) => axes.indexOf(i)))];
  },
  expand: ({ g, inputs }) => [sumTo(g, inputs[0]!.shape)],
  slice: ({ g, inputs, params }) => {
    // Undo the slice axis by axis with indexAdd (the adjoint of take), restoring dropped axes first.
    const x = inputs[0]!;
    const starts = params.starts as number[], steps = params.steps as number[], dropped = params.dropped as boolean[];
    let j = 0;
    let t = reshape(g, x.shape.map((_, i) => (dropped[i] ? 1 : g.shape[j++]!)));
    for (let i = 0; i < x.ndim; i++) {
      const n = t.shape[i]!;
      if (n === x.shape[i] && steps[i] === 1) continue;
      const idx = Int32Array.from({ length: n }, (_, k) => starts[i]! + k * steps[i]!);
      const shape = [...t.shape];
      shape[i] = x.shape[i]!;
      t = indexAdd(shape, t, idx, i);
    }
    return [t];
  },
  concat: ({ g, params }) => {
    const axis = params.axis as number, sizes = params.sizes as number[];
    let start = 0;
    return sizes.map((s) => {
      const spec = g.shape.map(() => null as null | [number, number]);
      spec[axis] = [start, start + s];
      start += s;
      return slice(g, spec);
    });
  },
  take: ({ g, inputs, params }) => [indexAdd(inputs[0]!.shape, g, params.indices as Tensor, params.axis as number)],
  indexAdd: ({ g, params }) => [take(g, params.indices as Tensor, params.axis as number)],
  astype: ({ g, inputs }) => [astype(g, inputs[0]!.dtype)],

  neg: unaryRule((g) => neg(g)),
  exp: unaryRule((g, _x, out) => mul(g, out)),
  log: unaryRule((g, x) => div(g, x)),
  log1p: unaryRule((g, x) => div(g, add(x, 1))),
  expm1: unaryRule((g, _x, out) => mul(g, add(out, 1))),
  sin: unaryRule((g, x) => mul(g, cos(x))),
  cos: unaryRule((g, x) => neg(mul(g, sin(x)))),
  tanh: unaryRule((g, _x, out) => mul(g, sub(1, mul(out, out)))),
  sqrt: unaryRule((g, _x, out) => div(g, mul(out, 2))),
  abs: unaryRule((g, x) => mul(g, sign(x))),
  sign: () => [null],
  floor: () => [null],
  sigmoid: unaryRule((g, _x, out) => mul(g, mul(out, sub(1, out)))),
  reciprocal: unaryRule((g, _x, out) => neg(mul(g, mul(out, out)))),
  gelu: unaryRule((g, x) => mul(g, geluGrad(x))),
  silu: unaryRule((g, x) => mul(g, siluGrad(x))),
  // silu'' = s(1 − s)(2 + x(1 − 2s)) with s = σ(x), from derived ops (rarely needed).
  siluGrad: unaryRule((g, x) => {
    const s = sigmoid(x);
    return mul(g, mul(mul(s, sub(1, s)), add(mul(x, sub(1, mul(s, 2))), 2)));
  }),
  // gelu'' from derived ops (rarely needed, so kept simple): with u = c(x + kx³), t = tanh u, u' = c(1 + 3kx²),
  // u'' = 6ckx: gelu'' = (1 − t²)u' − x·t(1 − t²)u'² + ½x(1 − t²)u''.
  geluGrad: unaryRule((g, x) => {
    const c = 0.7978845608028654, k = 0.044715;
    const x2 = mul(x, x);
    const t = tanh(mul(add(x, mul(mul(x2, x), k)), c));
    const s = sub(1, mul(t, t));
    const du = mul(add(mul(x2, 3 * k), 1), c);
    const d2 = add(sub(mul(s, du), mul(mul(mul(x, t), s), mul(du, du))), mul(mul(mul(x, s), x), 3 * c * k));
    return mul(g, d2);
  }),

  add: ({ g, inputs, needs }) => [needs[0] ? sumTo(g, inputs[0]!.shape) : null, needs[1] ? sumTo(g, inputs[1]!.shape) : null],
  sub: ({ g, inputs, needs }) => [needs[0] ? sumTo(g, inputs[0]!.shape) : null, needs[1] ? sumTo(neg(g), inputs[1]!.shape) : null],
  mul: ({ g, inputs: [a, b], needs }) => [needs[0] ? sumTo(mul(g, b!), a!.shape) : null, needs[1] ? sumTo(mul(g, a!), b!.shape) : null],
  div: ({ g, inputs: [a, b], out, needs }) => [
    needs[0] ? sumTo(div(g, b!), a!.shape) : null,
    needs[1] ? sumTo(neg(div(mul(g, out), b!)), b!.shape) : null,
  ],
  pow: ({ g, inputs: [a, b], out, needs }) => [
    needs[0] ? sumTo(mul(g, mul(b!, pow(a!, sub(b!, 1)))), a!.shape) : null,
    needs[1] ? sumTo(mul(g, mul(out, log(a!))), b!.shape) : null,
  ],
  // Ties send the whole cotangent to the second operand, so relu = maximum(x, 0) has gradient 0 at x = 0.
  maximum: ({ g, inputs: [a, b], needs }) => {
    const m = gt(a!, b!);
    return [needs[0] ? sumTo(mul(g, m), a!.shape) : null, needs[1] ? sumTo(mul(g, sub(1, m)), b!.shape) : null];
  },
  minimum: ({ g, inputs: [a, b], needs }) => {
    const m = lt(a!, b!);
    return [needs[0] ? sumTo(mul(g, m), a!.shape) : null, needs[1] ? sumTo(mul(g, sub(1, m)), b!.shape) : null];
  },
  eq: () => [null, null], ne: () => [null, null], lt: () => [null, null],
  le: () => [null, null], gt: () => [null, null], ge: () => [null, null],
  where: ({ g, inputs: [c, a, b], needs }) => {
    const z = scalarLike(0, g.dtype);
    return [null, needs[1] ? sumTo(where(c!, g, z), a!.shape) : null, needs[2] ? sumTo(where(c!, z, g), b!.shape) : null];
  },

  sum: ({ g, inputs, params }) => {
    const x = inputs[0]!;
    const axes = params.axes as number[];
    const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
    return [broadcastTo(reshape(g, kept), x.shape)];
  },
  max: ({ g, inputs, out, params }) => {
    // The cotangent is shared equally among tied maxima.
    const x = inputs[0]!;
    const axes = params.axes as number[];
    const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
    const mask = eq(x, reshape(out, kept));
    return [mul(div(reshape(g, kept), sum(mask, axes, true)), mask)];
  },
  logsumexp: ({ g, inputs, out, params }) => {
    // ∂/∂x log Σ exp x = softmax(x) = exp(x − out), out broadcast back along the reduced axis.
    const x = inputs[0]!;
    const axis = params.axis as number;
    const kept = x.shape.map((d, i) => (i === axis ? 1 : d));
    return [mul(reshape(g, kept), exp(sub(x, reshape(out, kept))))];
  },
  logSoftmax: ({ g, out, params }) => {
    const axis = params.axis as number;
    return [sub(g, mul(exp(out), sum(g, axis, true)))];
  },
  cumsum: ({ g, params }) => {
    const axis = params.axis as number;
    // Reverse cumulative sum: Σ_{j ≥ i} g_j = total − cumsum(g)_i + g_i.
    return [add(sub(sum(g, axis, true), cumsum(g, axis)), g)];
  },
  matmul: ({ g, inputs: [a, b], needs }) => [
    needs[0] ? sumTo(matmul(g, transpose(b!)), a!.shape) : null,
    needs[1] ? sumTo(matmul(transpose(a!), g), b!.shape) : null,
  ],
  custom: ({ g, params }) => (params.bwd as (res: unknown, g: Tensor) => (Tensor | null)[])(params.residuals, g),
};

/** Zero cotangent of the right shape and dtype (for inputs that received none). */
export function zeroCotangent(x: Tensor): Tensor {
  return zeros(x.shape, x.dtype);
}
