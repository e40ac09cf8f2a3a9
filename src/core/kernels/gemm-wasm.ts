/**
 * The WebAssembly SIMD matmul backend: host side. The elements each operand view touches are copied into the
 * module's linear memory, one call of the AssemblyScript kernel (`asm/gemm.ts`) packs them and computes every
 * C[b] there, and the batch of results is copied out in one block. Two builds of the same kernel ship as
 * base64: one using relaxed-SIMD fused multiply-add, one plain SIMD mul + add for engines without relaxed SIMD.
 */
import { setFlagsFromString } from 'node:v8';
import type { FloatArray, GemmOperand } from './gemm-types.ts';
import { GEMM_WASM_FMA, GEMM_WASM_SIMD } from './gemm-wasm-binary.ts';
import { wasmApi, type WasmMemory } from './wasm-api.ts';


type GemmExport = (
  aRaw: number, ars: number, acs: number, abs: number, bRaw: number, brs: number, bcs: number, bbs: number,
  c: number, m: number, n: number, k: number, batch: number, aPack: number, bPack: number, tile: number,
  kcBlock: number, mcPanels: number,
) => void;

interface KernelExports {
  memory: WasmMemory;
  gemm_f64: GemmExport;
  gemm_f32: GemmExport;
  heap_base(): number;
  micro_rows(): number;
  micro_cols(elementBytes: number): number;
}

export interface WasmKernel {
  readonly fma: boolean;
  readonly exports: KernelExports;
}

/** k-block: one A micro-panel slice (MR·KC) plus one B slice (KC·NR) fit L1 with room for C. KC of 128–512 and
 *  MC of 128–512 KiB measured within noise of each other at 512 and 1024. */
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

/** Grow linear memory to at least `bytes`; false when the engine refuses (wasm32 tops out at 4 GiB). */
function ensureMemory(memory: WasmMemory, bytes: number): boolean {
  const have = memory.buffer.byteLength;
  if (bytes <= have) return true;
  try {
    memory.grow(Math.ceil((bytes - have) / PAGE));
    return true;
  } catch {
    return false;
  }
}

const align = (bytes: number) => Math.ceil(bytes / 64) * 64;

/** Where an operand's elements sit in linear memory: byte address of its first element and its element strides. */
interface Staged {
  ptr: number;
  rs: number;
  cs: number;
  bs: number;
}

/**
 * Copy the elements an operand view touches into linear memory at byte address `ptr`. A view whose extent is at
 * most twice its element count is copied as one block (a memcpy; the kernel resolves the strides while packing);
 * a sparser view is gathered into compact row-major planes so a small window of a huge array stays cheap.
 */
function stage(op: GemmOperand, rows: number, cols: number, batch: number, mem: FloatArray, ptr: number, size: number): Staged {
  const planes = op.batchStride === 0 ? 1 : batch;
  const last = op.offset + (planes - 1) * op.batchStride + (rows - 1) * op.rowStride + (cols - 1) * op.colStride;
  const span = last - op.offset + 1;
  const at = ptr / size;
  if (span <= 2 * planes * rows * cols) {
    mem.set(op.data.subarray(op.offset, last + 1), at);
    return { ptr, rs: op.rowStride, cs: op.colStride, bs: op.batchStride };
  }
  let d = at;
  for (let bi = 0; bi < planes; bi++) {
    for (let i = 0; i < rows; i++) {
      let s = op.offset + bi * op.batchStride + i * op.rowStride;
      for (let j = 0; j < cols; j++, s += op.colStride) mem[d++] = op.data[s]!;
    }
  }
  return { ptr, rs: cols, cs: 1, bs: op.batchStride === 0 ? 0 : rows * cols };
}

/** Bytes of linear memory an operand occupies once staged (see `stage`). */
function stagedBytes(op: GemmOperand, rows: number, cols: number, batch: number, size: number): number {
  const planes = op.batchStride === 0 ? 1 : batch;
  const span = (planes - 1) * op.batchStride + (rows - 1) * op.rowStride + (cols - 1) * op.colStride + 1;
  return align((span <= 2 * planes * rows * cols ? span : planes * rows * cols) * size);
}

/**
 * C[b] = A[b]·B[b] for every b < batch on the given kernel. Arguments are pre-checked, k ≥ 1, m, n ≥ 1.
 * Returns false, having written nothing, when linear memory cannot hold the operands and the batch of results.
 */
export function gemmWasm(
  kernel: WasmKernel, m: number, n: number, k: number, batch: number,
  a: GemmOperand, b: GemmOperand, out: FloatArray, outOffset: number,
): boolean {
  const ex = kernel.exports;
  const f64 = out instanceof Float64Array;
  const size = f64 ? 8 : 4;
  const mr = ex.micro_rows();
  const nr = ex.micro_cols(size);
  const aRaw = align(ex.heap_base());
  const bRaw = aRaw + stagedBytes(a, m, k, batch, size);
  const aPack = bRaw + stagedBytes(b, k, n, batch, size);
  const bPack = aPack + align(Math.ceil(m / mr) * mr * k * size);
  const tile = bPack + align(Math.ceil(n / nr) * nr * k * size);
  const cPtr = tile + align(mr * nr * size);
  if (!ensureMemory(ex.memory, cPtr + batch * m * n * size)) return false;
  // Views are taken after growing: growth detaches the old ArrayBuffer.
  const mem: FloatArray = f64 ? new Float64Array(ex.memory.buffer) : new Float32Array(ex.memory.buffer);
  const sa = stage(a, m, k, batch, mem, aRaw, size);
  const sb = stage(b, k, n, batch, mem, bRaw, size);
  const kcBlock = Math.max(16, Math.floor(KC_BYTES / size));
  const mcPanels = Math.max(1, Math.floor(MC_BYTES / (mr * Math.min(k, kcBlock) * size)));
  (f64 ? ex.gemm_f64 : ex.gemm_f32)(sa.ptr, sa.rs, sa.cs, sa.bs, sb.ptr, sb.rs, sb.cs, sb.bs,
    cPtr, m, n, k, batch, aPack, bPack, tile, kcBlock, mcPanels);
  out.set(mem.subarray(cPtr / size, cPtr / size + batch * m * n), outOffset);
  return true;
}
