/**
 * A WebAssembly SIMD matrix–vector product for large float64 Dense operators (CG and Lanczos on a dense matrix are
 * one GEMV per iteration). The core gemm packs both operands into its linear memory on every call, which for a
 * single vector costs as much as the product; here the matrix is staged once into a module instance of its own and
 * only x and y cross the boundary per product. The kernel is y += Σⱼ a_j·x_j over four columns at a time with
 * f64x2 lanes (y stays in L1, A streams once); the module is assembled below from its bytecode (no toolchain).
 *
 *   gemv(a, x, y, m, n4): for j in 0, 4, …, n4−4: for even rows i: y[i:i+2] += A[i:i+2, j..j+3]·x[j..j+3]
 *
 * Odd trailing rows and the n mod 4 trailing columns are finished in JS by the caller.
 */

import * as nodeOsModule from 'node:os';
import { sameF64, sameI32 } from './kernels/staging.ts';
import * as nodeWorkerModule from 'node:worker_threads';
const nodeOs: typeof nodeOsModule | null = nodeOsModule;
const nodeWorkers: typeof nodeWorkerModule | null = nodeWorkerModule;

const wasmApi = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
interface Exports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  gemv(a: number, x: number, y: number, m: number, n4: number): void;
  mdot(vb: number, c4: number, w: number, lim: number, stride: number, out: number): void;
  maxpy(vb: number, c4: number, h: number, w: number, lim: number, stride: number): void;
  spmv(ip: number, ipEnd: number, ix: number, v: number, x: number, y: number): void;
  symv(a: number, x: number, y: number, j0: number, j1: number, nBytes: number): void;
}

function uleb(n: number): number[] { const out: number[] = []; do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; out.push(b); } while (n); return out; }
function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) { const b = n & 0x7f; n >>= 7; if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) { out.push(b); return out; } out.push(b | 0x80); }
}
const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];
const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
const str = (s: string) => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];

// Opcodes used.
const GET = 0x20, SET = 0x21, I32 = 0x41, ADD = 0x6a, MUL = 0x6c, SHL = 0x74, AND = 0x71, GEU = 0x4f;
const BLOCK = 0x02, LOOP = 0x03, BR = 0x0c, BRIF = 0x0d, END = 0x0b, VOID = 0x40, F64LOAD = 0x2b;
const SIMD = 0xfd, V128LOAD = [SIMD, 0x00], V128STORE = [SIMD, 0x0b], SPLAT = [SIMD, 0x14], F64X2ADD = [SIMD, 0xf0, 0x01], F64X2MUL = [SIMD, 0xf2, 0x01];
const F64X2SUB = [SIMD, 0xf1, 0x01], EXTRACT = [SIMD, 0x21], V128ZERO = [SIMD, 0x0c, ...new Array<number>(16).fill(0)], F64ADD = 0xa0, F64STORE = 0x39;
// Locals: params a x y m n4 (0–4); j i cb lim pa pa1 pa2 pa3 (5–12, i32); x0..x3 (13–16, v128).
const [A, X, Y, M, N4, J, I, CB, LIM, PA, PA1, PA2, PA3, X0] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13];

function body(): number[] {
  const c: number[] = [];
  const get = (l: number) => c.push(GET, l), set = (l: number) => c.push(SET, l), i32 = (v: number) => c.push(I32, ...sleb(v));
  get(M); i32(3); c.push(SHL); set(CB);                       // cb = m·8 (column stride in bytes)
  get(M); i32(-2); c.push(AND); i32(3); c.push(SHL); set(LIM); // lim = (m & ~1)·8
  i32(0); set(J);
  c.push(BLOCK, VOID, LOOP, VOID);
  get(J); get(N4); c.push(GEU, BRIF, 1);
  get(A); get(J); get(CB); c.push(MUL, ADD); set(PA);
  get(PA); get(CB); c.push(ADD); set(PA1);
  get(PA1); get(CB); c.push(ADD); set(PA2);
  get(PA2); get(CB); c.push(ADD); set(PA3);
  for (let k = 0; k < 4; k++) { get(X); get(J); i32(3); c.push(SHL, ADD, F64LOAD, 3, ...uleb(8 * k), ...SPLAT); set(X0 + k); }
  i32(0); set(I);
  c.push(BLOCK, VOID, LOOP, VOID);
  get(I); get(LIM); c.push(GEU, BRIF, 1);
  get(Y); get(I); c.push(ADD);                                 // store address
  get(Y); get(I); c.push(ADD, ...V128LOAD, 3, 0);              // y[i:i+2]
  for (let k = 0; k < 4; k++) { get(PA + k); get(I); c.push(ADD, ...V128LOAD, 3, 0); get(X0 + k); c.push(...F64X2MUL, ...F64X2ADD); }
  c.push(...V128STORE, 3, 0);
  get(I); i32(16); c.push(ADD); set(I);
  c.push(BR, 0, END, END);
  get(J); i32(4); c.push(ADD); set(J);
  c.push(BR, 0, END, END);
  c.push(END);
  const locals = vec([[8, 0x7f], [4, 0x7b]]);
  return [...uleb(locals.length + c.length), ...locals, ...c];
}

