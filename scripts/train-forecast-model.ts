/**
 * Trains Strata's digit model — the embedded default of `strata forecast` and of the forecast demo — and exports it
 * as GGUF for llama.cpp.
 *
 * A Llama-layout transformer (src/nn/transformer.ts: RMSNorm, RoPE on adjacent pairs, SwiGLU, untied head) learns
 * next-token prediction on SYNTHETIC series only (src/forecast/synthetic.ts: sinusoids, trends, AR noise, random
 * walks, level shifts — never the Darts evaluation series), each rescaled with LLMTime's advanced scaler (mostly
 * α 0.99, β 0.3) and serialized with the `llama` preset in 'round' digit mode ("259,271,300,"). Training uses the
 * foundation's autodiff and AdamW with a cosine schedule, seeded; a short curriculum trains on 128-token windows
 * first and on the full 256-token context last.
 *
 * Exact command that produced the committed model (984 s on the shared 2-core machine while two other training
 * jobs ran; the defaults are --steps 520 --short-fraction 0.7 --dim 64 --layers 3):
 *
 *   npx tsx scripts/train-forecast-model.ts --seed 1 --out models/forecast-digits.gguf
 *
 * The smaller model the demo compares against (to check that a larger model scores a lower NLL/D):
 *
 *   npx tsx scripts/train-forecast-model.ts --seed 1 --out models/forecast-digits-small.gguf --dim 32 --layers 2
 *
 * Each run writes the GGUF file and a JSON beside it (configuration, seed, losses, timing, exact command), then loads
 * the file through node-llama-cpp and checks that llama.cpp's next-token distribution equals our own forward pass.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Tensor, Rng, noGrad } from '../src/core/index.ts';
import { valueAndGrad } from '../src/autodiff/index.ts';
import { adamw, cosineSchedule } from '../src/optim/index.ts';
import { transformerInit, transformer, languageModelLoss, countParams, type TransformerConfig, type TransformerParams } from '../src/nn/transformer.ts';
import { softmax } from '../src/nn/functional.ts';
import { syntheticSeries } from '../src/forecast/synthetic.ts';
import { fitScaler } from '../src/forecast/scaler.ts';
import { serialize } from '../src/forecast/serialize.ts';
import { presetSettings } from '../src/forecast/settings.ts';
import { DIGIT_VOCABULARY, encodeDigits } from '../src/forecast/digit-vocabulary.ts';
import { exportDigitModel, digitModelGgufConfig } from '../src/forecast/digit-model.ts';
import { loadGgufModel } from '../src/llm/backends/gguf.ts';

const { values: args } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    out: { type: 'string', default: 'models/forecast-digits.gguf' },
    steps: { type: 'string', default: '520' },
    dim: { type: 'string', default: '64' },
    layers: { type: 'string', default: '3' },
    'short-fraction': { type: 'string', default: '0.7' },
  },
});
const seed = Number(args.seed);
const totalSteps = Number(args.steps);
const CONTEXT = 256;
const settings = presetSettings('llama', 'round');
const dim = Number(args.dim);
const config: TransformerConfig = {
  vocab: DIGIT_VOCABULARY.tokens.length, dim, layers: Number(args.layers), heads: 4,
  hidden: Math.round((dim * 8) / 3 / 8) * 8, context: CONTEXT, dtype: 'float32',
};

/** One training window: BOS + `T` characters of a serialized synthetic series, starting at a step boundary. */
function window(rng: Rng, T: number): Int32Array {
  for (;;) {
    const series = syntheticSeries(rng, Math.ceil(T / 2) + 10);
    // Mostly the paper's setting; some other α/β so validation tuning meets familiar scales; a few basic-scaled
    // (signed) series so the minus sign is learned.
    const u = rng.random();
    const scaler = u < 0.55 ? fitScaler(series, { alpha: 0.99, beta: 0.3 })
      : u < 0.9 ? fitScaler(series, { alpha: 0.5 + 0.49 * rng.random(), beta: 0.5 * rng.random() })
        : fitScaler(series.map((v, i, a) => v - a[0]!), { basic: true, alpha: 0.5 + 0.49 * rng.random() });
    const text = serialize(scaler.transform(series), settings);
    const starts = [0];
    for (let i = 0; i < text.length; i++) if (text[i] === ',' && i + 1 + T <= text.length) starts.push(i + 1);
    const candidates = starts.filter((s) => s + T <= text.length);
    if (candidates.length === 0) continue;
    const s = candidates[rng.int(0, candidates.length)]!;
    return encodeDigits(text.slice(s, s + T), true);
  }
}

