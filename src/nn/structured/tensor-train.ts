import { matmul, permute, reshape, ArgumentError } from '../../core/index.ts';
import {
  COMMON_OPTION_KEYS, applyLinear, checkOptions, checkPositiveInt, denseTensor, describeFactors, effectiveFactor, factorValues,
  initParams, sumSizes, type CommonOptions, type StructuredLayer,
} from './layer.ts';
import { factorize } from './factorize.ts';
import { degenerateWarnings } from './warnings.ts';

export interface TensorTrainOptions extends CommonOptions {
  /** Number of cores c ≥ 2 (default 3). */
  cores?: number;
  /** Internal TT ranks r_1..r_{c−1}: one number for all, or c−1 numbers; each in [1, min(dIn, dOut)]. Default 4. */
  rank?: number | readonly number[];
}

/**
 * Tensor-train matrix (spec nn §2.3): cores G_i (r_{i−1}, n_i, m_i, r_i) with n = factorize(dIn, c),
 * m = factorize(dOut, c), r_0 = r_c = 1, and A[(i1..ic), (j1..jc)] = G1[:, i1, j1, :] · G2[:, i2, j2, :] ⋯ Gc[:, ic, jc, :]
 * (row-major multi-indices). Applied core by core: contract (r_{i−1}, n_i), produce (m_i, r_i).
 * Parameters `{ G1, …, Gc, b? }`; core i has fan-in r_{i−1}·n_i and fan-out m_i·r_i.
 */
export function tensorTrain(dIn: number, dOut: number, opts: TensorTrainOptions = {}): StructuredLayer {
  const op = 'structured.tt';
  checkOptions(op, opts, [...COMMON_OPTION_KEYS, 'cores', 'rank']);
  checkPositiveInt(op, 'dIn', dIn);
  checkPositiveInt(op, 'dOut', dOut);
  const c = opts.cores ?? 3;
  checkPositiveInt(op, 'cores', c);
  if (c < 2) throw new ArgumentError(`${op}: cores must be at least 2, got ${c}`);
  const n = factorize(dIn, c), m = factorize(dOut, c);
  const warnings = [...degenerateWarnings(op, dIn, n), ...degenerateWarnings(op, dOut, m)];
  const rankOpt = opts.rank ?? 4;
  const inner = typeof rankOpt === 'number' ? new Array<number>(c - 1).fill(rankOpt) : [...rankOpt];
  if (inner.length !== c - 1) throw new ArgumentError(`${op}: rank lists the ${c - 1} internal ranks of a ${c}-core train, got ${inner.length} values`);
  const maxRank = Math.min(dIn, dOut);
  for (const r of inner) {
    checkPositiveInt(op, 'rank', r);
    if (r > maxRank) throw new ArgumentError(`${op}: rank ${r} is out of range for a ${dIn}→${dOut} layer; expected 1 ≤ rank ≤ min(dIn, dOut) = ${maxRank}`);
  }
  const r = [1, ...inner, 1];
  const factors = describeFactors(n.map((ni, i) => ({
    name: `G${i + 1}`, shape: [r[i]!, ni, m[i]!, r[i + 1]!], fanIn: r[i]! * ni, fanOut: m[i]! * r[i + 1]!,
  })), opts.init ?? 'mup', opts.zeroInit ?? false);
  let macs = 0;
  for (let i = 0; i < c; i++) {
    const mPrev = m.slice(0, i).reduce((a, b) => a * b, 1);
    const nRest = n.slice(i + 1).reduce((a, b) => a * b, 1);
    macs += mPrev * nRest * r[i]! * n[i]! * m[i]! * r[i + 1]!;
  }
  const layer: StructuredLayer = {
    kind: 'tt', dIn, dOut, factors, params: sumSizes(factors), macs, activeMacs: macs, extras: [], warnings,
    bias: opts.bias ?? true, normalize: false, description: `tt ${dIn}→${dOut} [n=${n.join('·')} | m=${m.join('·')}] r=${inner.join(',')}`,
    init: (rng, o = {}) => initParams(layer, rng, o.dtype),
    apply: (p, x) => applyLinear(layer, p, x, (x2) => {
      const B = x2.shape[0]!;
      // State axes: [batch, outputs made (m_<i), input n_i, inputs not yet used (n_>i), rank r_{i−1}].
      let mPrev = 1;
      let nRest = dIn / n[0]!;
      let t = reshape(x2, [B, 1, n[0]!, nRest, 1]);
      for (let i = 0; i < c; i++) {
        const G = reshape(effectiveFactor(layer, p, factors[i]!), [r[i]! * n[i]!, m[i]! * r[i + 1]!]);
        const lhs = reshape(permute(t, [0, 1, 3, 4, 2]), [B * mPrev * nRest, r[i]! * n[i]!]);
        const out = reshape(matmul(lhs, G), [B, mPrev, nRest, m[i]!, r[i + 1]!]);
        const moved = permute(out, [0, 1, 3, 2, 4]);          // [B, m_<i, m_i, n_>i, r_i]
        mPrev *= m[i]!;
        if (i + 1 < c) {
          const next = n[i + 1]!;
          nRest /= next;
          t = reshape(moved, [B, mPrev, next, nRest, r[i + 1]!]);
        } else {
          t = moved;
        }
      }
      return reshape(t, [B, dOut]);
    }),
    toDense: (p) => {
      const G = factorValues(layer, p);
      const a = new Float64Array(dIn * dOut);
      const ii = new Array<number>(c).fill(0), jj = new Array<number>(c).fill(0);
      for (let row = 0; row < dIn; row++) {
        for (let k = c - 1, q = row; k >= 0; k--) { ii[k] = q % n[k]!; q = Math.floor(q / n[k]!); }
        for (let col = 0; col < dOut; col++) {
          for (let k = c - 1, q = col; k >= 0; k--) { jj[k] = q % m[k]!; q = Math.floor(q / m[k]!); }
          // Row vector v (1 × r_i) times each core slice G_i[:, i_i, j_i, :].
          let v = [1];
          for (let k = 0; k < c; k++) {
            const g = G[`G${k + 1}`]!;
            const w = new Array<number>(r[k + 1]!).fill(0);
            for (let s = 0; s < r[k]!; s++) for (let t = 0; t < r[k + 1]!; t++) {
              w[t]! += v[s]! * g[((s * n[k]! + ii[k]!) * m[k]! + jj[k]!) * r[k + 1]! + t]!;
            }
            v = w;
          }
          a[row * dOut + col] = v[0]!;
        }
      }
      return denseTensor(a, dIn, dOut, p.G1!);
    },
  };
  return layer;
}
