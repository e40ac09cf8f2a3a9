import { allocate, checkDType, isFloat, type DType, type FloatArray, type TypedArray } from './dtype.ts';
import { ArgumentError, DTypeError, NonFiniteError } from './errors.ts';
import { broadcastShapes, sameShape } from './shape.ts';
import { Tensor, copyStrided } from './tensor.ts';
import { emit } from './trace.ts';
import { unaryWasm, WASM_UNARY_OPS, type WasmUnaryOp } from './kernels/elementwise-wasm.ts';

/**
 * exp, tanh and sigmoid on at least this many elements run on the WebAssembly SIMD kernels
 * (`kernels/elementwise-wasm.ts`); below it the JavaScript loop's lower call cost wins.
 */
export const WASM_MIN_ELEMENTS = 64;

/**
 * Elementwise primitives. Each op is a JavaScript expression over `a` (and `b`, `c`) compiled once into a tight
 * loop over typed arrays, so no op allocates per element and V8 sees one monomorphic loop per op.
 * The vocabulary is closed: every other elementwise function (sigmoid-based GELU, softplus, ...) is derived from
 * these in `nn` or `autodiff` and needs neither a kernel nor a gradient rule.
 */

type RowKernel = (n: number, a: TypedArray, ao: number, as: number, b: TypedArray, bo: number, bs: number,
  c: TypedArray, co: number, cs: number, out: TypedArray, oo: number) => void;

const kernelCache = new Map<string, RowKernel>();

function rowKernel(expr: string, arity: number, dtypes: string): RowKernel {
  // One compiled copy per operand/output dtype combination keeps every element access monomorphic.
  const key = `${arity}:${dtypes}:${expr}`;
  let k = kernelCache.get(key);
  if (!k) {
    // A generated loop specialised to the operand count; `expr` is a fixed string from the tables below. The
    // sourceURL names the kernel in CPU profiles. Unit-stride runs (and runs against one broadcast scalar, stride
    // 0) are unrolled by four: V8 does not unroll, and on 1024² arrays the unrolled loop is ≈ 2× faster.
    const names = ['a', 'b', 'c'].slice(0, arity);
    const arrays = ['A', 'B', 'C'];
    const offs = ['ao', 'bo', 'co'];
    const strides = ['as', 'bs', 'cs'];
    const body = (unit: boolean[], j: string, rebased: boolean) =>
      `{ ${names.map((v, q) => (unit[q] ? `const ${v} = ${rebased ? `${arrays[q]}r[${j}]` : `${arrays[q]}[${offs[q]} + ${j}]`};` : '')).join(' ')} ${rebased ? 'Or' : 'O'}[${rebased ? '' : 'oo + '}${j}] = ${expr}; }`;
    const loop = (unit: boolean[], rebased: boolean) => `let i = 0;
        for (; i + 3 < n; i += 4) { ${body(unit, 'i', rebased)} ${body(unit, 'i + 1', rebased)} ${body(unit, 'i + 2', rebased)} ${body(unit, 'i + 3', rebased)} }
        for (; i < n; i++) ${body(unit, 'i', rebased)}`;
    // Long runs index views rebased with subarray (offset-free indexing measured ≈ 1.5–2× faster on 1024² in V8);
    // short runs keep the offsets, where three subarray objects per call would cost more than they save.
    const unrolled = (unit: boolean[]) => {
      const hoist = names.map((v, q) => (unit[q] ? '' : `const ${v} = ${arrays[q]}[${offs[q]}];`)).join(' ');
      const rebase = names.map((_, q) => (unit[q] ? `const ${arrays[q]}r = ${arrays[q]}.subarray(${offs[q]}, ${offs[q]} + n);` : '')).join(' ');
      return `${hoist} if (n >= 512) { ${rebase} const Or = O.subarray(oo, oo + n); ${loop(unit, true)} return; } ${loop(unit, false)}`;
    };
    // Cases: every operand unit-stride, or a mix of unit-stride and broadcast scalars (stride 0).
    const cases: string[] = [];
    for (let mask = 0; mask < 1 << arity; mask++) {
      const unit = names.map((_, q) => ((mask >> q) & 1) === 0);
      if (!unit.some(Boolean) && arity > 0) continue;
      const cond = names.map((_, q) => `${strides[q]} === ${unit[q] ? 1 : 0}`).join(' && ');
      cases.push(`if (${cond}) { ${unrolled(unit)} return; }`);
    }
    const loads = names.map((v, q) => `const ${v} = ${arrays[q]}[${offs[q]} + i * ${strides[q]}];`).join(' ');
    k = new Function('n', 'A', 'ao', 'as', 'B', 'bo', 'bs', 'C', 'co', 'cs', 'O', 'oo',
      `${cases.join('\n')}
       for (let i = 0; i < n; i++) { ${loads} O[oo + i] = ${expr}; }
       //# sourceURL=strata-kernel:${encodeURIComponent(key)}`,
    ) as RowKernel;
    kernelCache.set(key, k);
  }
  return k;
}

