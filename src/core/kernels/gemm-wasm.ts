/**
 * The WebAssembly SIMD matmul backend: host side. Operands are packed from their strided views straight into the
 * module's linear memory (`pack.ts`), the AssemblyScript kernel (`asm/gemm.ts`) computes a padded C there, and
 * the live m×n block is copied out. Two builds of the same kernel ship as base64: one using relaxed-SIMD fused
 * multiply-add, one plain SIMD mul + add for engines without relaxed SIMD.
 */
import { setFlagsFromString } from 'node:v8';
import type { FloatArray, GemmOperand } from './gemm-types.ts';
import { GEMM_WASM_FMA, GEMM_WASM_SIMD } from './gemm-wasm-binary.ts';
import { packPanels } from './pack.ts';

// The compiler's lib (es2022) has no WebAssembly typings, so the few members used are declared here; reading the
// global through globalThis also covers engines without WebAssembly.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const wasmApi = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

interface KernelExports {
  memory: WasmMemory;
  gemm_f64(a: number, b: number, c: number, mPanels: number, nPanels: number, k: number, kcBlock: number, mcPanels: number): void;
  gemm_f32(a: number, b: number, c: number, mPanels: number, nPanels: number, k: number, kcBlock: number, mcPanels: number): void;
  heap_base(): number;
  micro_rows(): number;
}

export interface WasmKernel {
  readonly fma: boolean;
  readonly exports: KernelExports;
}

/** k-block: one A micro-panel slice (MR·KC) plus one B slice (KC·NR) fit L1 with room for C. */
const KC_BYTES = 256 * 8;
/** A panels per group so that the packed A block (MR·KC per panel) stays in L2 (512 KiB of the 1 MiB here). */
const MC_BYTES = 512 * 1024;
const PAGE = 65536;

let loaded: { fma: WasmKernel | null; simd: WasmKernel | null } | null = null;

function decode(base64: string): Uint8Array {
  return new Uint8Array(Buffer.from(base64, 'base64'));
}

function instantiate(bytes: Uint8Array, fma: boolean): WasmKernel | null {
  if (!wasmApi || !wasmApi.validate(bytes)) return null;
  const instance = new wasmApi.Instance(new wasmApi.Module(bytes), {});
  return { fma, exports: instance.exports as unknown as KernelExports };
}

function load(): { fma: WasmKernel | null; simd: WasmKernel | null } {
  if (loaded) return loaded;
  let simd: WasmKernel | null = null;
  let fma: WasmKernel | null = null;
  if (!wasmApi) return (loaded = { fma, simd });
  try {
    simd = instantiate(decode(GEMM_WASM_SIMD), false);
    const fmaBytes = decode(GEMM_WASM_FMA);
    // Node 20's V8 (11.3) ships relaxed SIMD behind a flag; newer engines validate it without one.
    if (!wasmApi.validate(fmaBytes)) setFlagsFromString('--experimental-wasm-relaxed-simd');
    fma = instantiate(fmaBytes, true);
  } catch {
    // No WebAssembly or no SIMD in this engine: the TypeScript backend serves every product.
  }
  loaded = { fma, simd };
  return loaded;
}

/** The best kernel this engine runs (FMA build first), or null when WebAssembly SIMD is unavailable. */
export function wasmKernel(preferFma: boolean): WasmKernel | null {
  const k = load();
  return (preferFma ? k.fma : null) ?? k.simd;
}

function ensureMemory(memory: WasmMemory, bytes: number): void {
  const have = memory.buffer.byteLength;
  if (bytes > have) memory.grow(Math.ceil((bytes - have) / PAGE));
}

/** C[b] = A[b]·B[b] for every b < batch on the given kernel. Arguments are pre-checked, k ≥ 1, m, n ≥ 1. */
export function gemmWasm(
  kernel: WasmKernel, m: number, n: number, k: number, batch: number,
  a: GemmOperand, b: GemmOperand, out: FloatArray, outOffset: number,
): void {
  const ex = kernel.exports;
  const f64 = out instanceof Float64Array;
  const size = f64 ? 8 : 4;
  const mr = ex.micro_rows();
  const nr = 32 / size;
  const mPanels = Math.ceil(m / mr);
  const nPanels = Math.ceil(n / nr);
  const ldc = nPanels * nr;
  const aBytes = mPanels * mr * k * size;
  const bBytes = nPanels * nr * k * size;
  const base = (ex.heap_base() + 63) & ~63;
  const aPtr = base;
  const bPtr = aPtr + ((aBytes + 63) & ~63);
  const cPtr = bPtr + ((bBytes + 63) & ~63);
  ensureMemory(ex.memory, cPtr + mPanels * mr * ldc * size);
  // Views are taken after growing: growth detaches the old ArrayBuffer.
  const mem: FloatArray = f64 ? new Float64Array(ex.memory.buffer) : new Float32Array(ex.memory.buffer);
  const kcBlock = Math.max(16, Math.floor(KC_BYTES / size));
  const mcPanels = Math.max(1, Math.floor(MC_BYTES / (mr * Math.min(k, kcBlock) * size)));
  const run = f64 ? ex.gemm_f64 : ex.gemm_f32;
  for (let bi = 0; bi < batch; bi++) {
    if (bi === 0 || a.batchStride !== 0) {
      packPanels(a.data, a.offset + bi * a.batchStride, a.rowStride, a.colStride, m, k, mr, mem, aPtr / size);
    }
    if (bi === 0 || b.batchStride !== 0) {
      packPanels(b.data, b.offset + bi * b.batchStride, b.colStride, b.rowStride, n, k, nr, mem, bPtr / size);
    }
    run(aPtr, bPtr, cPtr, mPanels, nPanels, k, kcBlock, mcPanels);
    const o = outOffset + bi * m * n;
    const c0 = cPtr / size;
    if (ldc === n) {
      out.set(mem.subarray(c0, c0 + m * n), o);
    } else {
      for (let i = 0; i < m; i++) out.set(mem.subarray(c0 + i * ldc, c0 + i * ldc + n), o + i * n);
    }
  }
}
