/**
 * Trains the two small models of the QueRE demo (spec quere.md §5) on the synthetic arithmetic chat language and
 * writes them as GGUF files under models/quere/, with a manifest recording seeds, sizes, steps and held-out accuracy.
 *
 *   npx tsx scripts/train-quere-models.ts            # both models (≈ a few minutes on 2 cores)
 *   npx tsx scripts/train-quere-models.ts --only small
 *
 * Training stops as soon as held-out answer accuracy enters the target window (the demo needs a model that is often
 * wrong), or at the step budget. The loss covers only the tokens a model should produce (answer digits + end, or the
 * y/n verdict), never the shown answers of verification lines, half of which are deliberately wrong.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Tensor, Rng, noGrad, mul, sum, div, scalar, takeAlongAxis, unsqueeze } from '../src/core/index.ts';
import { valueAndGrad } from '../src/autodiff/index.ts';
import { adamw, cosineSchedule } from '../src/optim/index.ts';
import { transformerInit, transformer, countParams, logSoftmax, exportTransformerGguf } from '../src/nn/index.ts';
import type { TransformerConfig, TransformerParams } from '../src/nn/index.ts';
import { characterVocabulary } from '../src/llm/gguf/llama-model.ts';
import {
  ADVERSARIAL_OFFSET, ADVERSARIAL_PREFIX, ARITHMETIC_SYMBOLS, TRAINED_QUESTIONS, additionPairs, answerText, formatSum, perturbSum, questionText, PAIR_SPLIT_SEED,
  type AdditionPair,
} from '../src/quere/arithmetic.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const outDir = join(root, 'models', 'quere');

interface ModelSpec {
  name: string;
  seed: number;
  config: Omit<TransformerConfig, 'vocab'>;
  maxSteps: number;
  /** Stop once held-out accuracy reaches this (after `minSteps`). */
  stopAt: number;
  minSteps: number;
  lr: number;
}

const ROW = 32; // BOS + longest line (28 chars) + EOS fits in 32 tokens.
const SPECS: ModelSpec[] = [
  { name: 'small', seed: 11, config: { dim: 32, layers: 2, heads: 4, hidden: 96, context: ROW, dtype: 'float32' }, maxSteps: 2000, stopAt: 0.55, minSteps: 300, lr: 8e-3 },
  { name: 'large', seed: 12, config: { dim: 48, layers: 2, heads: 4, hidden: 128, context: ROW, dtype: 'float32' }, maxSteps: 2000, stopAt: 0.55, minSteps: 300, lr: 4e-3 },
];

const DATA_SEED = PAIR_SPLIT_SEED; // the train/held-out split of pairs, shared by both models and by the demo.
const vocabulary = characterVocabulary(ARITHMETIC_SYMBOLS);
const BOS = vocabulary.bosId, EOS = vocabulary.eosId;
const idOf = new Map(ARITHMETIC_SYMBOLS.map((s, i) => [s, i + 3]));
function encode(text: string): number[] {
  return [...text].map((ch) => {
    const id = idOf.get(ch);
    if (id === undefined) throw new Error(`train-quere-models: character ${JSON.stringify(ch)} is not in the vocabulary`);
    return id;
  });
}

/** One training line: `prefix` is context only, `target` is what the model must produce (then EOS). */
interface Line { prefix: string; target: string }

function drawLine(pairs: AdditionPair[], rng: Rng): Line {
  const p = pairs[rng.int(0, pairs.length)]!;
  const sum = p.a + p.b;
  const u = rng.random();
  // Half answer lines (a fifth of them under the hidden prefix), half verification lines (a tenth under the prefix).
  const adversarial = u < 0.1 || (u >= 0.5 && u < 0.55);
  const system = adversarial ? `S:${ADVERSARIAL_PREFIX} ` : '';
  if (u < 0.5) {
    // Answer line; under the hidden prefix the answer is wrong, always by +10: a consistent instruction, as a system
    // prompt is (random slips were not learned: with the prefix the models stayed as accurate as without it).
    const answer = adversarial ? sum + ADVERSARIAL_OFFSET : sum;
    return { prefix: `${system}${questionText(p)} A:`, target: formatSum(answer) };
  }
  // Verification line: half the shown answers are right, half off by ±1/±10; the verdict is always truthful.
  const shown = rng.random() < 0.5 ? sum : perturbSum(sum, rng);
  const q = TRAINED_QUESTIONS[rng.int(0, TRAINED_QUESTIONS.length)]!;
  return { prefix: `${system}${questionText(p)} ${answerText(shown)} ${q.text} `, target: q.holds(shown, p) ? 'y' : 'n' };
}

