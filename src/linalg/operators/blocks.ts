/** BlockDiag, the 2×2 Block operator, LowRank U·C·Vᵀ, Sliced and Concatenated. */
import { ArgumentError, ShapeError } from '../../core/index.ts';
import { type Annotation, intersect } from '../annotations.ts';
import { LinearOperator } from '../operator.ts';
import { alloc, dtypeOfArray, promote, type FloatArray, type LinalgDType, type Mat } from '../mat.ts';
import { addInto, paren, promoteAll, Transpose } from './composite.ts';
import { Dense } from './dense.ts';

/** Rows r0..r0+len−1 of X as a new Mat. */
export function rowsOf(X: Mat, r0: number, len: number): Mat {
  const out = alloc(dtypeOfArray(X.data), len * X.cols);
  for (let c = 0; c < X.cols; c++) out.set(X.data.subarray(c * X.rows + r0, c * X.rows + r0 + len), c * len);
  return { rows: len, cols: X.cols, data: out };
}

/** Writes Y into rows r0.. of out. */
export function setRows(out: Mat, r0: number, Y: Mat): void {
  for (let c = 0; c < Y.cols; c++) out.data.set(Y.data.subarray(c * Y.rows, (c + 1) * Y.rows), c * out.rows + r0);
}

/** BlockDiag(M₁…M_k; m₁…m_k): block i repeated mᵢ times along the diagonal. Annotations: ∩ of blocks. */
export class BlockDiag extends LinearOperator {
  readonly blocks: readonly LinearOperator[];
  readonly multiplicities: readonly number[];
  constructor(blocks: readonly LinearOperator[], multiplicities?: readonly number[]) {
    if (blocks.length === 0) throw new ShapeError('BlockDiag: needs at least one block');
    const mult = multiplicities ?? blocks.map(() => 1);
    if (mult.length !== blocks.length) throw new ArgumentError(`BlockDiag: ${blocks.length} blocks but ${mult.length} multiplicities`);
    mult.forEach((m, i) => { if (!Number.isInteger(m) || m < 1) throw new ArgumentError(`BlockDiag: multiplicity ${i} must be a positive integer, got ${m}`); });
    const m = blocks.reduce((s, b, i) => s + b.shape[0] * mult[i]!, 0), n = blocks.reduce((s, b, i) => s + b.shape[1] * mult[i]!, 0);
    super([m, n], promoteAll(blocks), intersect(blocks.map((b) => b.annotations)));
    this.blocks = blocks;
    this.multiplicities = mult;
  }
  private run(X: Mat, trans: boolean): Mat {
    const dt = promote(this.dtype, dtypeOfArray(X.data));
    const outRows = trans ? this.shape[1] : this.shape[0];
    const out: Mat = { rows: outRows, cols: X.cols, data: alloc(dt, outRows * X.cols) };
    let rIn = 0, rOut = 0;
    for (let i = 0; i < this.blocks.length; i++) {
      const B = this.blocks[i]!, mi = this.multiplicities[i]!;
      const nIn = trans ? B.shape[0] : B.shape[1], nOut = trans ? B.shape[1] : B.shape[0];
      // All copies of a block go through one product: the mᵢ row ranges become mᵢ·b columns.
      const Z: Mat = { rows: nIn, cols: mi * X.cols, data: alloc(dtypeOfArray(X.data), nIn * mi * X.cols) };
      for (let r = 0; r < mi; r++) for (let c = 0; c < X.cols; c++) {
        Z.data.set(X.data.subarray(c * X.rows + rIn + r * nIn, c * X.rows + rIn + (r + 1) * nIn), (r * X.cols + c) * nIn);
      }
      const Y = trans ? B.rmatmat(Z) : B.matmat(Z);
      for (let r = 0; r < mi; r++) for (let c = 0; c < X.cols; c++) {
        out.data.set(Y.data.subarray((r * X.cols + c) * nOut, (r * X.cols + c + 1) * nOut), c * outRows + rOut + r * nOut);
      }
      rIn += mi * nIn; rOut += mi * nOut;
    }
    return out;
  }
  protected _matmat(X: Mat): Mat { return this.run(X, false); }
  protected _rmatmat(X: Mat): Mat { return this.run(X, true); }
  toString(): string {
    return `BlockDiag(${this.blocks.map((b, i) => (this.multiplicities[i] === 1 ? b.toString() : `${b.toString()}×${this.multiplicities[i]}`)).join(', ')})`;
  }
}

/**
 * Block([[A, B], [C, D]]): a 2×2 block operator; `null` is a zero block (A and D are required and square).
 * SelfAdjoint when A and D are and C is B.T of the same object; PSD only when asserted.
 */
