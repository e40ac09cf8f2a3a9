import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gemm, kernelInfo, setKernelBackend } from '../../src/core/kernels/gemm.ts';
import type { FloatArray, GemmOperand } from '../../src/core/kernels/gemm.ts';
import { DTypeError, ShapeError, ArgumentError } from '../../src/core/errors.ts';

type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;

/** Deterministic pseudo-random fill (mulberry32) so a failure reproduces. */
function filled(ctor: Ctor, length: number, seed: number): FloatArray {
  let s = seed >>> 0;
  const out = new ctor(length);
  for (let i = 0; i < length; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  }
  return out;
}

/** The definition: a naive triple loop in float64 over the strided views. */
function naive(m: number, n: number, k: number, batch: number, a: GemmOperand, b: GemmOperand): Float64Array {
  const c = new Float64Array(batch * m * n);
  for (let bi = 0; bi < batch; bi++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) {
          s += a.data[a.offset + bi * a.batchStride + i * a.rowStride + p * a.colStride]!
            * b.data[b.offset + bi * b.batchStride + p * b.rowStride + j * b.colStride]!;
        }
        c[bi * m * n + i * n + j] = s;
      }
    }
  }
  return c;
}

/** |got − want| ≤ tol · (Σ_p |a_ip|·|b_pj|) elementwise: the standard dot-product rounding bound, scaled. */
function assertClose(got: FloatArray, gotOffset: number, want: Float64Array, bound: Float64Array, tol: number, label: string): void {
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[gotOffset + i]! - want[i]!);
    if (!(err <= tol * bound[i]! + 1e-300)) {
      assert.fail(`${label}: element ${i} is ${got[gotOffset + i]}, want ${want[i]} (error ${err}, allowed ${tol * bound[i]!})`);
    }
  }
}

function absOperand(op: GemmOperand): GemmOperand {
  return { ...op, data: Float64Array.from(op.data, Math.abs) };
}

interface Case {
  m: number; n: number; k: number; batch: number;
  transA?: boolean; transB?: boolean; broadcastA?: boolean; broadcastB?: boolean; offset?: number;
  /** Leading-stride multiplier: > 2 makes the views sparse windows of a larger array (the gather path). */
  spread?: number;
}

/** Lay out the operands as the case asks: row-major or transposed, batched or broadcast, behind a leading offset. */
function operand(
  ctor: Ctor, rows: number, cols: number, batch: number, trans: boolean, broadcast: boolean, offset: number, spread: number, seed: number,
): GemmOperand {
  const planes = broadcast ? 1 : batch;
  const plane = rows * cols * spread;
  const data = filled(ctor, offset + planes * plane + 5, seed);
  return {
    data, offset,
    rowStride: trans ? 1 : cols * spread,
    colStride: trans ? rows * spread : 1,
    batchStride: broadcast ? 0 : plane,
  };
}

const dtypes: [string, Ctor, number][] = [
  // Tolerances: a multiple of the unit roundoff times k-independent scale (the bound already grows with k).
  ['float64', Float64Array, 8 * 2 ** -53 * 4],
  ['float32', Float32Array, 8 * 2 ** -24 * 4],
];

const cases: Case[] = [
  { m: 1, n: 1, k: 1, batch: 1 },
  { m: 2, n: 2, k: 2, batch: 1 },
  { m: 3, n: 17, k: 5, batch: 1 },
  { m: 17, n: 3, k: 65, batch: 1 },
  { m: 65, n: 130, k: 17, batch: 1 },
  { m: 130, n: 65, k: 130, batch: 1 },
  { m: 64, n: 64, k: 64, batch: 1 },
  { m: 33, n: 47, k: 300, batch: 1 },
  { m: 17, n: 65, k: 3, batch: 1, transA: true },
  { m: 65, n: 17, k: 130, batch: 1, transB: true },
  { m: 130, n: 130, k: 65, batch: 1, transA: true, transB: true },
  { m: 32, n: 32, k: 32, batch: 5 },
  { m: 3, n: 17, k: 65, batch: 4, broadcastA: true },
  { m: 65, n: 3, k: 17, batch: 3, broadcastB: true, transB: true },
  { m: 17, n: 17, k: 17, batch: 2, offset: 7, transA: true },
  { m: 130, n: 1, k: 65, batch: 2, offset: 3 },
  { m: 17, n: 33, k: 20, batch: 2, spread: 3 },
  { m: 20, n: 9, k: 33, batch: 3, spread: 4, transA: true, transB: true, broadcastB: true },
];

function describeCase(c: Case): string {
  const flags = [c.transA && 'Aᵀ', c.transB && 'Bᵀ', c.broadcastA && 'A broadcast', c.broadcastB && 'B broadcast',
    c.offset && `offset ${c.offset}`, c.spread && `leading stride ×${c.spread}`]
    .filter(Boolean).join(', ');
  return `${c.batch}×(${c.m}×${c.k} · ${c.k}×${c.n})${flags ? ` [${flags}]` : ''}`;
}

const backends: { name: string; set: () => void; expect: (info: ReturnType<typeof kernelInfo>) => boolean }[] = [
  { name: 'typescript', set: () => setKernelBackend('typescript'), expect: (i) => i.backend === 'typescript' },
  { name: 'wasm-simd (fma)', set: () => setKernelBackend('wasm-simd'), expect: (i) => i.backend === 'wasm-simd' },
  { name: 'wasm-simd (mul+add)', set: () => setKernelBackend('wasm-simd', { fma: false }), expect: (i) => i.backend === 'wasm-simd' && !i.fma },
  { name: 'auto', set: () => setKernelBackend('auto'), expect: () => true },
];

