/**
 * Training-step throughput (issue 14): one optimizer step = forward, backward, AdamW update, on fixed random
 * batches, for the digits MLP (64-128-10, batch 64), the demo's char transformer (d 64, 2 layers, 4 heads,
 * SwiGLU 172, ctx 64, batch 16), a 3.2M-parameter char transformer (d 256, 4 layers, 8 heads, SwiGLU 688, ctx 128,
 * batch 32) and a 4×128 tanh MLP whose loss uses one jvp per step (the PDE / diffusion shape), plus the autodiff
 * overhead of 100 small ops. Each model gives two rows: its throughput against PyTorch on the same model and batch
 * (reference column; both single-threaded), and the matmul FLOP rate it reaches against Strata's own single-thread
 * gemm peak measured in the same run (ratio = fraction of peak). Matmul FLOPs are counted, not estimated: a recorder
 * adds 2·batch·m·n·k for every matmul the step executes.
 *
 * PyTorch: the interpreter is $STRATA_TORCH_PYTHON (default python3); without torch the reference is skipped with a
 * line saying so. Run alone: `npx tsx bench/train-steps.ts [--quick]`, or in `npm run bench` (filter 'train').
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng, Tensor, matmul, mean, mul, pushRecorder, popRecorder, sum, tanh, type Recorder } from '../src/core/index.ts';
import { valueAndGrad, jvp } from '../src/autodiff/index.ts';
import { adamw } from '../src/optim/index.ts';
import { crossEntropy, mlp, mlpInit, transformerInit, languageModelLoss, type TransformerConfig, type MlpParams } from '../src/nn/index.ts';
import { timeBest } from './harness.ts';

export interface ThroughputRow { op: string; size: string; dtype: string; value: number; unit: string; reference: number | null; ratio: number | null }

interface Model {
  name: string;
  size: string;
  /** Items per step (samples or tokens) and their unit. */
  items: number;
  unit: 'samples/s' | 'tokens/s' | 'ms';
  dtype: 'float32' | 'float64';
  /** Builds the model and returns one training step. */
  setup(): () => void;
  /** The spec for bench/train_torch_ref.py, or null when there is no PyTorch counterpart. */
  torch: Record<string, unknown> | null;
}

const VOCAB = 98; // the demo's CharVocab: NUL, \n, \t and the 95 printable ASCII characters

function mlpModel(): Model {
  return {
    name: 'train step digits MLP 64-128-10 relu, AdamW', size: 'batch 64', items: 64, unit: 'samples/s', dtype: 'float32',
    setup() {
      const rng = new Rng(1);
      const [ri, rx] = rng.split(2);
      const params = mlpInit(ri!, [64, 128, 10], { dtype: 'float32' });
      const x = rx!.uniform([64, 64], { dtype: 'float32' });
      const y = Int32Array.from({ length: 64 }, (_, i) => i % 10);
      const opt = adamw(params, { lr: 1e-3, weightDecay: 1e-4 });
      const lossGrad = valueAndGrad((p: MlpParams) => crossEntropy(mlp(p, x), y));
      return () => { opt.step(lossGrad(params).grad); };
    },
    torch: { kind: 'mlp', sizes: [64, 128, 10], batch: 64, activation: 'relu' },
  };
}

function transformerModel(name: string, config: TransformerConfig, batch: number): Model {
  const T = config.context;
  return {
    name, size: `d ${config.dim}, ${config.layers} layers, ${config.heads} heads, SwiGLU ${config.hidden}, ctx ${T}, batch ${batch}`,
    items: batch * T, unit: 'tokens/s', dtype: 'float32',
    setup() {
      const rng = new Rng(2);
      const [ri, rd] = rng.split(2);
      const params = transformerInit(ri!, config);
      const ids = new Int32Array(batch * (T + 1));
      for (let i = 0; i < ids.length; i++) ids[i] = rd!.int(0, VOCAB);
      const b = new Tensor(ids, [batch, T + 1]);
      const opt = adamw(params, { lr: 1e-3, weightDecay: 0.01, clipNorm: 1 });
      const lossGrad = valueAndGrad((p: typeof params) => languageModelLoss(p, config, b));
      return () => { opt.step(lossGrad(params).grad); };
    },
    torch: { kind: 'transformer', vocab: config.vocab, dim: config.dim, layers: config.layers, heads: config.heads, hidden: config.hidden, context: T, batch },
  };
}

/** u(x) = MLP 2 → 128 ×4 (tanh) → 1; loss = mean(u² + (∂u/∂x·v)²) with the directional derivative from one jvp. */
function jvpMlpModel(): Model {
  const B = 256;
  return {
    name: 'train step tanh MLP 2-128×4-1 with one jvp', size: `batch ${B}`, items: B, unit: 'samples/s', dtype: 'float64',
    setup() {
      const rng = new Rng(3);
      const [ri, rx] = rng.split(2);
      const params = mlpInit(ri!, [2, 128, 128, 128, 128, 1], { dtype: 'float64' });
      const x = rx!.uniform([B, 2], { low: -1, high: 1 });
      const v = rx!.normal([B, 2]);
      const opt = adamw(params, { lr: 1e-3 });
      const lossGrad = valueAndGrad((p: MlpParams) => {
        const { out, tangent } = jvp((z: Tensor) => mlp(p, z, 'tanh'), x, v);
        return mean(sum(mul(out, out), -1)).add(mean(sum(mul(tangent, tangent), -1)));
      });
      return () => { opt.step(lossGrad(params).grad); };
    },
    torch: null,
  };
}