export class Block extends LinearOperator {
  readonly A: LinearOperator; readonly B: LinearOperator | null; readonly C: LinearOperator | null; readonly D: LinearOperator;
  constructor(blocks: readonly [readonly [LinearOperator, LinearOperator | null], readonly [LinearOperator | null, LinearOperator]]) {
    const [[A, B], [C, D]] = blocks;
    if (!A.isSquare || !D.isSquare) throw new ShapeError(`Block: diagonal blocks must be square, got ${A.shape.join('×')} and ${D.shape.join('×')}`);
    const n1 = A.shape[0], n2 = D.shape[0];
    if (B && (B.shape[0] !== n1 || B.shape[1] !== n2)) throw new ShapeError(`Block: B must be ${n1}×${n2}, got ${B.shape.join('×')}`);
    if (C && (C.shape[0] !== n2 || C.shape[1] !== n1)) throw new ShapeError(`Block: C must be ${n2}×${n1}, got ${C.shape.join('×')}`);
    const ann: Annotation[] = [];
    const symmetricOff = (B === null && C === null) || (C instanceof Transpose && C.base === B) || (B instanceof Transpose && B.base === C);
    if (A.isa('SelfAdjoint') && D.isa('SelfAdjoint') && symmetricOff) ann.push('SelfAdjoint');
    super([n1 + n2, n1 + n2], promoteAll([A, D, ...(B ? [B] : []), ...(C ? [C] : [])]), ann);
    this.A = A; this.B = B; this.C = C; this.D = D;
  }
  get n1(): number { return this.A.shape[0]; }
  private run(X: Mat, trans: boolean): Mat {
    const n1 = this.n1, n2 = this.D.shape[0];
    const X1 = rowsOf(X, 0, n1), X2 = rowsOf(X, n1, n2);
    const ap = (M: LinearOperator, Z: Mat) => (trans ? M.rmatmat(Z) : M.matmat(Z));
    // Transposed: [[Aᵀ, Cᵀ], [Bᵀ, Dᵀ]].
    const offTop = trans ? this.C : this.B, offBot = trans ? this.B : this.C;
    let top = ap(this.A, X1); if (offTop) top = addInto(own(top, X1), ap(offTop, X2));
    let bot = ap(this.D, X2); if (offBot) bot = addInto(own(bot, X2), ap(offBot, X1));
    const out: Mat = { rows: n1 + n2, cols: X.cols, data: alloc(promote(dtypeOfArray(top.data), dtypeOfArray(bot.data)), (n1 + n2) * X.cols) };
    setRows(out, 0, top); setRows(out, n1, bot);
    return out;
  }
  protected _matmat(X: Mat): Mat { return this.run(X, false); }
  protected _rmatmat(X: Mat): Mat { return this.run(X, true); }
  toString(): string { return `[[${this.A}, ${this.B ?? '0'}], [${this.C ?? '0'}, ${this.D}]]`; }
}

function own(y: Mat, x: Mat): Mat { return y.data.buffer === x.data.buffer ? { ...y, data: y.data.slice() } : y; }

/**
 * LowRank(U, C?, V?) = U·C·Vᵀ with U n×r, C r×r (default I), V (default U). PSD when V is U and C is PSD or absent;
 * SelfAdjoint when V is U and C is SelfAdjoint.
 */
export class LowRank extends LinearOperator {
  readonly U: LinearOperator; readonly C: LinearOperator | null; readonly V: LinearOperator;
  constructor(U: LinearOperator | Mat, C?: LinearOperator | Mat | null, V?: LinearOperator | Mat | null) {
    const u = U instanceof LinearOperator ? U : new Dense(U);
    const c = C == null ? null : C instanceof LinearOperator ? C : new Dense(C);
    const v = V == null ? u : V instanceof LinearOperator ? V : new Dense(V);
    const r = u.shape[1];
    if (v.shape[1] !== r) throw new ShapeError(`LowRank: U has ${r} columns but V has ${v.shape[1]}`);
    if (c && (c.shape[0] !== r || c.shape[1] !== r)) throw new ShapeError(`LowRank: C must be ${r}×${r}, got ${c.shape.join('×')}`);
    const ann: Annotation[] = [];
    if (v === u && (c === null || c.isa('PSD'))) ann.push('PSD');
    if (v === u && (c === null || c.isa('SelfAdjoint'))) ann.push('SelfAdjoint');
    super([u.shape[0], v.shape[0]], promoteAll([u, v, ...(c ? [c] : [])]), ann);
    this.U = u; this.C = c; this.V = v;
  }
  get rank(): number { return this.U.shape[1]; }
  protected _matmat(X: Mat): Mat {
    let z = this.V.rmatmat(X);
    if (this.C) z = this.C.matmat(z);
    return this.U.matmat(z);
  }
  protected _rmatmat(X: Mat): Mat {
    let z = this.U.rmatmat(X);
    if (this.C) z = this.C.rmatmat(z);
    return this.V.matmat(z);
  }
  toString(): string { return this.V === this.U ? `${paren(this.U)}${this.C ? '·' + paren(this.C) : ''}·${paren(this.U)}ᵀ` : `${paren(this.U)}${this.C ? '·' + paren(this.C) : ''}·${paren(this.V)}ᵀ`; }
}

