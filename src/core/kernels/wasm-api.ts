/**
 * The few WebAssembly members Strata's kernels use. The compiler's lib (es2022) has no WebAssembly typings, so they
 * are declared once here; reading the global through globalThis also covers engines without WebAssembly (then
 * `wasmApi` is undefined and every kernel falls back to its JavaScript loop).
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
export interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
  Memory: new (d: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
}
export const wasmApi: WasmApi | undefined = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
