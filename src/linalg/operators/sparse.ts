/**
 * Sparse CSR with Int32Array indptr/indices. COO → CSR validates indices, counting-sorts by row, stably sorts
 * columns inside each row, sums duplicates and compacts — so shuffled or duplicated input gives the same matrix
 * (CoLA's torch path paired row-sorted values with an unstable sort's order and returned a different matrix).
 */
import { ArgumentError, ShapeError } from '../../core/index.ts';
import { LinearOperator } from '../operator.ts';
import { alloc, dtypeOfArray, type FloatArray, type LinalgDType, type Mat } from '../mat.ts';
import { StagedSpmv } from '../kernels/staged.ts';
import { StagingSlot } from '../kernels/staging.ts';

export class Sparse extends LinearOperator {
  readonly indptr: Int32Array; readonly indices: Int32Array; readonly values: FloatArray;
  private transposed: Sparse | null = null;
  private staging: StagingSlot<StagedSpmv> | null = null;

  private constructor(indptr: Int32Array, indices: Int32Array, values: FloatArray, shape: readonly [number, number]) {
    super(shape, dtypeOfArray(values));
    this.indptr = indptr; this.indices = indices; this.values = values;
  }

  get nnz(): number { return this.indptr[this.shape[0]]!; }

  static fromCOO(values: ArrayLike<number>, rows: ArrayLike<number>, cols: ArrayLike<number>, shape: readonly [number, number], dtype: LinalgDType = 'float64'): Sparse {
    const nz = values.length, [m, n] = shape;
    if (rows.length !== nz || cols.length !== nz) throw new ShapeError(`Sparse.fromCOO: ${nz} values but ${rows.length} row and ${cols.length} column indices`);
    for (let t = 0; t < nz; t++) {
      const r = rows[t]!, c = cols[t]!;
      if (!Number.isInteger(r) || r < 0 || r >= m) throw new ArgumentError(`Sparse.fromCOO: row index ${r} at entry ${t} is outside 0..${m - 1}`);
      if (!Number.isInteger(c) || c < 0 || c >= n) throw new ArgumentError(`Sparse.fromCOO: column index ${c} at entry ${t} is outside 0..${n - 1}`);
      if (!Number.isFinite(values[t]!)) throw new ArgumentError(`Sparse.fromCOO: value ${values[t]} at entry ${t} is not finite`);
    }
    // Counting sort by row (stable).
    const ptr = new Int32Array(m + 1);
    for (let t = 0; t < nz; t++) ptr[rows[t]! + 1]++;
    for (let i = 0; i < m; i++) ptr[i + 1] += ptr[i]!;
    const fill = ptr.slice(0, m), order = new Int32Array(nz);
    for (let t = 0; t < nz; t++) order[fill[rows[t]!]!++] = t;
    const idx = new Int32Array(nz), val = alloc(dtype, nz);
    for (let k = 0; k < nz; k++) { idx[k] = cols[order[k]!]!; val[k] = values[order[k]!]!; }
    return Sparse.compact(ptr, idx, val, shape);
  }

  /** CSR input; unsorted rows are sorted and duplicates summed. */
  static fromCSR(indptr: ArrayLike<number>, indices: ArrayLike<number>, values: ArrayLike<number>, shape: readonly [number, number], dtype: LinalgDType = 'float64'): Sparse {
    const [m, n] = shape;
    if (indptr.length !== m + 1) throw new ShapeError(`Sparse.fromCSR: indptr needs ${m + 1} entries, got ${indptr.length}`);
    const nz = indptr[m]!;
    if (indices.length !== nz || values.length !== nz) throw new ShapeError(`Sparse.fromCSR: indptr ends at ${nz} but there are ${indices.length} indices and ${values.length} values`);
    for (let i = 0; i < m; i++) if (indptr[i + 1]! < indptr[i]!) throw new ArgumentError(`Sparse.fromCSR: indptr must be non-decreasing (row ${i})`);
    for (let k = 0; k < nz; k++) if (!(indices[k]! >= 0 && indices[k]! < n)) throw new ArgumentError(`Sparse.fromCSR: column index ${indices[k]} at ${k} is outside 0..${n - 1}`);
    const val = alloc(dtype, nz); for (let k = 0; k < nz; k++) val[k] = values[k]!;
    return Sparse.compact(Int32Array.from(indptr), Int32Array.from(indices), val, shape);
  }

  /** Sorts columns inside each row (stable insertion/merge via index sort) and sums duplicates. */
  private static compact(ptr: Int32Array, idx: Int32Array, val: FloatArray, shape: readonly [number, number]): Sparse {
    const m = shape[0];
    const outPtr = new Int32Array(m + 1), outIdx = new Int32Array(idx.length), outVal = alloc(dtypeOfArray(val), idx.length);
    let w = 0;
    for (let i = 0; i < m; i++) {
      const a = ptr[i]!, b = ptr[i + 1]!;
      const ord = Array.from({ length: b - a }, (_, t) => a + t);
      ord.sort((p, q) => idx[p]! - idx[q]! || p - q); // stable by construction (ties broken by position)
      for (const k of ord) {
        if (w > outPtr[i]! && outIdx[w - 1] === idx[k]) outVal[w - 1] += val[k]!;
        else { outIdx[w] = idx[k]!; outVal[w] = val[k]!; w++; }
      }
      outPtr[i + 1] = w;
    }
    return new Sparse(outPtr, outIdx.slice(0, w), outVal.slice(0, w), shape);
  }