/**
 * mdot(vb, c4, w, lim, stride, out): out[k] = V_k·w for k < c4 (a multiple of 4), V_k at vb + k·stride bytes, over
 * the first lim bytes (an even number of doubles), four vectors per pass over w with f64x2 accumulators.
 */
function mdotBody(): number[] {
  const c: number[] = [];
  const [VB, C4, W, LIMp, ST, OUT, K, II, P0] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const ACC = 12, XV = 16;
  const get = (l: number) => c.push(GET, l), set = (l: number) => c.push(SET, l), i32 = (v: number) => c.push(I32, ...sleb(v));
  i32(0); set(K);
  c.push(BLOCK, VOID, LOOP, VOID);
  get(K); get(C4); c.push(GEU, BRIF, 1);
  get(VB); get(K); get(ST); c.push(MUL, ADD); set(P0);
  for (let q = 1; q < 4; q++) { get(P0 + q - 1); get(ST); c.push(ADD); set(P0 + q); }
  for (let q = 0; q < 4; q++) { c.push(...V128ZERO); set(ACC + q); }
  i32(0); set(II);
  c.push(BLOCK, VOID, LOOP, VOID);
  get(II); get(LIMp); c.push(GEU, BRIF, 1);
  get(W); get(II); c.push(ADD, ...V128LOAD, 3, 0); set(XV);
  for (let q = 0; q < 4; q++) { get(ACC + q); get(P0 + q); get(II); c.push(ADD, ...V128LOAD, 3, 0); get(XV); c.push(...F64X2MUL, ...F64X2ADD); set(ACC + q); }
  get(II); i32(16); c.push(ADD); set(II);
  c.push(BR, 0, END, END);
  for (let q = 0; q < 4; q++) {
    get(OUT); get(K); i32(3); c.push(SHL, ADD);
    get(ACC + q); c.push(...EXTRACT, 0); get(ACC + q); c.push(...EXTRACT, 1, F64ADD);
    c.push(F64STORE, 3, ...uleb(8 * q));
  }
  get(K); i32(4); c.push(ADD); set(K);
  c.push(BR, 0, END, END, END);
  const locals = vec([[6, 0x7f], [5, 0x7b]]);
  return [...uleb(locals.length + c.length), ...locals, ...c];
}

/** maxpy(vb, c4, h, w, lim, stride): w −= Σ_{k<c4} h[k]·V_k over the first lim bytes, four vectors per pass over w. */
function maxpyBody(): number[] {
  const c: number[] = [];
  const [VB, C4, Hh, W, LIMp, ST, K, II, P0] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const HV = 12;
  const get = (l: number) => c.push(GET, l), set = (l: number) => c.push(SET, l), i32 = (v: number) => c.push(I32, ...sleb(v));
  i32(0); set(K);
  c.push(BLOCK, VOID, LOOP, VOID);
  get(K); get(C4); c.push(GEU, BRIF, 1);
  get(VB); get(K); get(ST); c.push(MUL, ADD); set(P0);
  for (let q = 1; q < 4; q++) { get(P0 + q - 1); get(ST); c.push(ADD); set(P0 + q); }
  for (let q = 0; q < 4; q++) { get(Hh); get(K); i32(3); c.push(SHL, ADD, F64LOAD, 3, ...uleb(8 * q), ...SPLAT); set(HV + q); }
  i32(0); set(II);
  c.push(BLOCK, VOID, LOOP, VOID);
  get(II); get(LIMp); c.push(GEU, BRIF, 1);
  get(W); get(II); c.push(ADD);                                  // store address
  get(W); get(II); c.push(ADD, ...V128LOAD, 3, 0);               // w[i:i+2]
  get(P0); get(II); c.push(ADD, ...V128LOAD, 3, 0); get(HV); c.push(...F64X2MUL);
  for (let q = 1; q < 4; q++) { get(P0 + q); get(II); c.push(ADD, ...V128LOAD, 3, 0); get(HV + q); c.push(...F64X2MUL, ...F64X2ADD); }
  c.push(...F64X2SUB, ...V128STORE, 3, 0);
  get(II); i32(16); c.push(ADD); set(II);
  c.push(BR, 0, END, END);
  get(K); i32(4); c.push(ADD); set(K);
  c.push(BR, 0, END, END, END);
  const locals = vec([[6, 0x7f], [4, 0x7b]]);
  return [...uleb(locals.length + c.length), ...locals, ...c];
}

