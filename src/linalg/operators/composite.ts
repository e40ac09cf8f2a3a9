/**
 * Composite operators: Sum, Product, Transpose. Annotation inference is sound — it may miss a true fact but never
 * asserts a false one (spec §2.2).
 */
import { ShapeError } from '../../core/index.ts';
import { type Annotation, intersect } from '../annotations.ts';
import { LinearOperator } from '../operator.ts';
import { alloc, dtypeOfArray, promote, type LinalgDType, type Mat } from '../mat.ts';
import { ScalarMul, fmtNum } from './diagonal.ts';

export function promoteAll(ops: readonly LinearOperator[]): LinalgDType {
  return ops.reduce<LinalgDType>((d, o) => promote(d, o.dtype), 'float32');
}

export function addInto(acc: Mat, y: Mat): Mat {
  if (dtypeOfArray(acc.data) !== dtypeOfArray(y.data) && dtypeOfArray(y.data) === 'float64') {
    const d = Float64Array.from(acc.data);
    for (let i = 0; i < d.length; i++) d[i] = d[i]! + y.data[i]!;
    return { rows: acc.rows, cols: acc.cols, data: d };
  }
  const a = acc.data, b = y.data;
  for (let i = 0; i < a.length; i++) a[i] = a[i]! + b[i]!;
  return acc;
}

/** Σ Mᵢ. Equal shapes; annotations ∩ of the terms without Unitary/Stiefel. */
export class Sum extends LinearOperator {
  readonly terms: readonly LinearOperator[];
  constructor(terms: readonly LinearOperator[]) {
    if (terms.length === 0) throw new ShapeError('Sum: needs at least one term');
    const [m, n] = terms[0]!.shape;
    terms.forEach((t, i) => {
      if (t.shape[0] !== m || t.shape[1] !== n) throw new ShapeError(`Sum: term ${i} ${t.toString()} is ${t.shape[0]}×${t.shape[1]}, term 0 is ${m}×${n}`);
    });
    const ann = intersect(terms.map((t) => t.annotations));
    ann.delete('Unitary'); ann.delete('Stiefel');
    super([m, n], promoteAll(terms), ann);
    this.terms = terms;
  }
  protected _matmat(X: Mat): Mat {
    let acc = copyOwned(this.terms[0]!.matmat(X), X);
    for (let i = 1; i < this.terms.length; i++) acc = addInto(acc, this.terms[i]!.matmat(X));
    return acc;
  }
  protected _rmatmat(X: Mat): Mat {
    let acc = copyOwned(this.terms[0]!.rmatmat(X), X);
    for (let i = 1; i < this.terms.length; i++) acc = addInto(acc, this.terms[i]!.rmatmat(X));
    return acc;
  }
  toString(): string { return this.terms.map((t) => t.toString()).join(' + '); }
}

/** A result that may alias the input (Identity returns X itself) is copied before it is accumulated into. */
function copyOwned(y: Mat, x: Mat): Mat {
  return y.data === x.data || y.data.buffer === x.data.buffer ? { rows: y.rows, cols: y.cols, data: y.data.slice() } : y;
}

/** Transpose(A): swaps the two products and keeps a `base` link, which product inference uses for X·Xᵀ. */
export class Transpose extends LinearOperator {
  readonly base: LinearOperator;
  constructor(A: LinearOperator) {
    const ann: Annotation[] = [...A.annotations].filter((a) => a !== 'Stiefel' || A.isSquare);
    super([A.shape[1], A.shape[0]], A.dtype, ann);
    this.base = A;
  }
  protected _matmat(X: Mat): Mat { return this.base.rmatmat(X); }
  protected _rmatmat(X: Mat): Mat { return this.base.matmat(X); }
  toString(): string { return `${paren(this.base)}ᵀ`; }
}

/** Product(M₁, …, M_k)·X = M₁(M₂(…M_k X)). Inner sizes must match. */
export class Product extends LinearOperator {
  readonly factors: readonly LinearOperator[];
  constructor(factors: readonly LinearOperator[]) {
    if (factors.length === 0) throw new ShapeError('Product: needs at least one factor');
    for (let i = 0; i + 1 < factors.length; i++) {
      const a = factors[i]!, b = factors[i + 1]!;
      if (a.shape[1] !== b.shape[0]) {
        throw new ShapeError(`Product: factor ${i} ${a.toString()} is ${a.shape[0]}×${a.shape[1]} but factor ${i + 1} ${b.toString()} is ${b.shape[0]}×${b.shape[1]}; inner sizes must match`);
      }
    }
    super([factors[0]!.shape[0], factors[factors.length - 1]!.shape[1]], promoteAll(factors), inferProduct(factors));
    this.factors = factors;
  }
  protected _matmat(X: Mat): Mat {
    let y = X;
    for (let i = this.factors.length - 1; i >= 0; i--) y = this.factors[i]!.matmat(y);
    return y;
  }
  protected _rmatmat(X: Mat): Mat {
    let y = X;
    for (let i = 0; i < this.factors.length; i++) y = this.factors[i]!.rmatmat(y);
    return y;
  }
  toString(): string { return this.factors.map(paren).join('·'); }
}

/** Product inference, spec §2.2 rules 1–4 in order. */
function inferProduct(fs: readonly LinearOperator[]): Annotation[] {
  const scalars = fs.filter((f) => f instanceof ScalarMul) as ScalarMul[];
  const rest = fs.filter((f) => !(f instanceof ScalarMul));
  const c = scalars.reduce((p, s) => p * s.c, 1);
  if (rest.length === 0) return c >= 0 ? ['PSD', ...(Math.abs(c) === 1 ? ['Unitary' as const] : [])] : ['SelfAdjoint', ...(Math.abs(c) === 1 ? ['Unitary' as const] : [])];
  if (scalars.length > 0 && rest.length === 1) {
    const A = rest[0]!, out: Annotation[] = [];
    if (A.isa('SelfAdjoint')) out.push('SelfAdjoint');
    // −A is not PSD: CoLA keeps PSD under negation, a bug this rule avoids.
    if (A.isa('PSD') && c >= 0) out.push('PSD');
    if (A.isa('Unitary') && Math.abs(c) === 1) out.push('Unitary');
    return out;
  }
  if (scalars.length === 0) {
    if (rest.length === 2 && isTransposeOf(rest[1]!, rest[0]!)) return ['PSD'];
    if (rest.length === 2 && isTransposeOf(rest[0]!, rest[1]!)) return ['PSD'];
    if (rest.length === 3 && (isTransposeOf(rest[0]!, rest[2]!) || isTransposeOf(rest[2]!, rest[0]!))) {
      const M = rest[1]!;
      if (M.isa('PSD')) return ['PSD'];
      if (M.isa('SelfAdjoint')) return ['SelfAdjoint'];
    }
  }
  const ann = intersect(fs.map((f) => f.annotations));
  return [...ann].filter((a) => a === 'Unitary' || a === 'Stiefel');
}

/** t is Transpose(x) of the very same object (or x is the transpose of t's base chain). */
function isTransposeOf(t: LinearOperator, x: LinearOperator): boolean {
  return t instanceof Transpose && t.base === x;
}

export function paren(A: LinearOperator): string {
  const s = A.toString();
  return A instanceof Sum || A instanceof Product || /[+⊕⊗]/.test(s) ? `(${s})` : s;
}

export { fmtNum, alloc };
