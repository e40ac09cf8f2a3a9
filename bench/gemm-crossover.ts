/**
 * Where the WebAssembly kernel starts to beat the TypeScript one: times both backends on small square products,
 * single and batched, and prints µs per call. Used to set WASM_MIN_FLOPS in src/core/kernels/gemm.ts.
 * Run: npx tsx bench/gemm-crossover.ts
 */
import { gemm, setKernelBackend } from '../src/core/kernels/gemm.ts';
import type { GemmOperand } from '../src/core/kernels/gemm.ts';
import { randomFill, timeBest } from './harness.ts';

const rows: string[] = ['dtype    batch  n     typescript µs  wasm µs  faster'];
for (const dtype of ['float64', 'float32'] as const) {
  const ctor = dtype === 'float64' ? Float64Array : Float32Array;
  for (const batch of [1, 64]) {
    for (const n of [2, 4, 6, 8, 12, 16, 24, 32, 48]) {
      const a = randomFill(new ctor(batch * n * n), 1);
      const b = randomFill(new ctor(batch * n * n), 2);
      const out = new ctor(batch * n * n);
      const op = (data: Float32Array | Float64Array): GemmOperand => ({ data, offset: 0, rowStride: n, colStride: 1, batchStride: n * n });
      const times: number[] = [];
      for (const backend of ['typescript', 'wasm-simd'] as const) {
        setKernelBackend(backend);
        times.push(timeBest(() => gemm(n, n, n, batch, op(a), op(b), out, 0), 2, 150).seconds * 1e6);
      }
      const [ts, wasm] = times as [number, number];
      rows.push(`${dtype}  ${String(batch).padStart(5)}  ${String(n).padEnd(4)}  ${ts.toFixed(2).padStart(13)}  ${wasm.toFixed(2).padStart(7)}  ${ts < wasm ? 'typescript' : 'wasm'}`);
    }
  }
}
setKernelBackend('auto');
console.log(rows.join('\n'));
