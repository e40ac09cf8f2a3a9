/**
 * Types and timing shared by every benchmark entry (see the top of `bench/run.ts` for how to add one).
 */

export type BenchUnit = 'GFLOP/s' | 'ms';

/** What `bench/numpy_ref.py` should time as the reference for a case; `kind` selects its handler there. */
export type ReferenceSpec =
  | {
    kind: 'matmul';
    /** A is batch×m×k (or m×k when batch is null), B is k×n likewise; trans* times A.T / B.T views of stored data. */
    batch: number | null; m: number; n: number; k: number; transA: boolean; transB: boolean;
  }
  | { kind: 'einsum'; subscripts: string; shapes: number[][] }
  | { kind: 'elementwise'; op: 'add' | 'mul' | 'exp' | 'tanh'; shape: number[]; shape_b?: number[] }
  | { kind: 'reduce'; op: 'sum' | 'max' | 'logsumexp'; shape: number[]; axis: number };

export interface BenchCase {
  /** Operation name as shown in the table, e.g. 'matmul', 'matmul Aᵀ'. */
  op: string;
  /** Size as shown in the table, e.g. '1024×1024·1024×1024'. */
  size: string;
  dtype: 'float32' | 'float64';
  /** 'GFLOP/s' needs `flops`; 'ms' reports the best time per call. */
  unit: BenchUnit;
  /** Floating-point operations per call (2·m·n·k for a matmul). */
  flops?: number;
  /** Allocate inputs once (untimed) and return the call to time. */
  setup(): () => void;
  /** The same operation for numpy, or null when there is no reference. */
  reference: ReferenceSpec | null;
}

export interface Timing {
  /** Best (minimum) seconds per call over all samples. */
  seconds: number;
  samples: number;
  callsPerSample: number;
}

/**
 * Time `fn` fairly: one warm-up call (JIT, wasm tier-up, page faults), then calibrate how many calls make a
 * sample of at least `minSampleMs`, then take samples until `budgetMs` is spent (at least `minSamples`) and
 * report the best sample per call. Best, not median: on a shared machine interference only ever adds time.
 * bench/numpy_ref.py applies the same rule.
 */
export function timeBest(fn: () => void, minSampleMs = 5, budgetMs = 600, minSamples = 5): Timing {
  fn();
  let calls = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) fn();
    const dt = performance.now() - t0;
    if (dt >= minSampleMs || calls >= 1 << 20) break;
    calls *= dt > 0 ? Math.min(16, Math.max(2, Math.ceil(minSampleMs / dt))) : 16;
  }
  let best = Infinity;
  let samples = 0;
  const start = performance.now();
  while (samples < minSamples || performance.now() - start < budgetMs) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) fn();
    best = Math.min(best, (performance.now() - t0) / calls);
    samples++;
    if (samples >= 200) break;
  }
  return { seconds: best / 1000, samples, callsPerSample: calls };
}

/** Deterministic uniform(−0.5, 0.5) fill, so runs are comparable. */
export function randomFill<T extends Float32Array | Float64Array>(array: T, seed = 1): T {
  let s = seed >>> 0;
  for (let i = 0; i < array.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    array[i] = s / 4294967296 - 0.5;
  }
  return array;
}