export const UNARY = {
  neg: '-a',
  exp: 'Math.exp(a)',
  log: 'Math.log(a)',
  log1p: 'Math.log1p(a)',
  expm1: 'Math.expm1(a)',
  sin: 'Math.sin(a)',
  cos: 'Math.cos(a)',
  tanh: 'Math.tanh(a)',
  sqrt: 'Math.sqrt(a)',
  abs: 'Math.abs(a)',
  sign: 'Math.sign(a)',
  floor: 'Math.floor(a)',
  // The logistic function written so that exp never overflows for large |a|.
  sigmoid: 'a >= 0 ? 1 / (1 + Math.exp(-a)) : Math.exp(a) / (1 + Math.exp(a))',
  reciprocal: '1 / a',
  // GELU, tanh approximation (Hendrycks & Gimpel 2016): ½a(1 + tanh(√(2/π)(a + 0.044715a³))), and its derivative
  // ½(1 + t) + ½a(1 − t²)·√(2/π)(1 + 3·0.044715a²). One loop each instead of ten derived ops: GELU sits on the
  // widest activation of every MLP block.
  gelu: '0.5 * a * (1 + Math.tanh(0.7978845608028654 * (a + 0.044715 * a * a * a)))',
  // SiLU x·σ(x) and its derivative σ(x)(1 + x(1 − σ(x))) as single loops (wasm kernels above 64 elements): the
  // SwiGLU of every transformer block otherwise spends six elementwise passes on them in each backward pass.
  silu: 'a / (1 + Math.exp(-a))',
  // x is clamped to ±800 in the x(1 − σ) factor only, so ±∞ give the limits 1 and 0 instead of ∞·0 = NaN.
  siluGrad: '(1 / (1 + Math.exp(-a))) * (1 + Math.min(Math.max(a, -800), 800) * (1 - 1 / (1 + Math.exp(-a))))',
  geluGrad: '0.5 * (1 + Math.tanh(0.7978845608028654 * (a + 0.044715 * a * a * a))) + 0.5 * a * (1 - Math.tanh(0.7978845608028654 * (a + 0.044715 * a * a * a)) ** 2) * 0.7978845608028654 * (1 + 0.134145 * a * a)',
} as const;
export type UnaryOp = keyof typeof UNARY;

const FLOAT_ONLY_UNARY = new Set<UnaryOp>(['exp', 'log', 'log1p', 'expm1', 'sin', 'cos', 'tanh', 'sqrt', 'sigmoid', 'reciprocal', 'gelu', 'geluGrad', 'silu', 'siluGrad']);

export const BINARY = {
  add: 'a + b',
  sub: 'a - b',
  mul: 'a * b',
  div: 'a / b',
  pow: 'Math.pow(a, b)',
  // NaN in either operand gives NaN (IEEE / numpy.maximum semantics), so relu(NaN) is NaN, not a silent 0.
  maximum: 'a > b || a !== a ? a : b',
  minimum: 'a < b || a !== a ? a : b',
  eq: 'a === b ? 1 : 0',
  ne: 'a !== b ? 1 : 0',
  lt: 'a < b ? 1 : 0',
  le: 'a <= b ? 1 : 0',
  gt: 'a > b ? 1 : 0',
  ge: 'a >= b ? 1 : 0',
} as const;
export type BinaryOp = keyof typeof BINARY;
const FLOAT_ONLY_BINARY = new Set<BinaryOp>(['div', 'pow']);

/** Returns (data, offset) of a compact row-major copy of `t` (no copy when already compact); not recorded. */
export function compact(t: Tensor): { data: TypedArray; offset: number } {
  if (t.isContiguous()) return { data: t.data, offset: t.offset };
  const data = allocate(t.dtype, t.size);
  copyStrided(t, data, 0);
  return { data, offset: 0 };
}

export function scalarLike(v: number, dtype: DType): Tensor {
  const d = allocate(dtype, 1);
  d[0] = v;
  return new Tensor(d, []);
}

function operand(op: string, x: Tensor | number, other: Tensor | number): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x !== 'number') throw new DTypeError(`${op}: expected a Tensor or a number, got ${typeof x}`);
  const dtype = other instanceof Tensor ? other.dtype : 'float64';
  return scalarLike(x, dtype);
}

