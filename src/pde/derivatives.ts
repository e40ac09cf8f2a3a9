/**
 * Everything Neural IVP needs from the network at a batch of points, from strata/autodiff:
 * - spatial derivatives ∇ₓu_k and ∂²u_k/∂x_i² (spec §2.1: exact, not finite differences). Rows of the batch are
 *   independent, so one pullback of Σ_points u with a ones cotangent gives every point's gradient; the recorded
 *   gradient pulled back once per coordinate (a one-hot column cotangent) gives the Hessian diagonals;
 * - the per-point parameter Jacobian J (N × p per component), by one pullback of the whole batch output through
 *   tracked zero perturbations of every pre-activation (they give each point's back-propagated deltas δ_l) and the
 *   per-layer outer products ∂u/∂W_l = h_{l−1}·δ_lᵀ, ∂u/∂b_l = δ_l (spec §2.1, "batched per-example
 *   back-propagation"). Building J once per dynamics evaluation replaces a double-vjp JVP per CG iteration.
 */
import { Tensor, ones, zeros } from '../core/index.ts';
import { vjp } from '../autodiff/index.ts';
import { componentForward, layout, netInputs, unpack, type NetConfig } from './net.ts';

export type DerivativeTerm = 'grad' | 'd2' | 'laplacian';
export const DERIVATIVE_TERMS: readonly DerivativeTerm[] = ['grad', 'd2', 'laplacian'];

/** Network values and spatial derivatives at N points; layouts point-major, then component, then coordinate. */
export interface SpatialEval {
  N: number;
  u: Float64Array;            // [N · nOut]
  grad: Float64Array | null;  // [N · nOut · dim], ∂u_k/∂x_i
  d2: Float64Array | null;    // [N · nOut · dim], ∂²u_k/∂x_i²
}

export function spatialEval(c: NetConfig, theta: Float64Array, X: Tensor, terms: readonly DerivativeTerm[]): SpatialEval {
  const N = X.shape[0]!, d = c.dim, K = c.nOut;
  const wantSecond = terms.includes('d2') || terms.includes('laplacian');
  const wantGrad = wantSecond || terms.includes('grad');
  const u = new Float64Array(N * K);
  const grad = wantGrad ? new Float64Array(N * K * d) : null;
  const d2 = wantSecond ? new Float64Array(N * K * d) : null;
  const params = unpack(c, theta);
  const onesN = ones([N, 1], 'float64');
  params.forEach((layers, k) => {
    const fwd = (x: Tensor) => componentForward(c, layers, netInputs(c, x));
    let uk: Tensor;
    if (!wantGrad) {
      uk = fwd(X);
    } else if (!wantSecond) {
      const r = vjp(fwd, X);
      uk = r.out;
      scatter(r.pullback(onesN).values(), grad!, N, K, d, k);
    } else {
      let inner: Tensor | null = null;
      // Outer vjp records the inner backward pass, so ∇ₓu can itself be pulled back.
      const r = vjp((x: Tensor) => { const q = vjp(fwd, x); inner = q.out; return q.pullback(onesN); }, X);
      uk = inner!;
      const g = r.out.values();
      scatter(g, grad!, N, K, d, k);
      for (let i = 0; i < d; i++) {
        const seed = zeros([N, d], 'float64');
        for (let n = 0; n < N; n++) seed.data[n * d + i] = 1;
        const h = r.pullback(seed).values();
        for (let n = 0; n < N; n++) d2![(n * K + k) * d + i] = h[n * d + i]!;
      }
    }
    const uv = uk.values();
    for (let n = 0; n < N; n++) u[n * K + k] = uv[n]!;
  });
  return { N, u, grad, d2 };
}

function scatter(src: ArrayLike<number>, dst: Float64Array, N: number, K: number, d: number, k: number): void {
  for (let n = 0; n < N; n++) for (let i = 0; i < d; i++) dst[(n * K + k) * d + i] = src[n * d + i]!;
}

/** One component's block of the Jacobian: columns offset … offset+size−1 of θ, stored column-major N × size. */
export interface JacobianBlock { component: number; offset: number; size: number; J: Float64Array }

/** Per-point Jacobians ∂u_k(x_n)/∂θ and the values u [N·nOut] at points X [N, d]. */
export function parameterJacobian(c: NetConfig, theta: Float64Array, X: Tensor): { u: Float64Array; blocks: JacobianBlock[] } {
  const N = X.shape[0]!, K = c.nOut;
  const inp = netInputs(c, X);
  const params = unpack(c, theta);
  const lay = layout(c);
  const u = new Float64Array(N * K);
  const blocks: JacobianBlock[] = [];
  params.forEach((layers, k) => {
    const comp = lay[k]!;
    const perturb = comp.layers.map((L) => zeros([N, L.fanOut], 'float64'));
    const hidden: Tensor[] = [];
    const r = vjp((ps: Tensor[]) => componentForward(c, layers, inp, ps, hidden), perturb);
    const deltas = r.pullback(ones([N, 1], 'float64'));
    const uv = r.out.values();
    for (let n = 0; n < N; n++) u[n * K + k] = uv[n]!;
    const J = new Float64Array(N * comp.size);
    comp.layers.forEach((L, l) => {
      const h = hidden[l]!.values(), del = deltas[l]!.values();
      const w0 = L.wOffset - comp.offset, b0 = L.bOffset - comp.offset;
      for (let a = 0; a < L.fanIn; a++) {
        for (let b = 0; b < L.fanOut; b++) {
          const col = (w0 + a * L.fanOut + b) * N;
          for (let n = 0; n < N; n++) J[col + n] = h[n * L.fanIn + a]! * del[n * L.fanOut + b]!;
        }
      }
      for (let b = 0; b < L.fanOut; b++) {
        const col = (b0 + b) * N;
        for (let n = 0; n < N; n++) J[col + n] = del[n * L.fanOut + b]!;
      }
    });
    blocks.push({ component: k, offset: comp.offset, size: comp.size, J });
  });
  return { u, blocks };
}
