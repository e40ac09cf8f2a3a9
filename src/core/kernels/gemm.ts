/**
 * Strata's one matmul kernel family: C[b] = A[b]·B[b] over strided float32/float64 operands. Large products run
 * on the WebAssembly SIMD kernel (`gemm-wasm.ts`, source in `asm/gemm.ts`); small ones, and engines without
 * WebAssembly SIMD, on the TypeScript kernel (`gemm-typescript.ts`). Both compute the same thing; tests compare
 * each with a naive triple loop.
 */
import { ArgumentError, DTypeError, ShapeError } from '../errors.ts';
import type { FloatArray, GemmOperand } from './gemm-types.ts';
import { gemmTypescript, TS_DIRECT_MAX_FLOPS } from './gemm-typescript.ts';
import { gemmWasm, wasmKernel } from './gemm-wasm.ts';

export type { FloatArray, GemmOperand } from './gemm-types.ts';

export type KernelBackend = 'wasm-simd' | 'typescript';
export interface KernelInfo {
  backend: KernelBackend;
  threads: number;
  fma: boolean;
}

/**
 * Products with fewer multiply-adds than this in total (batch·m·n·k) run on the TypeScript kernel even when
 * WebAssembly is available: below it the copies into and out of linear memory and the call cost more than the
 * faster inner loop saves. So do matrices small enough for the TypeScript direct loop (TS_DIRECT_MAX_FLOPS per
 * matrix, e.g. a batch of 2×2 products), where wasm's per-matrix edge-tile handling dominates. Measured with
 * `npx tsx bench/gemm-crossover.ts`: single 4³ 0.40 µs TS vs 0.62 wasm, 8³ 0.77 vs 0.72; 64 × 2³ 2.1 vs 3.0,
 * 64 × 4³ 7.5 vs 3.5.
 */
export const WASM_MIN_FLOPS = 512;

let choice: 'auto' | KernelBackend = 'auto';
let preferFma = true;

/**
 * Pick the backend: 'auto' (default: wasm-simd when the engine supports it, except for the small products
 * described at WASM_MIN_FLOPS, which run on typescript), or force one — for tests and benchmarks comparing the two paths.
 * `fma: false` selects the plain-SIMD wasm build even where relaxed SIMD is available.
 */
export function setKernelBackend(backend: 'auto' | KernelBackend, options: { fma?: boolean } = {}): void {
  if (backend !== 'auto' && backend !== 'typescript' && backend !== 'wasm-simd') {
    throw new ArgumentError(`setKernelBackend: backend must be 'auto', 'typescript' or 'wasm-simd', got ${String(backend)}`);
  }
  if (backend === 'wasm-simd' && wasmKernel(options.fma ?? true) === null) {
    throw new ArgumentError("setKernelBackend: 'wasm-simd' requested but this engine cannot run WebAssembly SIMD");
  }
  choice = backend;
  preferFma = options.fma ?? true;
}

/** The backend large products use now, its thread count, and whether it fuses multiply-add. */
export function kernelInfo(): KernelInfo {
  const wasm = choice === 'typescript' ? null : wasmKernel(preferFma);
  if (wasm === null) return { backend: 'typescript', threads: 1, fma: false };
  return { backend: 'wasm-simd', threads: 1, fma: wasm.fma };
}

function checkCount(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new ArgumentError(`gemm: ${name} must be a non-negative integer, got ${value}`);
  }
}

function checkOperand(name: 'A' | 'B', op: GemmOperand, rows: number, cols: number, batch: number, dims: string): void {
  if (!(op.data instanceof Float32Array) && !(op.data instanceof Float64Array)) {
    throw new DTypeError(`gemm: operand ${name} data must be a Float32Array or Float64Array`);
  }
  for (const field of ['offset', 'rowStride', 'colStride', 'batchStride'] as const) {
    if (!Number.isInteger(op[field]) || op[field] < 0) {
      throw new ArgumentError(`gemm: operand ${name}.${field} must be a non-negative integer, got ${op[field]}`);
    }
  }
  if (rows === 0 || cols === 0 || batch === 0) return;
  const last = op.offset + (batch - 1) * op.batchStride + (rows - 1) * op.rowStride + (cols - 1) * op.colStride;
  if (last >= op.data.length) {
    throw new ShapeError(
      `gemm: operand ${name} (${dims}, batch ${batch}, offset ${op.offset}, strides row ${op.rowStride} col ` +
      `${op.colStride} batch ${op.batchStride}) reaches element ${last} but its data has length ${op.data.length}`);
  }
}

/**
 * C[b] = A[b] (m×k) · B[b] (k×n) for b < batch, C[b] row-major contiguous at out[outOffset + b*m*n]
 * (overwritten). All three arrays have the same dtype (Float32Array or Float64Array). Synchronous.
 * `out` may share a buffer with an operand: the product is then formed in a temporary and copied.
 */
export function gemm(
  m: number, n: number, k: number, batch: number, a: GemmOperand, b: GemmOperand, out: FloatArray, outOffset: number,
): void {
  checkCount('m', m);
  checkCount('n', n);
  checkCount('k', k);
  checkCount('batch', batch);
  checkCount('outOffset', outOffset);
  if (!(out instanceof Float32Array) && !(out instanceof Float64Array)) {
    throw new DTypeError('gemm: out must be a Float32Array or Float64Array');
  }
  checkOperand('A', a, m, k, batch, `m×k = ${m}×${k}`);
  checkOperand('B', b, k, n, batch, `k×n = ${k}×${n}`);
  const dtype = out.constructor.name;
  if (a.data.constructor !== out.constructor || b.data.constructor !== out.constructor) {
    throw new DTypeError(
      `gemm: operands and out must share one dtype, got A ${a.data.constructor.name}, B ${b.data.constructor.name}, ` +
      `out ${dtype}; convert explicitly`);
  }
  const size = batch * m * n;
  if (outOffset + size > out.length) {
    throw new ShapeError(
      `gemm: out needs ${size} elements from offset ${outOffset} (batch ${batch} × ${m}×${n}) but has length ${out.length}`);
  }
  if (size === 0) return;
  if (k === 0) {
    out.fill(0, outOffset, outOffset + size);
    return;
  }
  if (out.buffer === a.data.buffer || out.buffer === b.data.buffer) {
    const tmp = out instanceof Float64Array ? new Float64Array(size) : new Float32Array(size);
    run(m, n, k, batch, a, b, tmp, 0);
    out.set(tmp, outOffset);
    return;
  }
  run(m, n, k, batch, a, b, out, outOffset);
}

function run(m: number, n: number, k: number, batch: number, a: GemmOperand, b: GemmOperand, out: FloatArray, outOffset: number): void {
  const wasm = choice === 'typescript' ? null : wasmKernel(preferFma);
  const large = m * n * k > TS_DIRECT_MAX_FLOPS && batch * m * n * k >= WASM_MIN_FLOPS;
  // A product too large for 32-bit linear memory falls back to TypeScript rather than failing.
  if (wasm !== null && (choice === 'wasm-simd' || large) && gemmWasm(wasm, m, n, k, batch, a, b, out, outOffset)) return;
  gemmTypescript(m, n, k, batch, a, b, out, outOffset);
}