/**
 * Runs a row kernel over the broadcast of up to three operands into a new contiguous output.
 * Adjacent axes that are contiguous in every operand are merged first, so most calls run one long row.
 */
function broadcastLoop(expr: string, xs: Tensor[], outShape: number[], outDtype: DType): TypedArray {
  const size = outShape.reduce((p, d) => p * d, 1);
  const out = allocate(outDtype, size);
  if (size === 0) return out;
  const kern = rowKernel(expr, xs.length, xs.map((x) => x.dtype).join(',') + '>' + outDtype);
  const nd = outShape.length;
  // Broadcast strides of each operand in the output's index space.
  const st = xs.map((x) => {
    const lead = nd - x.ndim;
    return outShape.map((d, i) => (i < lead ? 0 : x.shape[i - lead] === 1 ? 0 : x.strides[i - lead]!));
  });
  // Coalesce axes (from the back): axis i-1 merges into i when every operand has stride[i-1] == stride[i]*shape[i].
  const shape: number[] = [];
  const strides: number[][] = xs.map(() => []);
  for (let i = nd - 1; i >= 0; i--) {
    const d = outShape[i]!;
    if (d === 1) continue;
    if (shape.length > 0) {
      const last = shape.length - 1;
      const canMerge = st.every((s, k) => s[i] === strides[k]![last]! * shape[last]!);
      if (canMerge) {
        shape[last] = shape[last]! * d;
        continue;
      }
    }
    shape.push(d);
    st.forEach((s, k) => strides[k]!.push(s[i]!));
  }
  shape.reverse();
  strides.forEach((s) => s.reverse());
  const m = shape.length;
  const A = xs[0]!, B = xs[1], C = xs[2];
  const sA = strides[0]!, sB = strides[1], sC = strides[2];
  if (m === 0) {
    kern(1, A.data, A.offset, 0, B ? B.data : (null as never), B ? B.offset : 0, 0, C ? C.data : (null as never), C ? C.offset : 0, 0, out, 0);
    return out;
  }
  const n = shape[m - 1]!;
  const rows = size / n;
  const idx = new Array<number>(m).fill(0);
  let oa = A.offset, ob = B ? B.offset : 0, oc = C ? C.offset : 0;
  const la = sA[m - 1]!, lb = sB ? sB[m - 1]! : 0, lc = sC ? sC[m - 1]! : 0;
  for (let r = 0, oo = 0; r < rows; r++, oo += n) {
    kern(n, A.data, oa, la, B ? B.data : (null as never), ob, lb, C ? C.data : (null as never), oc, lc, out, oo);
    for (let ax = m - 2; ax >= 0; ax--) {
      idx[ax]!++;
      oa += sA[ax]!;
      if (sB) ob += sB[ax]!;
      if (sC) oc += sC[ax]!;
      if (idx[ax]! < shape[ax]!) break;
      oa -= sA[ax]! * shape[ax]!;
      if (sB) ob -= sB[ax]! * shape[ax]!;
      if (sC) oc -= sC[ax]! * shape[ax]!;
      idx[ax] = 0;
    }
  }
  return out;
}

export function unary(op: UnaryOp, x: Tensor): Tensor {
  if (!(x instanceof Tensor)) throw new DTypeError(`${op}: expected a Tensor, got ${typeof x}`);
  if (!isFloat(x.dtype) && FLOAT_ONLY_UNARY.has(op)) throw new DTypeError(`${op}: needs a float tensor, got ${x.dtype} (use astype('float64') first)`);
  if (x.size >= WASM_MIN_ELEMENTS && WASM_UNARY_OPS.has(op) && isFloat(x.dtype)) {
    const { data: src, offset } = compact(x);
    const out = allocate(x.dtype, x.size, op) as FloatArray;
    if (unaryWasm(op as WasmUnaryOp, src as FloatArray, offset, out, 0, x.size)) return emit(op, [x], new Tensor(out, [...x.shape]));
  }
  const data = broadcastLoop(UNARY[op], [x], [...x.shape], x.dtype);
  return emit(op, [x], new Tensor(data, [...x.shape]));
}

export function binary(op: BinaryOp, x: Tensor | number, y: Tensor | number): Tensor {
  const a = operand(op, x, y);
  const b = operand(op, y, a);
  if (a.dtype !== b.dtype) throw new DTypeError(`${op}: dtype mismatch, ${a.dtype} vs ${b.dtype} (convert one with astype)`);
  if (!isFloat(a.dtype) && FLOAT_ONLY_BINARY.has(op)) throw new DTypeError(`${op}: needs float tensors, got ${a.dtype}`);
  const shape = sameShape(a.shape, b.shape) ? [...a.shape] : broadcastShapes(op, a.shape, b.shape);
  const data = broadcastLoop(BINARY[op], [a, b], shape, a.dtype);
  return emit(op, [a, b], new Tensor(data, shape));
}

