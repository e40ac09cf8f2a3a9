import { matmul, permute, reshape } from '../../core/index.ts';
import {
  COMMON_OPTION_KEYS, applyLinear, checkOptions, checkPositiveInt, denseTensor, describeFactors, effectiveFactor, factorValues,
  initParams, sumSizes, type CommonOptions, type StructuredLayer,
} from './layer.ts';
import { factorize } from './factorize.ts';
import { degenerateWarnings } from './warnings.ts';

/**
 * A = A1 ⊗ A2 (the TT structure with 2 cores and rank 1, spec nn §2.3), A1 (n1, m1), A2 (n2, m2) with
 * (n1, n2) = factorize(dIn, 2), (m1, m2) = factorize(dOut, 2); A[(i1 i2), (j1 j2)] = A1[i1, j1]·A2[i2, j2].
 * Params n1·m1 + n2·m2. The forward contracts one factor then the other, in whichever order is cheaper:
 * n2·m1·(n1 + m2) multiply-adds (A1 first, the spec's count) or n1·m2·(n2 + m1) (A2 first).
 * Parameters `{ A1, A2, b? }`.
 */
export function kronecker(dIn: number, dOut: number, opts: CommonOptions = {}): StructuredLayer {
  const op = 'structured.kronecker';
  checkOptions(op, opts, COMMON_OPTION_KEYS);
  checkPositiveInt(op, 'dIn', dIn);
  checkPositiveInt(op, 'dOut', dOut);
  const [n1, n2] = factorize(dIn, 2) as [number, number];
  const [m1, m2] = factorize(dOut, 2) as [number, number];
  const warnings = [...degenerateWarnings(op, dIn, [n1, n2]), ...degenerateWarnings(op, dOut, [m1, m2])];
  const factors = describeFactors([
    { name: 'A1', shape: [n1, m1], fanIn: n1, fanOut: m1 },
    { name: 'A2', shape: [n2, m2], fanIn: n2, fanOut: m2 },
  ], opts.init ?? 'mup', opts.zeroInit ?? false);
  const costA1First = n2 * m1 * (n1 + m2);
  const costA2First = n1 * m2 * (n2 + m1);
  const a1First = costA1First <= costA2First;
  const layer: StructuredLayer = {
    kind: 'kronecker', dIn, dOut, factors, params: sumSizes(factors), macs: Math.min(costA1First, costA2First), activeMacs: Math.min(costA1First, costA2First), extras: [], warnings,
    bias: opts.bias ?? true, normalize: false, description: `kronecker ${dIn}→${dOut} [${n1}×${m1} ⊗ ${n2}×${m2}]`,
    init: (rng, o = {}) => initParams(layer, rng, o.dtype),
    apply: (p, x) => applyLinear(layer, p, x, (x2) => {
      const A1 = effectiveFactor(layer, p, factors[0]!), A2 = effectiveFactor(layer, p, factors[1]!);
      const B = x2.shape[0]!;
      const X = reshape(x2, [B, n1, n2]);
      if (a1First) {
        const T = matmul(permute(X, [0, 2, 1]), A1);          // (B, n2, m1)
        const Y = matmul(permute(T, [0, 2, 1]), A2);          // (B, m1, m2)
        return reshape(Y, [B, dOut]);
      }
      const T = matmul(X, A2);                                // (B, n1, m2)
      const Y = matmul(permute(T, [0, 2, 1]), A1);            // (B, m2, m1)
      return reshape(permute(Y, [0, 2, 1]), [B, dOut]);
    }),
    toDense: (p) => {
      const { A1, A2 } = factorValues(layer, p);
      const a = new Float64Array(dIn * dOut);
      for (let i1 = 0; i1 < n1; i1++) for (let i2 = 0; i2 < n2; i2++) for (let j1 = 0; j1 < m1; j1++) for (let j2 = 0; j2 < m2; j2++) {
        a[(i1 * n2 + i2) * dOut + j1 * m2 + j2] = A1![i1 * m1 + j1]! * A2![i2 * m2 + j2]!;
      }
      return denseTensor(a, dIn, dOut, p.A1!);
    },
  };
  return layer;
}
