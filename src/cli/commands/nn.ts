/** `strata nn`: inspect a structured linear layer (`layer`) and run the structured-layer sweeps (`sweep`). */
import { Rng, noGrad, ArgumentError } from '../../core/index.ts';
import {
  type ExperimentResult, findSharedDataDir, runScalingSweep, summarise, structuredLrTransferExperiment,
  structuredEinsumSweepExperiment, structuredMoeExperiment,
} from '../../experiments/index.ts';
import {
  makeLayer, parseStructure, taxonomy, lrMultipliers, STRUCTURE_NAMES, NAMED_THETAS, type StructureSpec,
} from '../../nn/index.ts';
import { commonOptions, parseCommandArgs, parseIntFlag, parseList, parseSeed, UsageError, type CliIO, type Command } from '../command.ts';
import { textTable } from '../text-table.ts';
import { ProgressRenderer, progressMode } from '../progress.ts';

const help = `strata nn — structured linear layers (BTT, Monarch, low-rank, Kronecker, TT, einsum family, BTT-MoE)

Usage: strata nn <layer | sweep> [options]
  strata nn layer --struct <name> --in <d> --out <d> [options]   shapes, params, MACs, (ω, ψ, ν), init stds, LR multipliers
  strata nn sweep [--task teacher|lr|einsum|moe] [options]         run a miniature experiment and print its table

Structures: ${STRUCTURE_NAMES.join(', ')}  (einsum needs --theta; named θs: ${Object.keys(NAMED_THETAS).join('; ')})

layer options:
  --struct <name>      structure (default btt)
  --in <d>, --out <d>  layer widths (required)
  --rank <r>           rank (low-rank, BTT, TT)        --cores <c>    cores (BTT, TT)
  --blocks <b>         Monarch blocks                  --experts <E>  --topk <k>  (BTT-MoE)
  --theta <7 numbers>  θ = α,β,γ,δ,ε,φ,ρ for einsum, e.g. .5,.25,.25,.25,.5,.25,0

sweep options:
  --task <name>        teacher (loss vs FLOPs per structure, default), lr (LR transfer), einsum (θ sweep), moe (BTT-MoE char LM)
  --structs <list>     structures for --task teacher (default dense,lowrank,kron,btt)
  --budget <size>      small (= demo --quick, ~15 s), medium (= the default demo run, ~1 min) or large
                       (= demo --extended, several minutes); default small
  --steps <n>          training steps per run (task teacher; overrides the budget's)
  --lr <x>             base learning rate (task teacher, default 3e-3)
  --seed <n>           random seed (default 1)

Common: --json (one JSON document on stdout), -q/--quiet, --debug, -h/--help

Examples:
  strata nn layer --struct btt --in 256 --out 1024 --rank 2
  strata nn layer --struct einsum --theta .5,.25,.25,.25,.5,.25,0 --in 256 --out 256 --json
  strata nn sweep --task teacher --structs dense,lowrank,kron,btt --budget small
  strata nn sweep --task einsum --json --quiet > einsum.json
`;

function parseTheta(v: string | undefined): number[] | undefined {
  if (v === undefined) return undefined;
  const xs = v.split(',').map((s) => Number(s.trim()));
  if (xs.length !== 7 || xs.some((x) => !Number.isFinite(x))) throw new ArgumentError(`--theta: expected 7 comma-separated numbers α,β,γ,δ,ε,φ,ρ, got '${v}'`);
  return xs;
}

function thetaOf(spec: StructureSpec): number[] | null {
  switch (spec.kind) {
    case 'dense': return [...NAMED_THETAS.dense!];
    case 'kronecker': return [...NAMED_THETAS.kronecker!];
    case 'einsum': return [...spec.theta];
    default: return null;
  }
}