function overheadModel(): Model {
  return {
    name: 'autodiff overhead: 100 ops on 8×8, fwd+bwd', size: '50 × (matmul, tanh)', items: 100, unit: 'ms', dtype: 'float64',
    setup() {
      const rng = new Rng(4);
      const w = rng.normal([8, 8], { std: 0.3 });
      const x0 = rng.normal([8, 8]);
      const f = valueAndGrad((p: Tensor) => {
        let h = x0;
        for (let i = 0; i < 50; i++) h = tanh(matmul(h, p));
        return sum(h);
      });
      return () => { f(w); };
    },
    torch: null,
  };
}

/** Matmul FLOPs of one call of `fn`, counted by a recorder (2·m·n·k per matrix product, times the batch). */
function countMatmulFlops(fn: () => void): number {
  let flops = 0;
  const rec: Recorder = {
    record(op, inputs, out) {
      if (op !== 'matmul') return;
      const a = inputs[0]!;
      const k = a.shape[a.ndim - 1]!;
      flops += 2 * out.size * k;
    },
  };
  pushRecorder(rec);
  try { fn(); } finally { popRecorder(rec); }
  return flops;
}

function gemmPeak(dtype: 'float32' | 'float64'): number {
  const rng = new Rng(5);
  const a = rng.normal([1024, 1024], { dtype }), b = rng.normal([1024, 1024], { dtype });
  const t = timeBest(() => { matmul(a, b); }, 5, 1500);
  return (2 * 1024 ** 3) / t.seconds / 1e9;
}

interface TorchResult { ok: boolean; reason?: string; torch?: string; results?: { id: number; seconds: number }[] }

function torchReference(models: Model[], log: (s: string) => void): Map<number, number> | null {
  const payload = models.flatMap((m, id) => (m.torch ? [{ id, ...m.torch }] : []));
  const python = process.env.STRATA_TORCH_PYTHON ?? 'python3';
  const script = join(dirname(fileURLToPath(import.meta.url)), 'train_torch_ref.py');
  const env = { ...process.env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' };
  const child = spawnSync(python, [script], { input: JSON.stringify(payload), env, encoding: 'utf8', maxBuffer: 1 << 24 });
  if (child.error || child.status !== 0) {
    log(`PyTorch reference skipped: ${python} failed (${child.error?.message ?? child.stderr.trim().split('\n').pop()})`);
    return null;
  }
  const r = JSON.parse(child.stdout) as TorchResult;
  if (!r.ok) {
    log(`PyTorch reference skipped: ${r.reason} (set STRATA_TORCH_PYTHON to an interpreter with torch, e.g. /usr/bin/python3 after apt install python3-torch)`);
    return null;
  }
  log(`PyTorch ${r.torch}, 1 thread`);
  return new Map(r.results!.map((x) => [x.id, x.seconds]));
}

export function trainStepRows(opts: { quick?: boolean; log?: (s: string) => void } = {}): ThroughputRow[] {
  const log = opts.log ?? ((s: string) => process.stderr.write(`${s}\n`));
  const models: Model[] = [
    overheadModel(),
    mlpModel(),
    transformerModel('train step char transformer (demo)', { vocab: VOCAB, dim: 64, layers: 2, heads: 4, hidden: 172, context: 64, dtype: 'float32' }, 16),
    jvpMlpModel(),
    ...(opts.quick ? [] : [transformerModel('train step char transformer 3.2M', { vocab: VOCAB, dim: 256, layers: 4, heads: 8, hidden: 688, context: 128, dtype: 'float32' }, 32)]),
  ];
  const peaks = { float32: gemmPeak('float32'), float64: gemmPeak('float64') };
  log(`  gemm peak 1024³, 1 thread: float32 ${peaks.float32.toFixed(1)}, float64 ${peaks.float64.toFixed(1)} GFLOP/s`);
  const measured = models.map((m) => {
    const step = m.setup();
    const flops = countMatmulFlops(step);
    // The 3.2M model takes seconds per step: a short budget still gives ≥ 3 samples after the warm-up.
    const t = timeBest(step, 5, m.items > 2000 ? 1 : 600, 3);
    log(`  ${m.name}: ${(t.seconds * 1000).toFixed(2)} ms/step, ${(flops / t.seconds / 1e9).toFixed(2)} matmul GFLOP/s`);
    return { m, seconds: t.seconds, flops };
  });
  const torch = torchReference(models, log);
  const rows: ThroughputRow[] = [];
  measured.forEach(({ m, seconds, flops }, id) => {
    const ref = torch?.get(id);
    if (m.unit === 'ms') {
      rows.push({ op: m.name, size: m.size, dtype: 'float64', value: seconds * 1000, unit: 'ms', reference: null, ratio: null });
      rows.push({ op: `${m.name}, per op`, size: m.size, dtype: 'float64', value: (seconds * 1e6) / m.items, unit: 'µs/op', reference: null, ratio: null });
      return;
    }
    const value = m.items / seconds;
    const refValue = ref === undefined ? null : m.items / ref;
    rows.push({ op: m.name, size: m.size, dtype: m.dtype, value, unit: m.unit, reference: refValue, ratio: refValue === null ? null : value / refValue });
    const rate = flops / seconds / 1e9;
    const peak = peaks[m.dtype];
    rows.push({ op: `${m.name}: matmul GFLOP/s vs gemm peak`, size: m.size, dtype: m.dtype, value: rate, unit: 'GFLOP/s', reference: peak, ratio: rate / peak });
  });
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of trainStepRows({ quick: process.argv.includes('--quick') })) {
    console.log(`${r.op.padEnd(58)} ${r.value.toPrecision(4).padStart(9)} ${r.unit.padEnd(9)} ref ${r.reference === null ? '—' : r.reference.toPrecision(4)} ratio ${r.ratio === null ? '—' : r.ratio.toFixed(3)}  (${r.size})`);
  }
}
