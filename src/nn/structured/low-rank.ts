import { matmul, ArgumentError } from '../../core/index.ts';
import {
  COMMON_OPTION_KEYS, applyLinear, checkOptions, checkPositiveInt, denseTensor, describeFactors, effectiveFactor, factorValues,
  initParams, sumSizes, type CommonOptions, type StructuredLayer,
} from './layer.ts';

export interface LowRankOptions extends CommonOptions {
  /** Rank r in [1, min(dIn, dOut)]; default ceil(sqrt(min(dIn, dOut))) (spec nn §2.3). */
  rank?: number;
}

/** A = U·V with U (dIn, r), V (r, dOut): params = MACs = r·(dIn + dOut). Parameters `{ U, V, b? }`. */
export function lowRank(dIn: number, dOut: number, opts: LowRankOptions = {}): StructuredLayer {
  const op = 'structured.lowRank';
  checkOptions(op, opts, [...COMMON_OPTION_KEYS, 'rank']);
  checkPositiveInt(op, 'dIn', dIn);
  checkPositiveInt(op, 'dOut', dOut);
  const maxRank = Math.min(dIn, dOut);
  const r = opts.rank ?? Math.ceil(Math.sqrt(maxRank));
  checkPositiveInt(op, 'rank', r);
  if (r > maxRank) throw new ArgumentError(`${op}: rank ${r} is out of range for a ${dIn}→${dOut} layer; expected 1 ≤ rank ≤ min(dIn, dOut) = ${maxRank}`);
  const factors = describeFactors([
    { name: 'U', shape: [dIn, r], fanIn: dIn, fanOut: r },
    { name: 'V', shape: [r, dOut], fanIn: r, fanOut: dOut },
  ], opts.init ?? 'mup', opts.zeroInit ?? false);
  const layer: StructuredLayer = {
    kind: 'low-rank', dIn, dOut, factors, params: sumSizes(factors), macs: r * (dIn + dOut), activeMacs: r * (dIn + dOut), extras: [],
    bias: opts.bias ?? true, normalize: false, description: `low-rank ${dIn}→${dOut} r=${r}`,
    init: (rng, o = {}) => initParams(layer, rng, o.dtype),
    apply: (p, x) => applyLinear(layer, p, x, (x2) => matmul(matmul(x2, effectiveFactor(layer, p, factors[0]!)), effectiveFactor(layer, p, factors[1]!))),
    toDense: (p) => {
      const { U, V } = factorValues(layer, p);
      const a = new Float64Array(dIn * dOut);
      for (let i = 0; i < dIn; i++) for (let j = 0; j < dOut; j++) {
        let s = 0;
        for (let k = 0; k < r; k++) s += U![i * r + k]! * V![k * dOut + j]!;
        a[i * dOut + j] = s;
      }
      return denseTensor(a, dIn, dOut, p.U!);
    },
  };
  return layer;
}
