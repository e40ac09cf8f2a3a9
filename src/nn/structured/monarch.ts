import { matmul, permute, reshape, ArgumentError } from '../../core/index.ts';
import {
  COMMON_OPTION_KEYS, applyLinear, checkOptions, checkPositiveInt, denseTensor, describeFactors, effectiveFactor, factorValues,
  initParams, sumSizes, type CommonOptions, type StructuredLayer,
} from './layer.ts';

export interface MonarchOptions extends CommonOptions {
  /** Number of diagonal blocks b (default 4); must divide both dIn and dOut. */
  blocks?: number;
}

/**
 * Monarch matrix (Dao et al. 2022, the layout of the authors' `blockdiag_butterfly_multiply`; spec nn §2.3) in
 * row-vector form: block-diagonal W1 (b, p, q) acting on x viewed as (b, p); the b·q intermediate read as a (q, b)
 * grid and transposed; block-diagonal W2 (b, q, s); output index s·b + l (the output permutation).
 * p = dIn/b, s = dOut/b, q = p when dIn ≤ dOut else s. Params = MACs = b·q·(p + s). Equal to BTT with ρ = 1 up to
 * permutations. Parameters `{ W1, W2, b? }`.
 */
export function monarch(dIn: number, dOut: number, opts: MonarchOptions = {}): StructuredLayer {
  const op = 'structured.monarch';
  checkOptions(op, opts, [...COMMON_OPTION_KEYS, 'blocks']);
  checkPositiveInt(op, 'dIn', dIn);
  checkPositiveInt(op, 'dOut', dOut);
  const b = opts.blocks ?? 4;
  checkPositiveInt(op, 'blocks', b);
  if (dIn % b !== 0 || dOut % b !== 0) throw new ArgumentError(`${op}: blocks ${b} must divide both dIn ${dIn} and dOut ${dOut}`);
  const p = dIn / b, s = dOut / b, q = dIn <= dOut ? p : s;
  const factors = describeFactors([
    { name: 'W1', shape: [b, p, q], fanIn: p, fanOut: q },
    { name: 'W2', shape: [b, q, s], fanIn: q, fanOut: s },
  ], opts.init ?? 'mup', opts.zeroInit ?? false);
  const layer: StructuredLayer = {
    kind: 'monarch', dIn, dOut, factors, params: sumSizes(factors), macs: b * q * (p + s), activeMacs: b * q * (p + s), extras: [],
    bias: opts.bias ?? true, normalize: false, description: `monarch ${dIn}→${dOut} b=${b} [${p}→${q} | ${q}→${s}]`,
    init: (rng, o = {}) => initParams(layer, rng, o.dtype),
    apply: (pr, x) => applyLinear(layer, pr, x, (x2) => {
      const B = x2.shape[0]!;
      const z = matmul(permute(reshape(x2, [B, b, p]), [1, 0, 2]), effectiveFactor(layer, pr, factors[0]!)); // (b, B, q)
      // Grid transpose: the flat (b·q) vector per sample is re-read as (q, b) and its block axis moved first.
      const grid = permute(reshape(permute(z, [1, 0, 2]), [B, q, b]), [2, 0, 1]);                          // (b, B, q)
      const y = matmul(grid, effectiveFactor(layer, pr, factors[1]!));                                         // (b, B, s)
      return reshape(permute(y, [1, 2, 0]), [B, dOut]);
    }),
    toDense: (pr) => {
      const { W1, W2 } = factorValues(layer, pr);
      const a = new Float64Array(dIn * dOut);
      for (let k = 0; k < b; k++) for (let pi = 0; pi < p; pi++) for (let qi = 0; qi < q; qi++) {
        const w1 = W1![(k * p + pi) * q + qi]!;
        const u = k * q + qi, l = u % b, rr = Math.floor(u / b);
        for (let si = 0; si < s; si++) a[(k * p + pi) * dOut + si * b + l]! += w1 * W2![(l * q + rr) * s + si]!;
      }
      return denseTensor(a, dIn, dOut, pr.W1!);
    },
  };
  return layer;
}
