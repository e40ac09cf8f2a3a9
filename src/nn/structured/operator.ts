import { Tensor, zeros, noGrad } from '../../core/index.ts';
import { vjp } from '../../autodiff/index.ts';
import { FunctionOperator, dot, kron, lazify, fromRowMajor, mat as makeMat, type LinearOperator, type Mat } from '../../linalg/index.ts';
import type { StructuredLayer, StructuredParams } from './layer.ts';
import { btt } from './btt.ts';

/**
 * The layer's weight W (the (dIn, dOut) matrix of y = x·W, the same matrix as `toDense`) as a lazy `linalg`
 * LinearOperator: Dense for dense, a Product U·V for low-rank, a Kronecker A1 ⊗ A2 for Kronecker, and for the other
 * structures a matrix-free operator whose products run the layer's own batched-matmul kernels
 * (Wᵀ·Y = the forward pass on Yᵀ; W·X = its pullback). BTT-MoE's weight depends on the input through the gates; its
 * operator is the underlying rank-E BTT (all gates 1), like its `toDense`.
 */
export function asOperator(layer: StructuredLayer, p: StructuredParams): LinearOperator {
  const dtype = p[layer.factors[0]!.name]!.dtype === 'float32' ? 'float32' : 'float64';
  const mat = (name: string, rows: number, cols: number) => lazify(fromRowMajor(p[name]!.values(), rows, cols, dtype));
  if (layer.kind === 'dense') return mat('w', layer.dIn, layer.dOut);
  if (layer.kind === 'low-rank') {
    const r = layer.factors[0]!.shape[1]!;
    return dot(mat('U', layer.dIn, r), mat('V', r, layer.dOut));
  }
  if (layer.kind === 'kronecker') {
    const a1 = layer.factors[0]!.shape, a2 = layer.factors[1]!.shape;
    return kron(mat('A1', a1[0]!, a1[1]!), mat('A2', a2[0]!, a2[1]!));
  }
  const inner = layer.kind === 'btt-moe' ? btt(layer.dIn, layer.dOut, { rank: (layer as unknown as { experts: number }).experts, bias: false }) : layer;
  const params: StructuredParams = { ...p, ...(inner.bias ? { b: zeros([layer.dOut], dtype) } : {}) };
  delete (params as Record<string, unknown>).Wg;
  if (!inner.bias) delete (params as Record<string, unknown>).b;
  const rowsOf = (M: Mat) => {
    // Column-major (n × k) block → row-major (k, n) tensor of k row vectors.
    const out = new (dtype === 'float32' ? Float32Array : Float64Array)(M.rows * M.cols);
    for (let j = 0; j < M.cols; j++) for (let i = 0; i < M.rows; i++) out[j * M.rows + i] = M.data[j * M.rows + i]!;
    return new Tensor(out, [M.cols, M.rows]);
  };
  const toMat = (t: Tensor): Mat => {
    const [k, n] = t.shape as [number, number];
    const v = t.values();
    const data = new (dtype === 'float32' ? Float32Array : Float64Array)(k * n);
    for (let j = 0; j < k; j++) for (let i = 0; i < n; i++) data[j * n + i] = v[j * n + i]!;
    return makeMat(n, k, data);
  };
  const forward = (Y: Mat) => toMat(noGrad(() => inner.apply(params, rowsOf(Y))));
  const pullback = (X: Mat) => {
    const g = rowsOf(X);
    const z = zeros([g.shape[0]!, layer.dIn], dtype);
    const { pullback: pb } = vjp((x: Tensor) => inner.apply(params, x), z);
    return toMat(pb(g));
  };
  return new FunctionOperator([layer.dIn, layer.dOut], pullback, forward, [], dtype, layer.kind);
}