/**
 * spmv(ip, ipEnd, ix, v, x, y): CSR y[i] = Σ_k v[k]·x[ix[k]] for the rows whose indptr entries lie in [ip, ipEnd)
 * (byte addresses), two accumulators per row (even and odd entries, the odd tail into the even one — the same
 * summation order as the JS spmv64, so both give identical bits). Byte pointers walk ix and v; the gather x[ix[k]]
 * is one i32 load, a shift and an f64 load, without the JS typed-array bounds checks.
 */
function spmvBody(): number[] {
  const c: number[] = [];
  const [IP, IPE, IX, VV, XX, YY, K4, K8, E4, S0, S1] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const get = (l: number) => c.push(GET, l), set = (l: number) => c.push(SET, l), i32 = (v: number) => c.push(I32, ...sleb(v));
  const F64MUL = 0xa2, I32LOAD = 0x28, GTU = 0x4b, LTU = 0x49, IF = 0x04;
  const zero = () => c.push(0x44, 0, 0, 0, 0, 0, 0, 0, 0);
  // x[ix[K4 + off]] on the stack
  const gather = (off: number) => { get(XX); get(K4); c.push(I32LOAD, 2, ...uleb(off)); i32(3); c.push(SHL, ADD, F64LOAD, 3, 0); };
  c.push(BLOCK, VOID, LOOP, VOID);
  get(IP); get(IPE); c.push(GEU, BRIF, 1);
  get(IX); get(IP); c.push(I32LOAD, 2, 0); i32(2); c.push(SHL, ADD); set(K4);
  get(VV); get(IP); c.push(I32LOAD, 2, 0); i32(3); c.push(SHL, ADD); set(K8);
  get(IX); get(IP); c.push(I32LOAD, 2, 4); i32(2); c.push(SHL, ADD); set(E4);
  zero(); set(S0); zero(); set(S1);
  c.push(BLOCK, VOID, LOOP, VOID);
  get(K4); i32(8); c.push(ADD); get(E4); c.push(GTU, BRIF, 1);
  get(S0); get(K8); c.push(F64LOAD, 3, 0); gather(0); c.push(F64MUL, F64ADD); set(S0);
  get(S1); get(K8); c.push(F64LOAD, 3, 8); gather(4); c.push(F64MUL, F64ADD); set(S1);
  get(K4); i32(8); c.push(ADD); set(K4);
  get(K8); i32(16); c.push(ADD); set(K8);
  c.push(BR, 0, END, END);
  get(K4); get(E4); c.push(LTU, IF, VOID);
  get(S0); get(K8); c.push(F64LOAD, 3, 0); gather(0); c.push(F64MUL, F64ADD); set(S0);
  c.push(END);
  get(YY); get(S0); get(S1); c.push(F64ADD, F64STORE, 3, 0);
  get(YY); i32(8); c.push(ADD); set(YY);
  get(IP); i32(4); c.push(ADD); set(IP);
  c.push(BR, 0, END, END, END);
  const locals = vec([[3, 0x7f], [2, 0x7c]]);
  return [...uleb(locals.length + c.length), ...locals, ...c];
}

/**
 * symv(a, x, y, j0, j1, nBytes): the off-diagonal-block part of a symmetric product, y += L·x + Lᵀ·x, over the
 * column blocks j0/8 ≤ j < j1/8 (a pointing at block j0's first entry), for an order N = nBytes/8 (a multiple of
 * SYMV_W) whose lower triangle is packed by column blocks j … j+W−1 (j a multiple of W): for
 * each row pair i, i+1 ≥ j+W the W pairs [A(i,c), A(i+1,c)], c = j … j+W−1, lie consecutively, so one pointer and
 * constant offsets address them (the W×W diagonal blocks are left to the caller). Each stored entry is read once and
 * used twice (an axpy into y[i:i+2] and a dot into y[c]), so a product streams n²/2 doubles instead of n² (cf.
 * BLAS dsymv/dspmv); W = 4 columns share each load and store of y and load of x.
 */
