import { ArgumentError, NonFiniteError } from '../core/index.ts';
import { arithmeticEncodeAdaptive, arithmeticDecodeAdaptive, countsFromProbabilities, RuntimeFailure } from './deps.ts';

export interface LabelCode {
  /** Bits of the labels arithmetic-coded with the model's predictive distributions (the real coder's output). */
  labelBits: number;
  /** Σ −log2 p(yᵢ | xᵢ) with the unquantised probabilities (the ideal length). */
  idealLabelBits: number;
  /** K_model: bits describing the model itself. */
  modelBits: number;
  /** K_labels = labelBits + modelBits. */
  totalBits: number;
  /** n·log2 C: the labels stored without a model. */
  uncompressedBits: number;
  /** uncompressedBits / totalBits. */
  ratio: number;
}

/**
 * Description length of labels given inputs (Goldblum et al. 2024 §3, "label compression"): the model's code
 * (`modelBits`, e.g. a quantised subspace model's prefix-free length) plus the labels arithmetic-coded with the
 * model's predictive distribution p(y | x). `probs` is row-major [n, C].
 */
export function labelCodeLength(probs: ArrayLike<number>, labels: ArrayLike<number>, classes: number, modelBits: number): LabelCode {
  const n = labels.length;
  if (!Number.isInteger(classes) || classes < 2) throw new ArgumentError(`labelCodeLength: classes must be an integer ≥ 2, got ${classes}`);
  if (probs.length !== n * classes) throw new ArgumentError(`labelCodeLength: probs has ${probs.length} values, expected n·C = ${n}·${classes}`);
  if (!(modelBits >= 0 && Number.isFinite(modelBits))) throw new ArgumentError(`labelCodeLength: modelBits must be a finite number ≥ 0, got ${modelBits}`);
  const rows: Int32Array[] = [];
  let ideal = 0;
  for (let i = 0; i < n; i++) {
    const row = Array.from({ length: classes }, (_, c) => probs[i * classes + c]!);
    for (const p of row) if (!Number.isFinite(p)) throw new NonFiniteError(`labelCodeLength: probs row ${i} holds ${p}`);
    const y = labels[i]!;
    if (!Number.isInteger(y) || y < 0 || y >= classes) throw new ArgumentError(`labelCodeLength: labels[${i}] = ${y} is not in [0, ${classes})`);
    const sum = row.reduce((a, b) => a + b, 0);
    ideal -= Math.log2(row[y]! / sum);
    rows.push(countsFromProbabilities(row));
  }
  const code = arithmeticEncodeAdaptive(labels, (i) => rows[i]!);
  const back = arithmeticDecodeAdaptive(code, (i) => rows[i]!);
  for (let i = 0; i < n; i++) if (back[i] !== labels[i]) throw new RuntimeFailure(`labelCodeLength: the label code failed to decode label ${i}`);
  const uncompressed = n * Math.log2(classes);
  const total = code.bits + modelBits;
  return { labelBits: code.bits, idealLabelBits: ideal, modelBits, totalBits: total, uncompressedBits: uncompressed, ratio: uncompressed / total };
}
