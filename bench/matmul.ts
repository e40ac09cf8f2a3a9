/** Matmul entries: the kernel behind core's matmul/einsum at the sizes the targets name. */
import { gemm, setKernelBackend } from '../src/core/kernels/gemm.ts';
import type { GemmOperand } from '../src/core/kernels/gemm.ts';
import { randomFill } from './harness.ts';
import type { BenchCase } from './harness.ts';

type DType = 'float32' | 'float64';

interface MatmulShape {
  op: string;
  batch: number | null;
  m: number; n: number; k: number;
  transA?: boolean; transB?: boolean;
  /** Force the TypeScript fallback (what engines without WebAssembly SIMD get). */
  typescript?: boolean;
}

function matmulCase(shape: MatmulShape, dtype: DType): BenchCase {
  const { batch, m, n, k } = shape;
  const transA = shape.transA ?? false;
  const transB = shape.transB ?? false;
  const planes = batch ?? 1;
  const size = `${batch === null ? '' : `${batch}×(`}${m}×${k}·${k}×${n}${batch === null ? '' : ')'}`;
  return {
    op: shape.op,
    size,
    dtype,
    unit: 'GFLOP/s',
    flops: 2 * planes * m * n * k,
    setup() {
      const ctor = dtype === 'float64' ? Float64Array : Float32Array;
      const aData = randomFill(new ctor(planes * m * k), 1);
      const bData = randomFill(new ctor(planes * k * n), 2);
      const out = new ctor(planes * m * n);
      // A transposed operand is stored k×m (resp. n×k) row-major and read through swapped strides.
      const a: GemmOperand = transA
        ? { data: aData, offset: 0, rowStride: 1, colStride: m, batchStride: m * k }
        : { data: aData, offset: 0, rowStride: k, colStride: 1, batchStride: m * k };
      const b: GemmOperand = transB
        ? { data: bData, offset: 0, rowStride: 1, colStride: k, batchStride: k * n }
        : { data: bData, offset: 0, rowStride: n, colStride: 1, batchStride: k * n };
      if (!shape.typescript) return () => gemm(m, n, k, planes, a, b, out, 0);
      return () => {
        setKernelBackend('typescript');
        try {
          gemm(m, n, k, planes, a, b, out, 0);
        } finally {
          setKernelBackend('auto');
        }
      };
    },
    reference: { kind: 'matmul', batch, m, n, k, transA, transB },
  };
}

const shapes: MatmulShape[] = [
  { op: 'matmul', batch: null, m: 512, n: 512, k: 512 },
  { op: 'matmul', batch: null, m: 1024, n: 1024, k: 1024 },
  { op: 'matmul', batch: null, m: 1024, n: 1024, k: 256 },
  { op: 'matmul', batch: null, m: 256, n: 256, k: 1024 },
  { op: 'matmul Aᵀ', batch: null, m: 1024, n: 1024, k: 1024, transA: true },
  { op: 'matmul Bᵀ', batch: null, m: 512, n: 512, k: 512, transB: true },
  { op: 'matmul batched', batch: 64, m: 32, n: 32, k: 32 },
  { op: 'matmul batched', batch: 4096, m: 2, n: 2, k: 2 },
  { op: 'matmul [typescript]', batch: null, m: 512, n: 512, k: 512, typescript: true },
];

export const cases: BenchCase[] = shapes.flatMap((s) => [matmulCase(s, 'float32'), matmulCase(s, 'float64')]);