export const SYMV_W = 4;
function symvBody(): number[] {
  const c: number[] = [];
  const W = SYMV_W;
  const [AA, XX, YY, J0, J1, NB, JJ, PP, II] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const XQ = 9, AC = XQ + W, AV = AC + W, XV = AV + W;
  const get = (l: number) => c.push(GET, l), set = (l: number) => c.push(SET, l), i32 = (v: number) => c.push(I32, ...sleb(v));
  get(AA); set(PP); get(J0); set(JJ);
  c.push(BLOCK, VOID, LOOP, VOID);
  get(JJ); get(J1); c.push(GEU, BRIF, 1);
  for (let q = 0; q < W; q++) { get(XX); get(JJ); c.push(ADD, F64LOAD, 3, ...uleb(8 * q), ...SPLAT); set(XQ + q); }
  for (let q = 0; q < W; q++) { c.push(...V128ZERO); set(AC + q); }
  get(JJ); i32(8 * W); c.push(ADD); set(II);
  c.push(BLOCK, VOID, LOOP, VOID);
  get(II); get(NB); c.push(GEU, BRIF, 1);
  for (let q = 0; q < W; q++) { get(PP); c.push(...V128LOAD, 3, ...uleb(16 * q)); set(AV + q); }
  get(XX); get(II); c.push(ADD, ...V128LOAD, 3, 0); set(XV);
  get(YY); get(II); c.push(ADD);
  get(YY); get(II); c.push(ADD, ...V128LOAD, 3, 0);
  for (let q = 0; q < W; q++) { get(AV + q); get(XQ + q); c.push(...F64X2MUL, ...F64X2ADD); }
  c.push(...V128STORE, 3, 0);
  for (let q = 0; q < W; q++) { get(AC + q); get(AV + q); get(XV); c.push(...F64X2MUL, ...F64X2ADD); set(AC + q); }
  get(PP); i32(16 * W); c.push(ADD); set(PP);
  get(II); i32(16); c.push(ADD); set(II);
  c.push(BR, 0, END, END);
  for (let q = 0; q < W; q++) { // y[j+q] += acc_q,0 + acc_q,1
    get(YY); get(JJ); c.push(ADD);
    get(YY); get(JJ); c.push(ADD, F64LOAD, 3, ...uleb(8 * q));
    get(AC + q); c.push(...EXTRACT, 0); get(AC + q); c.push(...EXTRACT, 1, F64ADD, F64ADD, F64STORE, 3, ...uleb(8 * q));
  }
  get(JJ); i32(8 * W); c.push(ADD); set(JJ);
  c.push(BR, 0, END, END, END);
  const locals = vec([[3, 0x7f], [3 * W + 1, 0x7b]]);
  return [...uleb(locals.length + c.length), ...locals, ...c];
}

function moduleBytes(shared = false): Uint8Array {
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, 5, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0], [0x60, 6, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0]])),
    // A shared memory (for the worker split of StagedSymv) is imported — limits flag 3: shared, with a maximum.
    ...(shared ? section(2, vec([[...str('env'), ...str('memory'), 0x02, 0x03, 0, ...uleb(65536)]])) : []),
    ...section(3, vec([[0], [1], [1], [1], [1]])),
    ...(shared ? [] : section(5, vec([[0x00, 1]]))),
    ...section(7, vec([[...str('gemv'), 0x00, 0], [...str('mdot'), 0x00, 1], [...str('maxpy'), 0x00, 2], [...str('spmv'), 0x00, 3], [...str('symv'), 0x00, 4], [...str('memory'), 0x02, 0]])),
    ...section(10, vec([body(), mdotBody(), maxpyBody(), spmvBody(), symvBody()])),
  ]);
}

let compiledShared: object | null | undefined;
/** The same module importing a shared memory, for the StagedSymv worker split; null where unsupported. */
function sharedModule(): object | null {
  if (compiledShared !== undefined) return compiledShared;
  try {
    const bytes = moduleBytes(true);
    compiledShared = wasmApi && typeof SharedArrayBuffer === 'function' && wasmApi.validate(bytes) ? new wasmApi.Module(bytes) : null;
  } catch { compiledShared = null; }
  return compiledShared;
}

let compiled: object | null | undefined;
function wasmModule(): object | null {
  if (compiled !== undefined) return compiled;
  try {
    const bytes = moduleBytes();
    compiled = wasmApi && wasmApi.validate(bytes) ? new wasmApi.Module(bytes) : null;
  } catch { compiled = null; }
  return compiled;
}

/** A column-major m×n float64 matrix staged in its own module instance; `apply(x)` returns A·x. */
export class StagedGemv {
  private readonly ex: Exports;
  private readonly aOff = 0; private readonly xOff: number; private readonly yOff: number;
  private constructor(private readonly a: Float64Array, private readonly m: number, private readonly n: number, ex: Exports) {
    this.ex = ex;
    this.xOff = m * n * 8; this.yOff = this.xOff + n * 8 + 16;
    new Float64Array(ex.memory.buffer, 0, m * n).set(a);
  }
  /** null when the engine has no WebAssembly SIMD (callers keep the JS loop). */
  static create(a: Float64Array, m: number, n: number): StagedGemv | null {
    const mod = wasmModule();
    if (!mod || !wasmApi) return null;
    const ex = new wasmApi.Instance(mod, {}).exports as Exports;
    const bytes = (m * n + n + m + 4) * 8, have = ex.memory.buffer.byteLength;
    if (bytes > have) ex.memory.grow(Math.ceil((bytes - have) / 65536));
    return new StagedGemv(a, m, n, ex);
  }
  /** Whether the staged copy still equals the storage it was made from (every entry). */
  matches(): boolean { return sameF64(this.a, new Float64Array(this.ex.memory.buffer, 0, this.m * this.n), this.m * this.n); }
  apply(x: ArrayLike<number>, out: Float64Array): void {
    const { m, n, ex } = this, buf = ex.memory.buffer;
    const xv = new Float64Array(buf, this.xOff, n), yv = new Float64Array(buf, this.yOff, m);
    for (let j = 0; j < n; j++) xv[j] = x[j]!;
    yv.fill(0);
    const n4 = n - (n % 4);
    ex.gemv(this.aOff, this.xOff, this.yOff, m, n4);
    out.set(yv);
    const a = this.a;
    // Odd last row over the first n4 columns, then the n mod 4 trailing columns, in JS.
    if (m % 2 === 1) { let s = 0; const r = m - 1; for (let j = 0; j < n4; j++) s += a[j * m + r]! * xv[j]!; out[r] = out[r]! + s; }
    for (let j = n4; j < n; j++) { const xj = xv[j]!, o = j * m; for (let i = 0; i < m; i++) out[i] = out[i]! + a[o + i]! * xj; }
  }
}