/** A[rowIdx, colIdx]: zero-pad X into the selected columns, multiply, select rows. */
export class Sliced extends LinearOperator {
  readonly base: LinearOperator; readonly rowIdx: Int32Array; readonly colIdx: Int32Array;
  constructor(A: LinearOperator, rowIdx: Int32Array, colIdx: Int32Array) {
    const same = rowIdx.length === colIdx.length && rowIdx.every((v, i) => v === colIdx[i]);
    const ann = same ? [...A.annotations].filter((a) => a === 'PSD' || a === 'SelfAdjoint') : [];
    super([rowIdx.length, colIdx.length], A.dtype, ann);
    this.base = A; this.rowIdx = rowIdx; this.colIdx = colIdx;
  }
  private run(X: Mat, trans: boolean): Mat {
    const [inIdx, outIdx] = trans ? [this.rowIdx, this.colIdx] : [this.colIdx, this.rowIdx];
    const N = trans ? this.base.shape[0] : this.base.shape[1];
    const Z: Mat = { rows: N, cols: X.cols, data: alloc(dtypeOfArray(X.data), N * X.cols) };
    // Repeated indices add up (the slice is the matrix S_r·A·S_cᵀ, so Sᵀ scatters with accumulation).
    for (let c = 0; c < X.cols; c++) for (let t = 0; t < inIdx.length; t++) Z.data[c * N + inIdx[t]!] += X.data[c * X.rows + t]!;
    const Y = trans ? this.base.rmatmat(Z) : this.base.matmat(Z);
    const out: Mat = { rows: outIdx.length, cols: X.cols, data: alloc(dtypeOfArray(Y.data), outIdx.length * X.cols) };
    for (let c = 0; c < X.cols; c++) for (let t = 0; t < outIdx.length; t++) out.data[c * outIdx.length + t] = Y.data[c * Y.rows + outIdx[t]!]!;
    return out;
  }
  protected _matmat(X: Mat): Mat { return this.run(X, false); }
  protected _rmatmat(X: Mat): Mat { return this.run(X, true); }
  toString(): string { return `${paren(this.base)}[${this.rowIdx.length}×${this.colIdx.length} slice]`; }
}

/** Vertical (axis 0) or horizontal (axis 1) stacking. */
export class Concatenated extends LinearOperator {
  readonly parts: readonly LinearOperator[]; readonly axis: 0 | 1;
  constructor(parts: readonly LinearOperator[], axis: 0 | 1) {
    if (parts.length === 0) throw new ShapeError('Concatenated: needs at least one operator');
    if (axis !== 0 && axis !== 1) throw new ArgumentError(`Concatenated: axis must be 0 or 1, got ${axis}`);
    const other = 1 - axis;
    parts.forEach((p, i) => {
      if (p.shape[other] !== parts[0]!.shape[other]) throw new ShapeError(`Concatenated: along axis ${axis}, operator ${i} has ${p.shape[other]} ${other === 1 ? 'columns' : 'rows'}, operator 0 has ${parts[0]!.shape[other]}`);
    });
    const total = parts.reduce((s, p) => s + p.shape[axis], 0);
    super(axis === 0 ? [total, parts[0]!.shape[1]] : [parts[0]!.shape[0], total], promoteAll(parts));
    this.parts = parts; this.axis = axis;
  }
  private run(X: Mat, trans: boolean): Mat {
    // Stacking outputs: vertical matmat or horizontal rmatmat; otherwise the input is split and results summed.
    const stack = (this.axis === 0) !== trans;
    const ap = (M: LinearOperator, Z: Mat) => (trans ? M.rmatmat(Z) : M.matmat(Z));
    if (stack) {
      const ys = this.parts.map((p) => ap(p, X));
      const rows = ys.reduce((s, y) => s + y.rows, 0);
      const dt = ys.reduce<LinalgDType>((d, y) => promote(d, dtypeOfArray(y.data)), 'float32');
      const out: Mat = { rows, cols: X.cols, data: alloc(dt, rows * X.cols) };
      let r = 0; for (const y of ys) { setRows(out, r, y); r += y.rows; }
      return out;
    }
    let acc: Mat | null = null, r = 0;
    for (const p of this.parts) {
      const len = trans ? p.shape[0] : p.shape[1];
      const y = ap(p, rowsOf(X, r, len)); r += len;
      acc = acc === null ? { ...y, data: y.data.slice() } : addInto(acc, y);
    }
    return acc!;
  }
  protected _matmat(X: Mat): Mat { return this.run(X, false); }
  protected _rmatmat(X: Mat): Mat { return this.run(X, true); }
  toString(): string { return `Concat${this.axis === 0 ? 'V' : 'H'}(${this.parts.map((p) => p.toString()).join(', ')})`; }
}

export type { FloatArray };
