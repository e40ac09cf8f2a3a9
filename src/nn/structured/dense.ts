import { matmul } from '../../core/index.ts';
import {
  COMMON_OPTION_KEYS, applyLinear, checkOptions, checkPositiveInt, denseTensor, describeFactors, effectiveFactor, factorValues,
  initParams, sumSizes, type CommonOptions, type StructuredLayer,
} from './layer.ts';

/** The unstructured baseline A = w, w (dIn, dOut): params = MACs = dIn·dOut. Parameters `{ w, b? }` — the same tree as `linearInit`, so `linear` and this layer apply to each other's parameters. */
export function dense(dIn: number, dOut: number, opts: CommonOptions = {}): StructuredLayer {
  const op = 'structured.dense';
  checkOptions(op, opts, COMMON_OPTION_KEYS);
  checkPositiveInt(op, 'dIn', dIn);
  checkPositiveInt(op, 'dOut', dOut);
  const factors = describeFactors([{ name: 'w', shape: [dIn, dOut], fanIn: dIn, fanOut: dOut }], opts.init ?? 'mup', opts.zeroInit ?? false);
  const layer: StructuredLayer = {
    kind: 'dense', dIn, dOut, factors, params: sumSizes(factors), macs: dIn * dOut, activeMacs: dIn * dOut, extras: [],
    bias: opts.bias ?? true, normalize: false, description: `dense ${dIn}→${dOut}`,
    init: (rng, o = {}) => initParams(layer, rng, o.dtype),
    apply: (p, x) => applyLinear(layer, p, x, (x2) => matmul(x2, effectiveFactor(layer, p, factors[0]!))),
    toDense: (p) => denseTensor(factorValues(layer, p).w!, dIn, dOut, p.w!),
  };
  return layer;
}