  /** The transposed CSR (built once, cached). */
  transposeCSR(): Sparse {
    if (this.transposed) return this.transposed;
    const [m, n] = this.shape, nz = this.nnz;
    const ptr = new Int32Array(n + 1);
    for (let k = 0; k < nz; k++) ptr[this.indices[k]! + 1]++;
    for (let j = 0; j < n; j++) ptr[j + 1] += ptr[j]!;
    const fill = ptr.slice(0, n), idx = new Int32Array(nz), val = alloc(this.dtype, nz);
    for (let i = 0; i < m; i++) for (let k = this.indptr[i]!; k < this.indptr[i + 1]!; k++) {
      const j = this.indices[k]!, p = fill[j]!++;
      idx[p] = i; val[p] = this.values[k]!;
    }
    this.transposed = new Sparse(ptr, idx, val, [n, m]);
    this.transposed.transposed = this;
    return this.transposed;
  }

  protected _matmat(X: Mat): Mat {
    if (X.cols === 1 && X.data instanceof Float64Array && this.values instanceof Float64Array) {
      const y = this.stagedProduct(X.data);
      return { rows: this.shape[0], cols: 1, data: y ?? spmv64(this.indptr, this.indices, this.values, X.data, this.shape[0]) };
    }
    const m = this.shape[0], out = alloc(dtypeOfArray(X.data), m * X.cols);
    const ip = this.indptr, ix = this.indices, v = this.values, x = X.data;
    for (let c = 0; c < X.cols; c++) {
      const xo = c * X.rows, oo = c * m;
      for (let i = 0; i < m; i++) {
        let s = 0;
        for (let k = ip[i]!, e = ip[i + 1]!; k < e; k++) s += v[k]! * x[xo + ix[k]!]!;
        out[oo + i] = s;
      }
    }
    return { rows: m, cols: X.cols, data: out };
  }
  protected _rmatmat(X: Mat): Mat { return this.transposeCSR().matmat(X); }

  /**
   * Single float64 products of a large matrix go through the WebAssembly row loop (kernels/staged.ts StagedSpmv, ≈ 1.9×
   * the JS spmv64 at N = 10⁵, nnz = 1.1M, same bits) on a copy of the CSR arrays staged at the second product inside
   * an operation — Krylov loops do hundreds, a one-off product does not pay the copy. As for Dense, the copy is
   * compared in full with the arrays at its first use in each operation and restaged on any difference
   * (kernels/staging.ts), so in-place edits of values or indices are never answered from a stale copy.
   */
  private stagedProduct(x: Float64Array): Float64Array | null {
    if (this.nnz < STAGE_MIN_NNZ || !(this.values instanceof Float64Array)) return null;
    const values = this.values;
    this.staging ??= new StagingSlot(() => StagedSpmv.create(this.indptr, this.indices, values, this.shape[0], this.shape[1]));
    const st = this.staging.get();
    return st ? st.apply(x) : null;
  }
  override params(): FloatArray[] { return [this.values]; }
  override vjpParams(X: Mat, Y: Mat): FloatArray[] {
    const g = new Float64Array(this.nnz), m = this.shape[0];
    for (let c = 0; c < X.cols; c++) for (let i = 0; i < m; i++) for (let k = this.indptr[i]!; k < this.indptr[i + 1]!; k++) {
      g[k] = g[k]! + Y.data[c * m + i]! * X.data[c * X.rows + this.indices[k]!]!;
    }
    return [g];
  }
  toString(): string { return `Sparse(${this.shape[0]}×${this.shape[1]}, nnz ${this.nnz})`; }
}

const STAGE_MIN_NNZ = 1 << 14;

/**
 * y = A·x for one float64 vector: the Krylov hot path. A separate monomorphic function (every array a Float64Array or
 * Int32Array) and two accumulators per row let V8 keep the loop free of type checks (≈ 20% faster than the general
 * multi-column loop on the 10⁵-node Laplacian).
 */
function spmv64(ip: Int32Array, ix: Int32Array, v: Float64Array, x: Float64Array, m: number): Float64Array {
  const y = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s0 = 0, s1 = 0, k = ip[i]!;
    const e = ip[i + 1]!;
    for (; k + 1 < e; k += 2) { s0 += v[k]! * x[ix[k]!]!; s1 += v[k + 1]! * x[ix[k + 1]!]!; }
    if (k < e) s0 += v[k]! * x[ix[k]!]!;
    y[i] = s0 + s1;
  }
  return y;
}
