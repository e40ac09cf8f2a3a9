/**
 * Core entries beside the raw kernel: einsum (a BTT-shaped contraction, lowered to batched matmul), elementwise
 * ops with broadcasting, reductions, and training throughput of the two foundation demonstrations (no numpy
 * reference for those: the row records Strata's own samples/s and tokens/s).
 */
import * as C from '../src/core/index.ts';
import { randomFill } from './harness.ts';
import type { BenchCase } from './harness.ts';
import { trainDigitsMlp } from '../src/experiments/nn/digits.ts';
import { syntheticDigits } from '../src/experiments/nn/data.ts';
import { trainCharLm } from '../src/experiments/nn/charlm.ts';
import { syntheticCorpus } from '../src/experiments/nn/data.ts';

type DType = 'float32' | 'float64';

function rand(shape: number[], dtype: DType, seed: number): C.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return new C.Tensor(randomFill(dtype === 'float64' ? new Float64Array(n) : new Float32Array(n), seed), shape);
}

function einsumCase(dtype: DType): BenchCase {
  // BTT-style: x [batch, m2, m1] contracted with a core [m1, m2, r·n1] batched over m2.
  const B = 256, m = 32, k = 32;
  const subscripts = 'bji,jik->bjk';
  return {
    op: 'einsum bji,jik->bjk', size: `${B}×${m}×${m}·${m}×${m}×${k}`, dtype, unit: 'GFLOP/s', flops: 2 * B * m * m * k,
    setup() {
      const x = rand([B, m, m], dtype, 1), w = rand([m, m, k], dtype, 2);
      return () => { C.einsum(subscripts, x, w); };
    },
    reference: { kind: 'einsum', subscripts, shapes: [[B, m, m], [m, m, k]] },
  };
}

function elementwiseCase(op: 'add' | 'mul' | 'exp' | 'tanh', dtype: DType): BenchCase {
  const shape = [1024, 1024];
  const shapeB = op === 'add' || op === 'mul' ? (op === 'add' ? [1024] : [1024, 1024]) : undefined;
  return {
    op: `${op}${op === 'add' ? ' (broadcast row)' : ''}`, size: shapeB ? `${shape.join('×')} ∘ ${shapeB.join('×')}` : shape.join('×'), dtype, unit: 'ms',
    setup() {
      const a = rand(shape, dtype, 3);
      const b = shapeB ? rand(shapeB, dtype, 4) : null;
      const f = { add: () => C.add(a, b!), mul: () => C.mul(a, b!), exp: () => C.exp(a), tanh: () => C.tanh(a) }[op];
      return () => { f(); };
    },
    reference: { kind: 'elementwise', op, shape, ...(shapeB ? { shape_b: shapeB } : {}) },
  };
}

function reduceCase(op: 'sum' | 'max' | 'logsumexp', axis: number, dtype: DType): BenchCase {
  const shape = [1024, 1024];
  return {
    op: `${op} axis ${axis}`, size: shape.join('×'), dtype, unit: 'ms',
    setup() {
      const a = rand(shape, dtype, 5);
      const f = op === 'sum' ? () => C.sum(a, axis) : op === 'max' ? () => C.max(a, axis) : () => C.logsumexp(a, axis);
      return () => { f(); };
    },
    reference: { kind: 'reduce', op, shape, axis },
  };
}

export const cases: BenchCase[] = [
  einsumCase('float32'), einsumCase('float64'),
  elementwiseCase('add', 'float32'), elementwiseCase('mul', 'float64'), elementwiseCase('exp', 'float32'), elementwiseCase('tanh', 'float64'),
  reduceCase('sum', 0, 'float64'), reduceCase('sum', 1, 'float32'), reduceCase('max', 1, 'float32'), reduceCase('logsumexp', 1, 'float64'),
];

/** Training throughput: one full (small) run per case, reported as ms per sample/token batch — see `note`. */
export const trainingRows = (): { op: string; size: string; dtype: string; value: number; unit: string }[] => {
  const d = trainDigitsMlp({ data: syntheticDigits(1797, 0), epochs: 5 });
  const c = trainCharLm({ text: syntheticCorpus(200_000, 0), source: 'synthetic', steps: 30, evalEvery: 1000 });
  return [
    { op: 'train digits MLP 64-128-10', size: 'batch 64', dtype: 'float32', value: d.samplesPerSecond, unit: 'samples/s' },
    { op: 'train char transformer', size: `${c.nParams} params, 16×64 tokens`, dtype: 'float32', value: c.tokensPerSecond, unit: 'tokens/s' },
  ];
};
