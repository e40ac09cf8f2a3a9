/**
 * Gradients through solve and logdet as explicit rules on the autodiff tape (spec §3.5): no iteration is
 * differentiated, memory is O(n·k). The operator is rebuilt from its parameter tensors by `build`, and its
 * `vjpParams(X, Y) = ∂⟨Y, A·X⟩/∂θ` carries every rule.
 *   solve x = A⁻¹b:  λ = A⁻ᵀ·x̄,  b̄ = λ,  θ̄ = −vjpParams(x, λ)
 *   logdet:          θ̄ = ḡ·vjpParams(I, A⁻ᵀ) (dense)  or  ḡ·(1/s)Σ vjpParams(z, A⁻ᵀz) (Rademacher probes, unbiased)
 */
import { Tensor, Rng, ArgumentError, ShapeError } from '../core/index.ts';
import { customVjp } from '../autodiff/index.ts';
import type { LinearOperator } from './operator.ts';
import { eyeMat, type FloatArray, type Mat } from './mat.ts';
import { Auto, type Algorithm } from './algorithms/config.ts';
import { inv, solve } from './ops/inv.ts';
import { logdet } from './ops/logdet.ts';
import { rademacher } from './algorithms/probes.ts';

export type Build = (params: FloatArray[]) => LinearOperator;

function paramsOf(A: LinearOperator, op: string): void {
  if (!A.vjpParams) throw new ArgumentError(`${op}: ${A.toString()} has no vjpParams, so its parameters cannot be differentiated`);
}
function toTensors(gs: FloatArray[], like: Tensor[], scale: number): Tensor[] {
  return gs.map((g, i) => {
    const t = like[i]!;
    if (g.length !== t.size) throw new ShapeError(`linalg gradient: parameter ${i} has ${t.size} entries but its gradient ${g.length}`);
    const d = t.dtype === 'float32' ? new Float32Array(g.length) : new Float64Array(g.length);
    for (let j = 0; j < g.length; j++) d[j] = scale * g[j]!;
    return new Tensor(d, [...t.shape]);
  });
}
const data = (t: Tensor): FloatArray => t.contiguous().values() as FloatArray;

/** x = A(θ)⁻¹·b, differentiable in θ (the parameter tensors) and b. b: shape [n] or [n, k] (row-major). */
export function solveAD(build: Build, params: Tensor[], b: Tensor, alg: Algorithm = Auto()): Tensor {
  const f = customVjp(
    (...inputs: Tensor[]) => {
      const ps = inputs.slice(0, -1), bt = inputs[inputs.length - 1]!;
      const A = build(ps.map(data));
      paramsOf(A, 'solveAD');
      const B = colMajor(bt);
      const X = solve(A, B, alg);
      return { out: rowMajorTensor(X, bt), residuals: { A, X, ps } };
    },
    (r, g) => {
      const G = colMajor(g);
      const lam = inv(r.A, alg).rmatmat(G); // λ = A⁻ᵀ·x̄
      return [...toTensors(r.A.vjpParams!(r.X, lam), r.ps, -1), rowMajorTensor(lam, g)];
    },
  );
  return f(...params, b);
}

/** log|det A(θ)|, differentiable in θ. `probes` > 0 uses the stochastic estimator of tr(A⁻¹∂A) with that many probes. */
export function logdetAD(build: Build, params: Tensor[], opts: { probes?: number; seed?: number; alg?: Algorithm } = {}): Tensor {
  const f = customVjp(
    (...ps: Tensor[]) => {
      const A = build(ps.map(data));
      paramsOf(A, 'logdetAD');
      const v = logdet(A, opts.alg ? { logAlg: opts.alg } : {});
      return { out: new Tensor(new Float64Array([v]), []), residuals: { A, ps } };
    },
    (r, g) => {
      const gbar = g.item(), A = r.A, n = A.rows;
      let X: Mat, Y: Mat, scale = gbar;
      if (opts.probes && opts.probes > 0) {
        X = rademacher(new Rng(opts.seed ?? 0), n, opts.probes);
        Y = inv(A, opts.alg ?? Auto()).rmatmat(X);
        scale = gbar / opts.probes;
      } else {
        X = eyeMat(n);
        Y = inv(A, opts.alg ?? Auto()).rmatmat(X);
      }
      return toTensors(A.vjpParams!(X, Y), r.ps, scale);
    },
  );
  return f(...params);
}

function colMajor(t: Tensor): Mat {
  const v = data(t);
  if (t.shape.length === 1) return { rows: t.shape[0]!, cols: 1, data: Float64Array.from(v) };
  if (t.shape.length !== 2) throw new ShapeError(`solveAD: b must have shape [n] or [n, k], got [${t.shape.join(', ')}]`);
  const [n, k] = t.shape as [number, number], out = new Float64Array(n * k);
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) out[j * n + i] = v[i * k + j]!;
  return { rows: n, cols: k, data: out };
}
function rowMajorTensor(X: Mat, like: Tensor): Tensor {
  const out = like.dtype === 'float32' ? new Float32Array(X.rows * X.cols) : new Float64Array(X.rows * X.cols);
  for (let i = 0; i < X.rows; i++) for (let j = 0; j < X.cols; j++) out[i * X.cols + j] = X.data[j * X.rows + i]!;
  return new Tensor(out, [...like.shape]);
}
