/**
 * The lazy algebra: dot, add, mul, transpose, kron, kronsum, blockDiag, concatenate, slicing. Each combinator
 * simplifies where the algebra is exact (flattening, Identity absorption, scalar folding, Diagonal⊗Diagonal) and
 * otherwise builds the composite operator.
 */
import { ArgumentError, ShapeError } from '../core/index.ts';
import { installAlgebra, LinearOperator, normIndex } from './operator.ts';
import { alloc, transposeMat, type LinalgDType, type Mat } from './mat.ts';
import { Dense, Triangular, lazify } from './operators/dense.ts';
import { Diagonal, Identity, ScalarMul } from './operators/diagonal.ts';
import { Product, Sum, Transpose } from './operators/composite.ts';
import { Kronecker, KronSum } from './operators/kronecker.ts';
import { Block, BlockDiag, Concatenated, LowRank, Sliced } from './operators/blocks.ts';
import { Permutation } from './operators/special.ts';
import { Sparse } from './operators/sparse.ts';
import { FunctionOperator } from './operators/function.ts';

export function dot(a: LinearOperator, b: LinearOperator): LinearOperator {
  if (a.shape[1] !== b.shape[0]) throw new ShapeError(`dot: ${a.toString()} is ${a.shape[0]}×${a.shape[1]}, ${b.toString()} is ${b.shape[0]}×${b.shape[1]}; inner sizes must match`);
  const flat: LinearOperator[] = [];
  for (const f of [a, b]) {
    if (f instanceof Product && f.annotations.size === 0) flat.push(...f.factors);
    else flat.push(f);
  }
  let c = 1;
  const rest: LinearOperator[] = [];
  for (const f of flat) {
    if (f instanceof ScalarMul) c *= f.c;
    else if (f instanceof Identity) continue;
    else rest.push(f);
  }
  if (rest.length === 0) return c === 1 ? new Identity(a.shape[0], promoteD(a, b)) : new ScalarMul(c, a.shape[0], promoteD(a, b));
  if (c !== 1) rest.unshift(new ScalarMul(c, rest[0]!.shape[0], promoteD(a, b)));
  return rest.length === 1 ? rest[0]! : new Product(rest);
}

function promoteD(a: LinearOperator, b: LinearOperator): LinalgDType {
  return a.dtype === 'float64' || b.dtype === 'float64' ? 'float64' : 'float32';
}

export function add(a: LinearOperator, b: LinearOperator): LinearOperator {
  const terms: LinearOperator[] = [];
  for (const t of [a, b]) {
    if (t instanceof Sum && t.annotations.size === 0) terms.push(...t.terms);
    else terms.push(t);
  }
  return new Sum(terms);
}

/** c·A with scalar folding; c = 1 returns A. */
export function mul(A: LinearOperator, c: number): LinearOperator {
  if (!Number.isFinite(c)) throw new ArgumentError(`scale: c must be finite, got ${c}`);
  if (c === 1) return A;
  if (A instanceof ScalarMul) return new ScalarMul(c * A.c, A.rows, A.dtype);
  if (A instanceof Product && A.factors[0] instanceof ScalarMul) {
    const c2 = c * A.factors[0].c;
    const rest = A.factors.slice(1);
    if (c2 === 1) return rest.length === 1 ? rest[0]! : new Product(rest);
    return new Product([new ScalarMul(c2, A.rows, A.dtype), ...rest]);
  }
  return new Product([new ScalarMul(c, A.rows, A.dtype), A]);
}

