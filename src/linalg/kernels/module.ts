/**
 * Loading the linalg WebAssembly kernels (asm/linalg-kernels.ts, committed as base64 in linalg-wasm-binary.ts): two
 * compiled modules, one with its own memory and one importing a shared memory. A module that an engine rejects is
 * recorded with the reason (`kernelSupport()`), so the callers fall back to their JS loops and the tests can fail
 * loudly where WebAssembly SIMD is expected (Node ≥ 20) instead of skipping.
 */
import { wasmApi } from '../../core/index.ts';
import { LINALG_WASM, LINALG_WASM_SHARED } from './linalg-wasm-binary.ts';


/** The kernels' exports; every pointer is a byte address, see asm/linalg-kernels.ts. */
export interface Exports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  gemv(a: number, x: number, y: number, m: number, n4: number): void;
  mdot(vb: number, c4: number, w: number, lim: number, stride: number, out: number): void;
  maxpy(vb: number, c4: number, h: number, w: number, lim: number, stride: number): void;
  spmv(ip: number, ipEnd: number, ix: number, v: number, x: number, y: number): void;
  symv(a: number, x: number, y: number, j0: number, j1: number, nBytes: number): void;
  symcheck(s: number, pk: number, n: number, N: number, nFull: number): number;
}

interface Loaded { module: object | null; error: string | null }
const loaded = new Map<'own' | 'shared', Loaded>();

function compile(which: 'own' | 'shared'): Loaded {
  let l = loaded.get(which);
  if (l) return l;
  try {
    if (!wasmApi) throw new Error('this engine has no WebAssembly');
    if (which === 'shared' && typeof SharedArrayBuffer !== 'function') throw new Error('this engine has no SharedArrayBuffer');
    const bytes = new Uint8Array(Buffer.from(which === 'own' ? LINALG_WASM : LINALG_WASM_SHARED, 'base64'));
    if (!wasmApi.validate(bytes)) throw new Error('the module does not validate (no WebAssembly SIMD or threads?)');
    l = { module: new wasmApi.Module(bytes), error: null };
  } catch (e) {
    l = { module: null, error: (e as Error).message };
  }
  loaded.set(which, l);
  return l;
}

/** The module with its own memory, or null where the engine cannot run it (callers keep their JS loops). */
export function ownModule(): object | null { return compile('own').module; }
/** The module importing a shared memory (the worker split), or null. */
export function sharedModule(): object | null { return compile('shared').module; }

/** Whether each build loads here, with the reason when not. */
export function kernelSupport(): { own: true | string; shared: true | string } {
  const o = compile('own'), s = compile('shared');
  return { own: o.module ? true : o.error!, shared: s.module ? true : s.error! };
}

/** A fresh instance with its own memory of at least `bytes`. */
export function ownInstance(module: object, bytes: number): Exports {
  const ex = new wasmApi!.Instance(module, {}).exports as Exports;
  const have = ex.memory.buffer.byteLength;
  if (bytes > have) ex.memory.grow(Math.ceil((bytes - have) / 65536));
  return ex;
}

/** An instance on a fresh shared memory of `bytes`, plus a 64-byte control block for a helper thread at ctlOff. */
export function sharedInstance(module: object, bytes: number): { ex: Exports; memory: unknown; ctlOff: number } {
  const ctlOff = Math.ceil(bytes / 64) * 64, pages = Math.ceil((ctlOff + 64) / 65536);
  const memory = new wasmApi!.Memory({ initial: pages, maximum: pages, shared: true });
  return { ex: new wasmApi!.Instance(module, { env: { memory } }).exports as Exports, memory, ctlOff };
}