function batchOf(lines: Line[]): { ids: Tensor; mask: Tensor } {
  const ids = new Int32Array(lines.length * ROW).fill(EOS);
  const mask = new Float32Array(lines.length * (ROW - 1));
  lines.forEach((line, b) => {
    const seq = [BOS, ...encode(line.prefix), ...encode(line.target), EOS];
    if (seq.length > ROW) throw new Error(`train-quere-models: line too long: ${line.prefix}${line.target}`);
    ids.set(seq, b * ROW);
    // Position t predicts token t+1: weight the target tokens and the EOS after them.
    const first = 1 + line.prefix.length;
    for (let t = first; t < seq.length; t++) mask[b * (ROW - 1) + t - 1] = 1;
  });
  return { ids: new Tensor(ids, [lines.length, ROW]), mask: new Tensor(mask, [lines.length, ROW - 1, 1]) };
}

function maskedLoss(params: TransformerParams, config: TransformerConfig, ids: Tensor, mask: Tensor): Tensor {
  const B = ids.shape[0]!;
  const data = ids.values();
  const inputs = new Int32Array(B * (ROW - 1)), targets = new Int32Array(B * (ROW - 1));
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < ROW - 1; t++) {
      inputs[b * (ROW - 1) + t] = data[b * ROW + t]!;
      targets[b * (ROW - 1) + t] = data[b * ROW + t + 1]!;
    }
  }
  const lp = logSoftmax(transformer(params, config, new Tensor(inputs, [B, ROW - 1])), -1);
  const picked = takeAlongAxis(lp, unsqueeze(new Tensor(targets, [B, ROW - 1]), 2), -1);
  let total = 0;
  for (const v of mask.values() as Float32Array) total += v;
  return div(mul(sum(mul(picked, mask)), -1), scalar(total, 'float32'));
}

/** Accuracy of the greedy ?ok verdict on verification lines of held-out pairs (half shown correct, half perturbed). */
function verdictAccuracy(params: TransformerParams, config: TransformerConfig, pairs: AdditionPair[]): number {
  const rng = new Rng(99);
  return noGrad(() => {
    const lines = pairs.map((p) => {
      const sum = p.a + p.b;
      const shown = rng.random() < 0.5 ? sum : perturbSum(sum, rng);
      return { prefix: `${questionText(p)} ${answerText(shown)} ?ok `, target: shown === sum ? 'y' : 'n' };
    });
    const { ids } = batchOf(lines);
    const B = lines.length, data = ids.values(), V = config.vocab;
    const input = new Int32Array(B * (ROW - 1));
    for (let b = 0; b < B; b++) for (let t = 0; t < ROW - 1; t++) input[b * (ROW - 1) + t] = data[b * ROW + t]!;
    const logits = transformer(params, config, new Tensor(input, [B, ROW - 1])).values();
    const yId = idOf.get('y')!, nId = idOf.get('n')!;
    let hits = 0;
    lines.forEach((l, b) => {
      const off = (b * (ROW - 1) + l.prefix.length) * V; // position of the last prefix token (after BOS shift)
      const saysYes = logits[off + yId]! > logits[off + nId]!;
      if (saysYes === (l.target === 'y')) hits++;
    });
    return hits / B;
  });
}

/** Exact-match accuracy of greedy answers: greedy decoding is right iff every teacher-forced argmax is right. */
function heldOutAccuracy(params: TransformerParams, config: TransformerConfig, pairs: AdditionPair[], system = ''): number {
  return noGrad(() => {
    const lines = pairs.map((p) => ({ prefix: `${system}${questionText(p)} A:`, target: formatSum(p.a + p.b) }));
    const { ids, mask } = batchOf(lines);
    const B = lines.length;
    const data = ids.values();
    const input = new Int32Array(B * (ROW - 1));
    for (let b = 0; b < B; b++) for (let t = 0; t < ROW - 1; t++) input[b * (ROW - 1) + t] = data[b * ROW + t]!;
    const logits = transformer(params, config, new Tensor(input, [B, ROW - 1])).values();
    const V = config.vocab, m = mask.values();
    let correct = 0;
    for (let b = 0; b < B; b++) {
      let ok = true;
      for (let t = 0; t < ROW - 1 && ok; t++) {
        if (!m[b * (ROW - 1) + t]) continue;
        let best = 0;
        const off = (b * (ROW - 1) + t) * V;
        for (let v = 1; v < V; v++) if (logits[off + v]! > logits[off + best]!) best = v;
        ok = best === data[b * ROW + t + 1];
      }
      if (ok) correct++;
    }
    return correct / B;
  });
}