async function runLayer(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs('nn', argv, {
    ...commonOptions, struct: { type: 'string' }, in: { type: 'string' }, out: { type: 'string' }, rank: { type: 'string' }, cores: { type: 'string' },
    blocks: { type: 'string' }, experts: { type: 'string' }, topk: { type: 'string' }, theta: { type: 'string' }, json: { type: 'boolean' },
  });
  if (values.help) { io.stdout.write(help); return 0; }
  const dIn = parseIntFlag('--in', values.in), dOut = parseIntFlag('--out', values.out);
  if (dIn === undefined || dOut === undefined) throw new UsageError('nn', 'nn layer: --in and --out are required (e.g. --in 256 --out 1024)');
  const extra = {
    rank: parseIntFlag('--rank', values.rank), cores: parseIntFlag('--cores', values.cores), blocks: parseIntFlag('--blocks', values.blocks),
    experts: parseIntFlag('--experts', values.experts), topK: parseIntFlag('--topk', values.topk), theta: parseTheta(values.theta),
  };
  const spec = parseStructure(values.struct ?? 'btt', Object.fromEntries(Object.entries(extra).filter(([, v]) => v !== undefined)));
  const layer = makeLayer(spec, dIn, dOut);
  const p = layer.init(new Rng(0));
  const measured = noGrad(() => Object.fromEntries(layer.factors.map((f) => {
    const t = p[f.name]!;
    const v = t.values();
    let s = 0;
    for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
    return [f.name, Math.sqrt(s / v.length)];
  })));
  const mults = lrMultipliers({ layer }, {});
  const theta = thetaOf(spec);
  const tax = theta ? taxonomy(theta) : null;
  const doc = {
    description: layer.description, kind: layer.kind, dIn, dOut, params: layer.params, macs: layer.macs, activeMacs: layer.activeMacs,
    denseParams: dIn * dOut, flopsForward: 2 * layer.activeMacs, flopsTraining: 6 * layer.activeMacs,
    factors: layer.factors.map((f) => ({ name: f.name, shape: f.shape, fanIn: f.fanIn, fanOut: f.fanOut, initStd: f.initStd, measuredRms: measured[f.name], lrMultiplier: mults[`layer.${f.name}`] })),
    taxonomy: tax ? { theta, omega: tax.omega, psi: tax.psi, nu: tax.nu } : null,
    warnings: (layer.warnings ?? []).map((w) => w.message),
  };
  // The layer's typed warnings (e.g. a prime width degenerating to a factor of 1) are shown here, on stderr.
  if (!values.quiet) for (const w of layer.warnings ?? []) io.stderr.write(`warning: ${w.message}\n`);
  if (values.json) { io.stdout.write(JSON.stringify(doc, null, 2) + '\n'); return 0; }
  const lines = [
    layer.description,
    `  params ${layer.params.toLocaleString('en-US')} (dense ${doc.denseParams.toLocaleString('en-US')}, ${(layer.params / doc.denseParams).toFixed(3)}×)   MACs/vector ${layer.macs.toLocaleString('en-US')}${layer.activeMacs !== layer.macs ? ` (active ${Math.round(layer.activeMacs).toLocaleString('en-US')})` : ''}`,
    tax ? `  θ = (${theta!.join(', ')})  ω = ${tax.omega}  ψ = ${tax.psi}  ν = ${tax.nu}` : '  (ω, ψ, ν): defined for einsum-family points (dense, kron, einsum)',
    '  factor   shape                 fan-in  fan-out  init std    measured rms  LR mult (Adam, structure-aware)',
    ...doc.factors.map((f) => `  ${f.name.padEnd(8)} ${`[${f.shape.join(', ')}]`.padEnd(21)} ${String(f.fanIn).padStart(6)}  ${String(f.fanOut).padStart(7)}  ${f.initStd.toExponential(3).padEnd(10)}  ${f.measuredRms!.toExponential(3).padEnd(12)}  ${f.lrMultiplier!.toFixed(4)}`),
  ];
  io.stdout.write(lines.join('\n') + '\n');
  return 0;
}

async function runSweep(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs('nn', argv, {
    ...commonOptions, task: { type: 'string' }, structs: { type: 'string' }, budget: { type: 'string' }, steps: { type: 'string' },
    lr: { type: 'string' }, seed: { type: 'string' }, json: { type: 'boolean' },
  });
  if (values.help) { io.stdout.write(help); return 0; }
  const task = values.task ?? 'teacher';
  const budget = values.budget ?? 'small';
  if (budget !== 'small' && budget !== 'medium' && budget !== 'large') throw new ArgumentError(`--budget: expected 'small', 'medium' or 'large', got '${budget}'`);
  const quick = budget === 'small';
  const extended = budget === 'large';
  const seed = parseSeed(values.seed, 1);
  const mode = progressMode(io.stderr, values.quiet === true);
  const progress = new ProgressRenderer({ stream: io.stderr, mode, prefix: `nn sweep ${task}` });
  const ctx = { seed, quick, extended, progress, sharedDataDir: findSharedDataDir() };
  let result: ExperimentResult;
  if (task === 'teacher') {
    const structures = parseList(values.structs, '--structs') ?? ['dense', 'lowrank', 'kron', 'btt'];
    for (const s of structures) parseStructure(s, s === 'einsum' ? { theta: NAMED_THETAS.generic! } : {});
    const steps = parseIntFlag('--steps', values.steps) ?? (quick ? 40 : extended ? 150 : 80);
    const lr = values.lr === undefined ? 3e-3 : Number(values.lr);
    if (!(lr > 0 && Number.isFinite(lr))) throw new ArgumentError(`--lr: expected a positive number, got '${values.lr}'`);
    const cfg = { structures, budgets: quick ? [4096, 16384] : [4096, 16384, 65536], steps, batch: 64, lr, seeds: extended ? [0, 1] : [0] };
    result = summarise(runScalingSweep(cfg, ctx, seed), cfg);
  } else {
    const ex = { lr: structuredLrTransferExperiment, einsum: structuredEinsumSweepExperiment, moe: structuredMoeExperiment }[task];
    if (!ex) throw new ArgumentError(`--task: expected teacher, lr, einsum or moe, got '${task}'`);
    for (const f of ['structs', 'steps', 'lr'] as const) if (values[f] !== undefined) throw new ArgumentError(`--${f} applies to --task teacher only`);
    result = await ex.run(ctx);
  }
  progress.finish();
  if (values.json) { io.stdout.write(JSON.stringify({ task, budget, seed, ...result }, null, 2) + '\n'); return 0; }
  const out: string[] = [`${result.verdict.toUpperCase()}: ${result.summary}`, ''];
  for (const t of result.tables) {
    out.push(t.title);
    const cells = [t.columns, ...t.rows.map((r) => r.map((c) => (c === null ? '–' : String(c))))];
    out.push(...textTable(cells).trimEnd().split('\n').map((line) => '  ' + line));
    out.push('');
  }
  io.stdout.write(out.join('\n'));
  return 0;
}

export const nnCommand: Command = {
  name: 'nn',
  summary: 'structured linear layers: inspect one (nn layer) or run the scaling / LR / einsum / MoE sweeps (nn sweep)',
  help,
  async run(argv: string[], io: CliIO): Promise<number> {
    const [sub, ...rest] = argv;
    if (sub === undefined || sub === '-h' || sub === '--help') { io.stdout.write(help); return 0; }
    if (sub === 'layer') return runLayer(rest, io);
    if (sub === 'sweep') return runSweep(rest, io);
    throw new UsageError('nn', `unknown subcommand '${sub}'; expected 'layer' or 'sweep'`);
  },
};