after(() => setKernelBackend('auto'));

for (const backend of backends) {
  describe(`gemm on the ${backend.name} backend`, () => {
    for (const [dtype, ctor, tol] of dtypes) {
      for (const c of cases) {
        it(`gemm(${describeCase(c)}) in ${dtype} matches the naive triple loop`, () => {
          backend.set();
          assert.ok(backend.expect(kernelInfo()), `backend ${backend.name} not selected: ${JSON.stringify(kernelInfo())}`);
          const a = operand(ctor, c.m, c.k, c.batch, !!c.transA, !!c.broadcastA, c.offset ?? 0, c.spread ?? 1, 11 + c.m);
          const b = operand(ctor, c.k, c.n, c.batch, !!c.transB, !!c.broadcastB, c.offset ?? 0, c.spread ?? 1, 29 + c.n);
          const want = naive(c.m, c.n, c.k, c.batch, a, b);
          const bound = naive(c.m, c.n, c.k, c.batch, absOperand(a), absOperand(b));
          const outOffset = 3;
          const out = new ctor(outOffset + c.batch * c.m * c.n + 2).fill(Number.NaN);
          gemm(c.m, c.n, c.k, c.batch, a, b, out, outOffset);
          assertClose(out, outOffset, want, bound, tol * Math.max(1, Math.log2(c.k + 1)), describeCase(c));
          // Elements outside the output block are untouched.
          assert.ok(Number.isNaN(out[0]!) && Number.isNaN(out[out.length - 1]!), 'gemm wrote outside out[outOffset, outOffset + batch·m·n)');
        });
      }
      it(`gemm with k = 0 in ${dtype} sets C to zero`, () => {
        backend.set();
        const out = new ctor(6).fill(7);
        const empty: GemmOperand = { data: new ctor(0), offset: 0, rowStride: 0, colStride: 1, batchStride: 0 };
        gemm(2, 3, 0, 1, empty, empty, out, 0);
        assert.deepEqual(Array.from(out), [0, 0, 0, 0, 0, 0]);
      });
    }
  });
}

describe('gemm argument checks', () => {
  const op = (data: FloatArray, rowStride: number, colStride = 1): GemmOperand => ({ data, offset: 0, rowStride, colStride, batchStride: 0 });

  it('gemm rejects operands of different dtypes', () => {
    assert.throws(() => gemm(2, 2, 2, 1, op(new Float32Array(4), 2), op(new Float64Array(4), 2), new Float64Array(4), 0),
      (e: unknown) => e instanceof DTypeError && /A Float32Array, B Float64Array, out Float64Array/.test(e.message));
  });

  it('gemm names operand A when its extent exceeds its data', () => {
    assert.throws(() => gemm(3, 2, 2, 1, op(new Float64Array(5), 2), op(new Float64Array(4), 2), new Float64Array(6), 0),
      (e: unknown) => e instanceof ShapeError && /operand A \(m×k = 3×2.*reaches element 5 but its data has length 5/.test(e.message));
  });

  it('gemm names operand B when a batched view runs past its data', () => {
    const b: GemmOperand = { data: new Float64Array(8), offset: 0, rowStride: 2, colStride: 1, batchStride: 4 };
    assert.throws(() => gemm(2, 2, 2, 3, op(new Float64Array(4), 2), b, new Float64Array(12), 0),
      (e: unknown) => e instanceof ShapeError && /operand B .*batch 3.*reaches element 11/.test(e.message));
  });

  it('gemm rejects an out array too short for batch·m·n elements', () => {
    assert.throws(() => gemm(2, 2, 2, 1, op(new Float64Array(4), 2), op(new Float64Array(4), 2), new Float64Array(5), 2),
      (e: unknown) => e instanceof ShapeError && /out needs 4 elements from offset 2/.test(e.message));
  });

  it('gemm rejects negative or fractional sizes and strides', () => {
    assert.throws(() => gemm(-1, 2, 2, 1, op(new Float64Array(4), 2), op(new Float64Array(4), 2), new Float64Array(4), 0),
      (e: unknown) => e instanceof ArgumentError && /m must be a non-negative integer/.test(e.message));
    assert.throws(() => gemm(2, 2, 2, 1, op(new Float64Array(4), 1.5), op(new Float64Array(4), 2), new Float64Array(4), 0),
      (e: unknown) => e instanceof ArgumentError && /operand A.rowStride/.test(e.message));
  });

  it('gemm computes correctly when out shares its buffer with an operand', () => {
    // A = [[1,2],[3,4]] stored at the front of the same buffer that receives C.
    const buf = new Float64Array([1, 2, 3, 4, 0, 0, 0, 0]);
    const a: GemmOperand = { data: buf, offset: 0, rowStride: 2, colStride: 1, batchStride: 0 };
    gemm(2, 2, 2, 1, a, a, buf, 2);
    assert.deepEqual(Array.from(buf.subarray(2, 6)), [7, 10, 15, 22]);
  });

  it('setKernelBackend rejects an unknown backend name', () => {
    assert.throws(() => setKernelBackend('gpu' as 'auto'), (e: unknown) => e instanceof ArgumentError && /got gpu/.test(e.message));
  });
});
