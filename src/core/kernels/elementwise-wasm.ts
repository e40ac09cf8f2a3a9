/**
 * Host side of the WebAssembly SIMD transcendental kernels (`asm/elementwise.ts`). Tensor storage stays in
 * ordinary typed arrays; each call streams its input through one 64 KiB window of linear memory (copy in, compute
 * in place, copy out), which stays in L1/L2, so the copies cost a fraction of the transcendental arithmetic.
 * Returns false when the engine has no WebAssembly SIMD; callers then run their JavaScript loop.
 */
import type { FloatArray } from './gemm-types.ts';
import { ELEMENTWISE_WASM } from './elementwise-wasm-binary.ts';
import { wasmApi, type WasmMemory } from './wasm-api.ts';


type Stream = (src: number, dst: number, n: number) => void;
type Rows = (src: number, rows: number, r: number, out: number) => void;
interface Exports {
  memory: WasmMemory;
  exp_f64: Stream; tanh_f64: Stream; sigmoid_f64: Stream;
  exp_f32: Stream; tanh_f32: Stream; sigmoid_f32: Stream;
  silu_f64: Stream; siluGrad_f64: Stream; silu_f32: Stream; siluGrad_f32: Stream;
  logsumexp_rows_f64: Rows; logsumexp_rows_f32: Rows;
  heap_base(): number;
}

export type WasmUnaryOp = 'exp' | 'tanh' | 'sigmoid' | 'silu' | 'siluGrad';
export const WASM_UNARY_OPS: ReadonlySet<string> = new Set<WasmUnaryOp>(['exp', 'tanh', 'sigmoid', 'silu', 'siluGrad']);

const WINDOW_BYTES = 64 * 1024;
const PAGE = 65536;

interface State {
  ex: Exports;
  base: number;
  f64: Float64Array;
  f32: Float32Array;
}
let state: State | null | undefined;

function views(ex: Exports, base: number): State {
  return { ex, base, f64: new Float64Array(ex.memory.buffer), f32: new Float32Array(ex.memory.buffer) };
}

function ensure(bytes: number): State | null {
  if (state === undefined) {
    state = null;
    if (wasmApi) {
      try {
        const bytesIn = new Uint8Array(Buffer.from(ELEMENTWISE_WASM, 'base64'));
        if (wasmApi.validate(bytesIn)) {
          const ex = new wasmApi.Instance(new wasmApi.Module(bytesIn), {}).exports as Exports;
          state = views(ex, Math.ceil(ex.heap_base() / 64) * 64);
        }
      } catch {
        state = null;
      }
    }
  }
  if (state === null) return null;
  const need = state.base + bytes;
  const have = state.ex.memory.buffer.byteLength;
  if (need > have) {
    try {
      state.ex.memory.grow(Math.ceil((need - have) / PAGE));
    } catch {
      return null;
    }
    // Growth detaches the old buffer: rebuild the views.
    state = views(state.ex, state.base);
  }
  return state;
}

/** True when the wasm kernels load in this engine. */
export function elementwiseWasmAvailable(): boolean {
  return ensure(WINDOW_BYTES) !== null;
}

/** out[outOff + i] = op(src[srcOff + i]) for i < n, both arrays of the same float type. */
export function unaryWasm(op: WasmUnaryOp, src: FloatArray, srcOff: number, out: FloatArray, outOff: number, n: number): boolean {
  const st = ensure(WINDOW_BYTES);
  if (!st) return false;
  const f64 = src instanceof Float64Array;
  const size = f64 ? 8 : 4;
  const mem: FloatArray = f64 ? st.f64 : st.f32;
  const fn = st.ex[`${op}_${f64 ? 'f64' : 'f32'}`];
  const chunk = WINDOW_BYTES / size;
  const at = st.base / size;
  for (let s = 0; s < n; s += chunk) {
    const len = Math.min(chunk, n - s);
    mem.set(src.subarray(srcOff + s, srcOff + s + len), at);
    fn(st.base, st.base, len);
    out.set(mem.subarray(at, at + len), outOff + s);
  }
  return true;
}

/** out[i] = log Σ_j exp(src[srcOff + i·r + j]) for i < rows (float64 results), or false without wasm. */
export function logsumexpRowsWasm(src: FloatArray, srcOff: number, rows: number, r: number, out: Float64Array): boolean {
  const f64 = src instanceof Float64Array;
  const size = f64 ? 8 : 4;
  const perChunk = Math.max(1, Math.floor(WINDOW_BYTES / (r * size)));
  const inBytes = Math.ceil((perChunk * r * size) / 64) * 64;
  const st = ensure(inBytes + perChunk * 8);
  if (!st) return false;
  const mem: FloatArray = f64 ? st.f64 : st.f32;
  const fn = f64 ? st.ex.logsumexp_rows_f64 : st.ex.logsumexp_rows_f32;
  const at = st.base / size;
  const outPtr = st.base + inBytes;
  for (let i = 0; i < rows; i += perChunk) {
    const k = Math.min(perChunk, rows - i);
    mem.set(src.subarray(srcOff + i * r, srcOff + (i + k) * r), at);
    fn(st.base, k, r, outPtr);
    out.set(st.f64.subarray(outPtr / 8, outPtr / 8 + k), i);
  }
  return true;
}