/** Elementwise select: `cond != 0 ? a : b`, broadcasting all three. */
export function where(cond: Tensor, x: Tensor | number, y: Tensor | number): Tensor {
  const a = operand('where', x, y instanceof Tensor ? y : cond);
  const b = operand('where', y, a);
  if (a.dtype !== b.dtype) throw new DTypeError(`where: dtype mismatch between branches, ${a.dtype} vs ${b.dtype}`);
  const shape = broadcastShapes('where', cond.shape, a.shape, b.shape);
  // Operand order in the kernel: A = cond, B = a, C = b.
  const data = broadcastLoop('a !== 0 ? b : c', [cond, a, b], shape, a.dtype);
  return emit('where', [cond, a, b], new Tensor(data, shape));
}

/**
 * Converts to `dtype`. float → int32 truncates toward zero, like numpy; a NaN/±Inf or a value outside the int32
 * range is an error (numpy returns an unspecified integer there, which is exactly the silent garbage to avoid).
 */
export function astype(x: Tensor, dtype: DType): Tensor {
  checkDType('astype', dtype);
  if (x.dtype === dtype) return x;
  if (dtype === 'int32' && isFloat(x.dtype)) {
    const { data, offset } = compact(x);
    for (let i = 0; i < x.size; i++) {
      const v = data[offset + i]!;
      if (!(v > -2147483649 && v < 2147483648)) {
        const msg = `astype: cannot convert ${v} at flat index ${i} to int32; expected finite values in [-2147483648, 2147483647]`;
        throw v !== v || v === Infinity || v === -Infinity ? new NonFiniteError(msg) : new ArgumentError(msg);
      }
    }
  }
  const expr = dtype === 'int32' ? 'Math.trunc(a)' : 'a';
  const data = broadcastLoop(expr, [x], [...x.shape], dtype);
  return emit('astype', [x], new Tensor(data, [...x.shape]), { dtype });
}

// Convenience wrappers: one line each, so the public API reads like NumPy.
export const neg = (x: Tensor) => unary('neg', x);
export const exp = (x: Tensor) => unary('exp', x);
export const log = (x: Tensor) => unary('log', x);
export const log1p = (x: Tensor) => unary('log1p', x);
export const expm1 = (x: Tensor) => unary('expm1', x);
export const sin = (x: Tensor) => unary('sin', x);
export const cos = (x: Tensor) => unary('cos', x);
export const tanh = (x: Tensor) => unary('tanh', x);
export const sqrt = (x: Tensor) => unary('sqrt', x);
export const abs = (x: Tensor) => unary('abs', x);
export const sign = (x: Tensor) => unary('sign', x);
export const floor = (x: Tensor) => unary('floor', x);
export const sigmoid = (x: Tensor) => unary('sigmoid', x);
export const reciprocal = (x: Tensor) => unary('reciprocal', x);
export const gelu = (x: Tensor) => unary('gelu', x);
export const geluGrad = (x: Tensor) => unary('geluGrad', x);
export const silu = (x: Tensor) => unary('silu', x);
export const siluGrad = (x: Tensor) => unary('siluGrad', x);
export const add = (a: Tensor | number, b: Tensor | number) => binary('add', a, b);
export const sub = (a: Tensor | number, b: Tensor | number) => binary('sub', a, b);
export const mul = (a: Tensor | number, b: Tensor | number) => binary('mul', a, b);
export const div = (a: Tensor | number, b: Tensor | number) => binary('div', a, b);
export const pow = (a: Tensor | number, b: Tensor | number) => binary('pow', a, b);
export const maximum = (a: Tensor | number, b: Tensor | number) => binary('maximum', a, b);
export const minimum = (a: Tensor | number, b: Tensor | number) => binary('minimum', a, b);
export const eq = (a: Tensor | number, b: Tensor | number) => binary('eq', a, b);
export const ne = (a: Tensor | number, b: Tensor | number) => binary('ne', a, b);
export const lt = (a: Tensor | number, b: Tensor | number) => binary('lt', a, b);
export const le = (a: Tensor | number, b: Tensor | number) => binary('le', a, b);
export const gt = (a: Tensor | number, b: Tensor | number) => binary('gt', a, b);
export const ge = (a: Tensor | number, b: Tensor | number) => binary('ge', a, b);
export const square = (x: Tensor) => binary('mul', x, x);