/**
 * An exactly symmetric float64 matrix (column-major, order n) staged as its packed lower triangle for `symv`: the
 * order is padded with zero rows and columns to N, a multiple of SYMV_W; the W×W diagonal blocks stay in JS. The
 * caller checks symmetry (`isExactlySymmetric`) — this reads only the lower triangle.
 *
 * From SPLIT_MIN on, when the machine has a second core, the packed triangle lives in a shared memory and a worker
 * thread runs the trailing column blocks into its own copy of y while this thread runs the leading ones (split at
 * N(1 − 1/√2), which halves the triangle's area); the two halves are summed here. One product is a few hundred µs
 * of streaming, so the hand-off is an Atomics counter, not a message. Until the worker reports ready, and wherever
 * threads or shared memories are missing, this thread runs all blocks.
 */
export class StagedSymv {
  private readonly xv: Float64Array; private readonly yv: Float64Array; private readonly diag: Float64Array;
  private readonly xOff: number; private readonly yOff: number;
  private split: { y1: Float64Array; y1Off: number; jSplit: number; aSplit: number; helper: Helper | null } | null = null;
  private constructor(private readonly ex: Exports, private readonly a: Float64Array, private readonly n: number, private readonly N: number, private readonly packed: number, threads: boolean) {
    this.xOff = packed * 8; this.yOff = this.xOff + N * 8;
    const buf = ex.memory.buffer;
    this.xv = new Float64Array(buf, this.xOff, N); this.yv = new Float64Array(buf, this.yOff, N);
    this.diag = new Float64Array(N * SYMV_W);
    if (threads) {
      const W = SYMV_W, jSplit = Math.round((N * (1 - Math.SQRT1_2)) / W) * W;
      let aSplit = 0;
      for (let j = 0; j < jSplit; j += W) aSplit += W * (N - j - W);
      const y1Off = this.yOff + N * 8;
      this.split = { y1: new Float64Array(buf, y1Off, N), y1Off, jSplit, aSplit: aSplit * 8, helper: null };
    }
  }
  static create(a: Float64Array, n: number): StagedSymv | null {
    const mod = wasmModule();
    if (!mod || !wasmApi) return null;
    const W = SYMV_W, N = Math.ceil(n / W) * W;
    let packed = 0;
    for (let j = 0; j < N; j += W) packed += W * (N - j - W);
    const bytes = (packed + 3 * N + 4) * 8;
    const smod = n >= SPLIT_MIN && availableCores() >= 2 ? sharedModule() : null;
    let ex: Exports, shared: { memory: unknown; ctlOff: number } | null = null;
    if (smod) { const si = sharedInstance(smod, bytes); ex = si.ex; shared = si; }
    else {
      ex = new wasmApi.Instance(mod, {}).exports as Exports;
      const have = ex.memory.buffer.byteLength;
      if (bytes > have) ex.memory.grow(Math.ceil((bytes - have) / 65536));
    }
    const st = new StagedSymv(ex, a, n, N, packed, !!shared);
    const P = new Float64Array(ex.memory.buffer, 0, packed), at = (i: number, j: number) => (i < n && j < n ? a[j * n + i]! : 0);
    let o = 0;
    for (let j = 0; j < N; j += W) {
      for (let i = j + W; i < N; i += 2) for (let q = 0; q < W; q++) { P[o++] = at(i, j + q); P[o++] = at(i + 1, j + q); }
      // The W×W diagonal block, column-major.
      for (let q = 0; q < W; q++) for (let r = 0; r < W; r++) st.diag[j * W + q * W + r] = at(j + r, j + q);
    }
    if (st.split && shared) { st.split.helper = Helper.start(smod!, shared.memory, ex.memory.buffer, shared.ctlOff, st); if (!st.split.helper) st.split = null; }
    return st;
  }
  /** Whether products currently run split with the worker (it has started and not been given up). */
  get threaded(): boolean { return !!this.split?.helper?.ready; }
  /**
   * Whether the packed triangle and diagonal blocks still equal the storage's lower triangle and the storage is
   * still exactly symmetric (an edit of one upper entry makes the packed product wrong, so it counts as a change).
   */
  matches(): boolean {
    const { a, n, N, diag } = this, W = SYMV_W, P = new Float64Array(this.ex.memory.buffer, 0, this.packed);
    const at = (i: number, j: number) => (i < n && j < n ? a[j * n + i]! : 0);
    const same = (x: number, y: number) => x === y || (x !== x && y !== y);
    let o = 0;
    for (let j = 0; j < N; j += W) {
      for (let i = j + W; i < N; i += 2) for (let q = 0; q < W; q++) {
        if (!same(P[o++]!, at(i, j + q)) || !same(P[o++]!, at(i + 1, j + q))) return false;
      }
      for (let q = 0; q < W; q++) for (let r = 0; r < W; r++) if (!same(diag[j * W + q * W + r]!, at(j + r, j + q))) return false;
    }
    return isExactlySymmetric(a, n);
  }
  apply(x: ArrayLike<number>, out: Float64Array): void {
    const { n, N, xv, yv, diag } = this, W = SYMV_W, sp = this.split;
    for (let j = 0; j < n; j++) xv[j] = x[j]!;
    for (let j = n; j < N; j++) xv[j] = 0;
    yv.fill(0);
    if (sp?.helper?.ready) {
      sp.y1.fill(0);
      sp.helper.post('symv', [sp.aSplit, this.xOff, sp.y1Off, sp.jSplit * 8, N * 8, N * 8]);
      this.ex.symv(0, this.xOff, this.yOff, 0, sp.jSplit * 8, N * 8);
      if (sp.helper.finish()) { const y1 = sp.y1; for (let i = 0; i < N; i++) yv[i] = yv[i]! + y1[i]!; }
      else this.ex.symv(sp.aSplit, this.xOff, this.yOff, sp.jSplit * 8, N * 8, N * 8); // y1 abandoned
    } else this.ex.symv(0, this.xOff, this.yOff, 0, N * 8, N * 8);
    for (let j = 0; j < N; j += W) {
      const o = j * W;
      for (let q = 0; q < W; q++) { const xq = xv[j + q]!; for (let r = 0; r < W; r++) yv[j + r] = yv[j + r]! + diag[o + q * W + r]! * xq; }
    }
    out.set(n === N ? yv : yv.subarray(0, n));
  }
}