function batch(rng: Rng, B: number, T: number): Tensor {
  const data = new Int32Array(B * (T + 1));
  for (let b = 0; b < B; b++) data.set(window(rng, T), b * (T + 1));
  return new Tensor(data, [B, T + 1]);
}

const rng = new Rng(seed);
const [rInit, rData, rEval] = rng.split(3);
const params = transformerInit(rInit!, config);
const nParams = countParams(params);
const opt = adamw(params, { lr: cosineSchedule({ peak: 3e-3, total: totalSteps, warmup: Math.min(25, Math.floor(totalSteps / 10)) }), weightDecay: 0.01, clipNorm: 1 });
const lossGrad = valueAndGrad((p: TransformerParams, b: Tensor) => languageModelLoss(p, config, b));
const evalBatch = batch(rEval!, 16, CONTEXT);
const evaluate = () => noGrad(() => languageModelLoss(params, config, evalBatch).item());

console.error(`digit model: ${nParams.toLocaleString('en-US')} parameters, ${JSON.stringify(config)}`);
const curve: { step: number; train: number; val?: number }[] = [];
// Curriculum: this fraction of the steps on 128-token windows (cheaper), the rest on the full context.
const phase1 = Math.round(totalSteps * Number(args['short-fraction']));
const t0 = performance.now();
for (let s = 0; s < totalSteps; s++) {
  const [B, T] = s < phase1 ? [16, 128] : [8, CONTEXT];
  const { value, grad } = lossGrad(params, batch(rData!, B, T));
  opt.step(grad);
  const entry: { step: number; train: number; val?: number } = { step: s + 1, train: value.item() };
  if ((s + 1) % 40 === 0 || s === totalSteps - 1) {
    entry.val = evaluate();
    console.error(`step ${s + 1}/${totalSteps}  train ${entry.train.toFixed(3)}  held-out ${entry.val.toFixed(3)} nats/token  ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
  curve.push(entry);
}
const seconds = (performance.now() - t0) / 1000;

const out = args.out!;
await exportDigitModel(out, params, config);
const valLoss = curve[curve.length - 1]!.val!;

// Verification: llama.cpp's next-token distribution after a held-out prompt must equal our forward pass.
const promptIds = Array.from(evalBatch.values().slice(0, 120)) as number[];
const ours = noGrad(() => {
  const logits = transformer(params, config, new Tensor(Int32Array.from(promptIds), [1, promptIds.length]));
  return Array.from(softmax(logits.slice(0, promptIds.length - 1)).values() as Float32Array);
});
const model = await loadGgufModel(out, { kvCacheType: 'F32' });
const theirs = await model.nextTokenDistribution({ tokens: promptIds });
await model.close();
let maxDiff = 0;
for (const e of theirs.entries) maxDiff = Math.max(maxDiff, Math.abs(Math.exp(e.logprob) - ours[e.id!]!));
console.error(`llama.cpp vs Strata forward pass: max |Δp| over the vocabulary = ${maxDiff.toExponential(2)}`);

const meta = {
  file: out, seed, steps: totalSteps, seconds: Math.round(seconds), parameters: nParams, config,
  gguf: digitModelGgufConfig(config, 'strata-forecast-digits'), settings: { preset: 'llama', digitMode: 'round', prec: 3 },
  heldOutLoss: valLoss, llamaCppMaxProbabilityDifference: maxDiff,
  command: `npx tsx scripts/train-forecast-model.ts --seed ${seed} --out ${out} --steps ${totalSteps} --short-fraction ${args['short-fraction']} --dim ${args.dim} --layers ${args.layers}`,
  curve: curve.filter((c) => c.val !== undefined),
};
writeFileSync(out.replace(/\.gguf$/, '.json'), JSON.stringify(meta, null, 2) + '\n');
if (maxDiff > 1e-3) {
  console.error('verification FAILED: llama.cpp and the Strata forward pass disagree');
  process.exit(1);
}
console.error(`wrote ${out} (${seconds.toFixed(0)} s of training, held-out ${valLoss.toFixed(3)} nats/token)`);