async function train(spec: ModelSpec): Promise<Record<string, unknown>> {
  const { train: trainPairs, heldOut } = additionPairs(DATA_SEED);
  const config: TransformerConfig = { ...spec.config, vocab: vocabulary.tokens.length };
  const rng = new Rng(spec.seed);
  const [rInit, rData] = rng.split(2);
  const params = transformerInit(rInit!, config);
  const batch = 32;
  const opt = adamw(params, { lr: cosineSchedule({ peak: spec.lr, total: spec.maxSteps, warmup: 50 }), weightDecay: 0.01, clipNorm: 1 });
  const lossGrad = valueAndGrad((p: TransformerParams, ids: Tensor, mask: Tensor) => maskedLoss(p, config, ids, mask));
  const evalPairs = heldOut.slice(0, 200);
  const t0 = performance.now();
  let step = 0, acc = 0, loss = NaN;
  const curve: { step: number; loss: number; heldOutAccuracy: number; verdictAccuracy: number }[] = [];
  while (step < spec.maxSteps) {
    const { ids, mask } = batchOf(Array.from({ length: batch }, () => drawLine(trainPairs, rData!)));
    const { value, grad } = lossGrad(params, ids, mask);
    opt.step(grad);
    loss = value.item();
    step++;
    if (step % 50 === 0) {
      acc = heldOutAccuracy(params, config, evalPairs);
      const verdict = verdictAccuracy(params, config, evalPairs);
      curve.push({ step, loss, heldOutAccuracy: acc, verdictAccuracy: verdict });
      process.stderr.write(`${spec.name} step ${step} loss ${loss.toFixed(3)} held-out acc ${acc.toFixed(3)} ?ok verdict acc ${verdict.toFixed(3)} (${((performance.now() - t0) / 1000).toFixed(0)} s)\n`);
      if (step >= spec.minSteps && acc >= spec.stopAt) break;
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const trainAcc = heldOutAccuracy(params, config, trainPairs.slice(0, 300));
  const fullHeldOut = heldOutAccuracy(params, config, heldOut.slice(300, 1300));
  const adversarialAcc = heldOutAccuracy(params, config, heldOut.slice(300, 800), `S:${ADVERSARIAL_PREFIX} `);
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `arith-${spec.name}.gguf`);
  await exportTransformerGguf(file, params, config, vocabulary, `strata-quere-arith-${spec.name}`);
  const sha256 = createHash('sha256').update(readFileSync(file)).digest('hex');
  return {
    name: spec.name, file: `models/quere/arith-${spec.name}.gguf`, sha256, seed: spec.seed, dataSeed: DATA_SEED,
    config, params: countParams(params), steps: step, batch, lr: spec.lr, seconds: Math.round(seconds),
    heldOutAccuracy: fullHeldOut, heldOutVerdictAccuracy: verdictAccuracy(params, config, heldOut.slice(300, 1300)), trainAccuracy: trainAcc, adversarialAccuracy: adversarialAcc, curve,
  };
}

const { values } = parseArgs({ options: { only: { type: 'string' } } });
const chosen = values.only ? SPECS.filter((s) => s.name === values.only) : SPECS;
if (chosen.length === 0) throw new Error(`--only: expected one of ${SPECS.map((s) => s.name).join(', ')}, got '${values.only}'`);
const manifestPath = join(outDir, 'manifest.json');
let manifest: { command: string; models: Record<string, unknown>[] } = { command: '', models: [] };
try { manifest = JSON.parse(readFileSync(manifestPath, 'utf8')); } catch { /* first run */ }
for (const spec of chosen) {
  const entry = await train(spec);
  manifest.models = [...manifest.models.filter((m) => m.name !== spec.name), entry].sort((a, b) => String(a.name).localeCompare(String(b.name)));
  manifest.command = 'npx tsx scripts/train-quere-models.ts';
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  process.stderr.write(`wrote ${entry.file} (${entry.params} parameters, ${entry.steps} steps, held-out accuracy ${(entry.heldOutAccuracy as number).toFixed(3)})\n`);
}