const SPLIT_MIN = 1024;
function availableCores(): number { return nodeOs?.availableParallelism?.() ?? 1; }

/**
 * A helper thread for one staged kernel, sharing that kernel's wasm memory. ctl (10 int32 in the shared memory):
 * [0] request generation, [1] done generation, [2] ready flag, [3..8] the kernel's six arguments, [9] which kernel
 * (0 symv, 1 spmv). One product is a few hundred µs to a few ms of streaming, so the hand-off is an Atomics counter,
 * not a message. The worker is unref'd (it never keeps the process alive) and terminated when its owner is
 * collected; one silent for 2 s is taken as dead and its share runs on the calling thread from then on.
 */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, ctlOff } = workerData;
const ex = new WebAssembly.Instance(module, { env: { memory } }).exports;
const c = new Int32Array(memory.buffer, ctlOff, 10);
Atomics.store(c, 2, 1);
let seen = Atomics.load(c, 0);
for (;;) {
  Atomics.wait(c, 0, seen);
  const g = Atomics.load(c, 0);
  if (g === seen) continue;
  seen = g;
  if (c[9] === 1) ex.spmv(c[3], c[4], c[5], c[6], c[7], c[8]); else ex.symv(c[3], c[4], c[5], c[6], c[7], c[8]);
  Atomics.store(c, 1, g); Atomics.notify(c, 1);
}`;
interface WorkerLike { unref(): void; terminate(): unknown; on(ev: string, f: () => void): unknown }
const workerRegistry = typeof FinalizationRegistry === 'function' ? new FinalizationRegistry<WorkerLike>((w) => { void w.terminate(); }) : null;
const SPLIT_KERNEL = { symv: 0, spmv: 1 } as const;

class Helper {
  private gen = 0; private dead = false;
  private constructor(private readonly ctl: Int32Array, private readonly worker: WorkerLike) {}
  /** A helper over `memory` with its ctl block at byte ctlOff; null without worker threads. */
  static start(module: object, memory: unknown, buf: ArrayBuffer, ctlOff: number, owner: object): Helper | null {
    if (!nodeWorkers) return null;
    try {
      const w = new nodeWorkers.Worker(WORKER_SOURCE, { eval: true, workerData: { module, memory, ctlOff } }) as unknown as WorkerLike;
      w.unref();
      w.on('error', () => {});
      workerRegistry?.register(owner, w);
      return new Helper(new Int32Array(buf, ctlOff, 10), w);
    } catch { return null; }
  }
  get ready(): boolean { return !this.dead && Atomics.load(this.ctl, 2) === 1; }
  /** Starts `kernel(args)` on the helper; `finish()` must follow. */
  post(kernel: keyof typeof SPLIT_KERNEL, args: readonly number[]): void {
    const c = this.ctl;
    for (let t = 0; t < 6; t++) c[3 + t] = args[t]!;
    c[9] = SPLIT_KERNEL[kernel];
    Atomics.store(c, 0, ++this.gen); Atomics.notify(c, 0);
  }
  /** Waits for the posted kernel; false (and the helper is given up) when it stayed silent for 2 s. */
  finish(): boolean {
    const c = this.ctl, g = this.gen;
    for (let d = Atomics.load(c, 1); d !== g; d = Atomics.load(c, 1)) {
      if (Atomics.wait(c, 1, d, 2000) === 'timed-out') { this.dead = true; void this.worker.terminate(); return false; }
    }
    return true;
  }
}

/** A module instance on a fresh shared memory of `bytes` (plus the helper's ctl block at the returned offset). */
function sharedInstance(smod: object, bytes: number): { ex: Exports; memory: unknown; ctlOff: number } {
  const ctlOff = Math.ceil(bytes / 64) * 64, pages = Math.ceil((ctlOff + 64) / 65536);
  const memory = new (wasmApi as unknown as { Memory: new (d: object) => unknown }).Memory({ initial: pages, maximum: pages, shared: true });
  return { ex: new wasmApi!.Instance(smod, { env: { memory } }).exports as Exports, memory, ctlOff };
}

/** Whether a column-major square matrix equals its transpose bit for bit, by 32×32 tiles (stops at the first miss). */
export function isExactlySymmetric(a: Float64Array, n: number): boolean {
  const T = 32;
  for (let jb = 0; jb < n; jb += T) for (let ib = jb; ib < n; ib += T) {
    const je = Math.min(n, jb + T), ie = Math.min(n, ib + T);
    for (let j = jb; j < je; j++) for (let i = Math.max(ib, j + 1); i < ie; i++) if (a[j * n + i] !== a[i * n + j]) return false;
  }
  return true;
}

/**
 * A Krylov basis of `cols` vectors of length n plus a work vector w, all in one module instance's memory, with
 * SIMD multi-vector kernels over V_first … V_{first+count−1}: `dot(count, out, first)` (out[k] = V_{first+k}·w) and
 * `axpy(count, h, first)` (w −= Σ h_k·V_{first+k}). The kernels take four vectors per pass, so a count is rounded up
 * to a multiple of 4 over the following columns — dots that are dropped, coefficients that are zero — and four
 * zero columns are reserved past the last one for that; only an odd n's last entry is finished in JS.
 */
export class KrylovBlock {
  readonly V: Float64Array; readonly w: Float64Array; private readonly h: Float64Array;
  private constructor(private readonly ex: Exports, readonly n: number, readonly cols: number) {
    const buf = ex.memory.buffer, vcols = cols + 4;
    this.V = new Float64Array(buf, 0, n * cols);
    this.w = new Float64Array(buf, n * vcols * 8, n);
    this.h = new Float64Array(buf, (n * vcols + n) * 8, cols + 8);
  }
  static create(n: number, cols: number): KrylovBlock | null {
    const mod = wasmModule();
    if (!mod || !wasmApi) return null;
    const ex = new wasmApi.Instance(mod, {}).exports as Exports;
    const bytes = (n * (cols + 4) + n + cols + 8) * 8, have = ex.memory.buffer.byteLength;
    if (bytes > have) ex.memory.grow(Math.ceil((bytes - have) / 65536));
    return new KrylovBlock(ex, n, cols);
  }
  col(j: number): Float64Array { return this.V.subarray(j * this.n, (j + 1) * this.n); }
  private check(count: number, first: number): number {
    if (!(first >= 0 && count >= 0 && first + count <= this.cols)) throw new RangeError(`KrylovBlock: vectors ${first}..${first + count - 1} outside 0..${this.cols - 1}`);
    return (count + 3) & ~3;
  }
  dot(count: number, out: Float64Array, first = 0): void {
    const n = this.n, c4 = this.check(count, first), even = n - (n % 2);
    this.ex.mdot(first * n * 8, c4, this.w.byteOffset, even * 8, n * 8, this.h.byteOffset);
    for (let k = 0; k < count; k++) out[k] = this.h[k]!;
    const V = this.V, w = this.w;
    if (even < n) for (let k = 0; k < count; k++) out[k] = out[k]! + V[(first + k) * n + n - 1]! * w[n - 1]!;
  }
  axpy(count: number, coef: Float64Array, first = 0): void {
    const n = this.n, c4 = this.check(count, first), even = n - (n % 2);
    for (let k = 0; k < c4; k++) this.h[k] = k < count ? coef[k]! : 0;
    this.ex.maxpy(first * n * 8, c4, this.h.byteOffset, this.w.byteOffset, even * 8, n * 8);
    const V = this.V, w = this.w;
    if (even < n) { let s = 0; for (let k = 0; k < count; k++) s += coef[k]! * V[(first + k) * n + n - 1]!; w[n - 1] = w[n - 1]! - s; }
  }
}

/**
 * A float64 CSR matrix staged in its own module instance (values, x and y 8-byte aligned first, then indptr and
 * indices); `apply(x)` copies x in, runs the wasm row loop and returns a fresh y. From SPMV_SPLIT_MIN nonzeros on a
 * machine with a second core the memory is shared and a helper thread (as for StagedSymv) runs the rows after the
 * nonzero midpoint into the same y (disjoint rows, so no reduction is needed).
 */
export class StagedSpmv {
  private readonly xv: Float64Array; private readonly yv: Float64Array;
  private readonly vOff = 0; private readonly xOff: number; private readonly yOff: number; private readonly ipOff: number; private readonly ixOff: number;
  private helper: Helper | null = null; private mSplit = 0;
  private src: { indptr: Int32Array; indices: Int32Array; values: Float64Array } | null = null;
  private constructor(private readonly ex: Exports, private readonly m: number, n: number, private readonly nnz: number) {
    this.xOff = nnz * 8; this.yOff = this.xOff + n * 8; this.ipOff = this.yOff + m * 8; this.ixOff = this.ipOff + (m + 1) * 4;
    const buf = ex.memory.buffer;
    this.xv = new Float64Array(buf, this.xOff, n); this.yv = new Float64Array(buf, this.yOff, m);
  }
  /** null when the engine has no WebAssembly SIMD (callers keep the JS loop). */
  static create(indptr: Int32Array, indices: Int32Array, values: Float64Array, m: number, n: number): StagedSpmv | null {
    const mod = wasmModule();
    if (!mod || !wasmApi) return null;
    const nnz = indptr[m]!;
    const bytes = nnz * 12 + (n + m) * 8 + (m + 1) * 4 + 64;
    const smod = nnz >= SPMV_SPLIT_MIN && availableCores() >= 2 ? sharedModule() : null;
    let ex: Exports, shared: { memory: unknown; ctlOff: number } | null = null;
    if (smod) { const si = sharedInstance(smod, bytes); ex = si.ex; shared = si; }
    else {
      ex = new wasmApi.Instance(mod, {}).exports as Exports;
      const have = ex.memory.buffer.byteLength;
      if (bytes > have) ex.memory.grow(Math.ceil((bytes - have) / 65536));
    }
    const st = new StagedSpmv(ex, m, n, nnz), buf = ex.memory.buffer;
    st.src = { indptr, indices, values };
    new Float64Array(buf, st.vOff, nnz).set(values.subarray(0, nnz));
    new Int32Array(buf, st.ipOff, m + 1).set(indptr.subarray(0, m + 1));
    new Int32Array(buf, st.ixOff, nnz).set(indices.subarray(0, nnz));
    if (shared) {
      // First row whose indptr reaches half the nonzeros (binary search).
      let lo = 0, hi = m;
      while (lo < hi) { const mid = (lo + hi) >> 1; if (indptr[mid]! < nnz / 2) lo = mid + 1; else hi = mid; }
      st.mSplit = lo;
      st.helper = Helper.start(smod!, shared.memory, buf, shared.ctlOff, st);
    }
    return st;
  }
  get threaded(): boolean { return !!this.helper?.ready; }
  /** Whether the staged CSR arrays still equal the storage they were copied from (every entry). */
  matches(): boolean {
    const s = this.src!, buf = this.ex.memory.buffer, m = this.m, nnz = this.nnz;
    return s.indptr[m] === nnz && sameI32(s.indptr, new Int32Array(buf, this.ipOff, m + 1), m + 1)
      && sameI32(s.indices, new Int32Array(buf, this.ixOff, nnz), nnz) && sameF64(s.values, new Float64Array(buf, this.vOff, nnz), nnz);
  }
  apply(x: Float64Array): Float64Array {
    this.xv.set(x);
    const h = this.helper, m = this.m, k = this.mSplit;
    if (h?.ready) {
      h.post('spmv', [this.ipOff + k * 4, this.ipOff + m * 4, this.ixOff, this.vOff, this.xOff, this.yOff + k * 8]);
      this.ex.spmv(this.ipOff, this.ipOff + k * 4, this.ixOff, this.vOff, this.xOff, this.yOff);
      if (!h.finish()) this.ex.spmv(this.ipOff + k * 4, this.ipOff + m * 4, this.ixOff, this.vOff, this.xOff, this.yOff + k * 8);
    } else this.ex.spmv(this.ipOff, this.ipOff + m * 4, this.ixOff, this.vOff, this.xOff, this.yOff);
    return this.yv.slice();
  }
}
const SPMV_SPLIT_MIN = 1 << 17;