export function transpose(A: LinearOperator): LinearOperator {
  if (A instanceof Transpose) return A.base;
  if (A instanceof FunctionOperator && !A.hasTranspose) {
    throw new ArgumentError(`transpose: ${A.toString()} was built without rmatmat; pass rmatmat to fromFunction or assert SelfAdjoint(A)`);
  }
  if (A.isa('SelfAdjoint')) return A;
  if (A instanceof Triangular) return new Triangular(transposeMat(A.A), !A.lower);
  if (A instanceof Sparse) return A.transposeCSR();
  if (A instanceof Kronecker) return new Kronecker(A.factors.map(transpose));
  if (A instanceof KronSum) return new KronSum(A.factors.map(transpose));
  if (A instanceof BlockDiag) return new BlockDiag(A.blocks.map(transpose), A.multiplicities);
  if (A instanceof Product) return new Product(A.factors.map(transpose).reverse());
  if (A instanceof Permutation) return new Permutation(A.inverse, A.dtype);
  return new Transpose(A);
}

export function slice(A: LinearOperator, rows: Int32Array | null, cols: Int32Array | null): LinearOperator {
  const all = (n: number) => Int32Array.from({ length: n }, (_, i) => i);
  return new Sliced(A, rows ?? all(A.shape[0]), cols ?? all(A.shape[1]));
}

installAlgebra({ dot, add, mul, transpose, slice });

/** M₁⊗…⊗M_k, flattened; Diagonal⊗Diagonal is a Diagonal and Identity⊗Identity an Identity. */
export function kron(...ops: LinearOperator[]): LinearOperator {
  if (ops.length === 0) throw new ArgumentError('kron: needs at least one operator');
  const flat = ops.flatMap((o) => (o instanceof Kronecker && o.annotations.size === new Kronecker(o.factors).annotations.size ? [...o.factors] : [o]));
  if (flat.length === 1) return flat[0]!;
  if (flat.every((f) => f instanceof Identity)) return new Identity(flat.reduce((p, f) => p * f.rows, 1), flat.reduce<LinalgDType>((d, f) => (f.dtype === 'float64' ? 'float64' : d), 'float32'));
  if (flat.every((f) => f instanceof Diagonal || f instanceof Identity || f instanceof ScalarMul)) {
    let d: number[] = [1];
    for (const f of flat) {
      const fd = f instanceof Diagonal ? Array.from(f.d) : new Array<number>(f.rows).fill(f instanceof ScalarMul ? f.c : 1);
      const next: number[] = [];
      for (const x of d) for (const y of fd) next.push(x * y);
      d = next;
    }
    const dt = flat.some((f) => f.dtype === 'float64') ? 'float64' : 'float32';
    return new Diagonal(dt === 'float64' ? Float64Array.from(d) : Float32Array.from(d));
  }
  return new Kronecker(flat);
}

export function kronsum(...ops: LinearOperator[]): LinearOperator {
  if (ops.length === 0) throw new ArgumentError('kronsum: needs at least one operator');
  const flat = ops.flatMap((o) => (o instanceof KronSum ? [...o.factors] : [o]));
  return flat.length === 1 ? flat[0]! : new KronSum(flat);
}

export function blockDiag(blocks: LinearOperator[], multiplicities?: number[]): LinearOperator {
  return new BlockDiag(blocks, multiplicities);
}

export function block(blocks: [[LinearOperator, LinearOperator | null], [LinearOperator | null, LinearOperator]]): Block {
  return new Block(blocks);
}

export function lowRank(U: LinearOperator | Mat, C?: LinearOperator | Mat | null, V?: LinearOperator | Mat | null): LowRank {
  return new LowRank(U, C, V);
}

/** Stacks operators vertically (axis 0) or horizontally (axis 1). */
export function concatenate(ops: LinearOperator[], axis: 0 | 1 = 0): LinearOperator {
  return ops.length === 1 ? ops[0]! : new Concatenated(ops, axis);
}

export function identity(n: number, dtype: LinalgDType = 'float64'): Identity { return new Identity(n, dtype); }
export function diagonal(d: ArrayLike<number>, dtype: LinalgDType = 'float64'): Diagonal {
  const arr = alloc(dtype, d.length); for (let i = 0; i < d.length; i++) arr[i] = d[i]!;
  return new Diagonal(arr);
}
export function dense(rows: readonly (readonly number[])[], dtype: LinalgDType = 'float64'): Dense { return lazify(rows, dtype); }
export { lazify, normIndex };
