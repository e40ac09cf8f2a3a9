/** `strata quere`: collect QueRE features from a model, fit and evaluate probes, detect a swapped or tampered model. */
import { writeFileSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ArgumentError, MissingResourceError } from '../../core/index.ts';
import { commonOptions, parseCommandArgs, parseIntFlag, parseSeed, UsageError, type CliIO, type Command } from '../command.ts';
import { findSharedDataDir } from '../../experiments/paths.ts';
import { QueryCache, openModel } from '../../llm/index.ts';
import { connectionHelp, connectionOptions, modelSpecFromFlags } from '../model-options.ts';
import { QUERE_BATTERY } from '../../quere/index.ts';
import { DATASET_NAMES, loadDataset, type DatasetName } from '../../quere/index.ts';
import { elicit, planElicitation } from '../../quere/index.ts';
import { buildFeatures, type Reading } from '../../quere/index.ts';
import { readFeatureFile, writeFeatureFile, FEATURE_FILE_FORMAT } from '../../quere/index.ts';
import { fitAndEvaluate, type ProbeEvaluation } from '../../quere/index.ts';
import { LogisticProbe, selectC } from '../../quere/index.ts';
import { evaluatePredictions } from '../../quere/index.ts';
import { calibratorFromJSON } from '../../quere/index.ts';
import { TASKS } from '../../quere/index.ts';

const help = `strata quere — predict a black-box model's behaviour from follow-up yes/no questions (QueRE)

Usage: strata quere <collect | fit | evaluate | detect-swap> [options]
  strata quere collect --dataset <name> --model <file.gguf|http://host/v1> --out <features.jsonl> [options]
  strata quere fit --features <train.jsonl> --out <probe.json> [--reading normalized|reference] [--cv] [--json]
  strata quere evaluate --probe <probe.json> --features <test.jsonl> [--json]
  strata quere detect-swap --reference <a.jsonl> --suspect <b.jsonl> [--json]

collect options:
  --dataset <name>        ${DATASET_NAMES.join(', ')} (read from ../shared/data/quere or --data-dir)
  --split <train|test>    which split to query (default: train)
  --n <count>             items to query (default: 200)
  --model <path|url>      a GGUF file, or an OpenAI-compatible base URL ending in /v1 (same as --url)
  --model-name <name>     model name for an HTTP server (default: "default")
  connection options, as for strata forecast:
${connectionHelp.split('\n').filter((l) => !/^  --(model|model-name) /.test(l) && !/^\s+the server's model name/.test(l)).join('\n')}  --system-prompt <text>  prepended to every call (adversarial experiments)
  --compat <mode>         default | reference (the authors' prompt whitespace and sampling)
  --cache <file.sqlite>   cache every call; rerunning after an interruption resumes
  --concurrency <n>       items in flight (default: 1)
  --dry-run               print the number of calls and tokens, make none
fit: probes on QueRE features and on each baseline group (answer probabilities, pre-, post-confidence, top-5
  log-probs), L2 logistic regression with balanced classes (C = 1 for QueRE, 0.1 for baselines), calibrated on
  out-of-fold predictions; --cv picks QueRE's C by 5-fold cross-validated AUROC. The file is refused if it was collected with another battery version.
evaluate: applies a fitted probe to other features (replay: no model calls); AUROC, accuracy, F1, ECE with 95%
  bootstrap intervals, and ECE after calibration.
detect-swap: are two feature files (same prompts; e.g. the model you pay for vs the endpoint now) distinguishable?
  Trains a probe on half the prompts, tests on the rest; an accuracy interval above 0.5 means a different model or
  a hidden system prompt.

Common: --json (one JSON document on stdout), --seed <n>, -q/--quiet, --debug, -h/--help.

Examples:
  strata quere collect --dataset boolq --model ../shared/models/stories260K.gguf --n 50 --out boolq.jsonl --cache q.sqlite
  strata quere fit --features boolq.jsonl --out probe.json
  strata quere evaluate --probe probe.json --features boolq-test.jsonl --json
`;

function reading(value: string | undefined): Reading {
  if (value === undefined) return 'normalized';
  if (value !== 'normalized' && value !== 'reference') throw new ArgumentError(`--reading: expected 'normalized' or 'reference', got '${value}'`);
  return value;
}

const f3 = (x: number): string => x.toFixed(3);
function row(e: ProbeEvaluation): Record<string, unknown> {
  return { probe: e.name, dims: e.dims, C: e.C, auroc: e.auroc, accuracy: e.accuracy, f1: e.f1, ece: e.ece, eceCalibrated: e.eceCalibrated, calibration: e.calibration };
}
function printTable(io: CliIO, rows: ProbeEvaluation[]): void {
  io.stdout.write(`${'probe'.padEnd(28)} dims  AUROC [95% CI]         accuracy  ECE    ECE cal.\n`);
  for (const e of rows) {
    io.stdout.write(`${e.name.padEnd(28)} ${String(e.dims).padStart(4)}  ${f3(e.auroc.estimate)} [${f3(e.auroc.lo)}, ${f3(e.auroc.hi)}]  ${f3(e.accuracy.estimate)}     ${f3(e.ece.estimate)}  ${e.eceCalibrated === null ? '—' : f3(e.eceCalibrated)}\n`);
  }
}

/** Split rows in half by position (first half train): used when one file must serve as both. */
function halves<T>(xs: T[]): [T[], T[]] {
  const h = Math.floor(xs.length / 2);
  return [xs.slice(0, h), xs.slice(h)];
}

export const quereCommand: Command = {
  name: 'quere',
  summary: 'QueRE: collect follow-up features from a model, fit/evaluate probes of correctness, detect a swapped model',
  help,
  async run(argv: string[], io: CliIO): Promise<number> {
    const [sub, ...rest] = argv;
    if (sub === undefined || sub === '--help' || sub === '-h') {
      io.stdout.write(help);
      return 0;
    }
    const values = parseCommandArgs('quere', rest, {
      ...commonOptions,
      json: { type: 'boolean' }, seed: { type: 'string' },
      dataset: { type: 'string' }, split: { type: 'string' }, n: { type: 'string' }, ...connectionOptions,
      'system-prompt': { type: 'string' }, compat: { type: 'string' },
      cache: { type: 'string' }, concurrency: { type: 'string' }, 'dry-run': { type: 'boolean' }, out: { type: 'string' },
      'data-dir': { type: 'string' }, features: { type: 'string' }, probe: { type: 'string' }, reading: { type: 'string' },
      reference: { type: 'string' }, suspect: { type: 'string' }, cv: { type: 'boolean' },
    }).values;
    if (values.help) {
      io.stdout.write(help);
      return 0;
    }
    const seed = parseSeed(values.seed, 0);
    const path = (p: string): string => resolve(io.cwd, p);
    const need = (flag: string, v: string | undefined, example: string): string => {
      if (!v) throw new UsageError('quere', `quere ${sub}: --${flag} is required (e.g. --${flag} ${example})`);
      return v;
    };

    if (sub === 'collect') {
      const dataset = need('dataset', values.dataset, 'boolq') as DatasetName;
      if (!DATASET_NAMES.includes(dataset)) throw new UsageError('quere', `--dataset: expected one of ${DATASET_NAMES.join(', ')}, got '${dataset}'`);
      const split = values.split ?? 'train';
      if (split !== 'train' && split !== 'test') throw new UsageError('quere', `--split: expected 'train' or 'test', got '${split}'`);
      const compat = values.compat ?? 'default';
      if (compat !== 'default' && compat !== 'reference') throw new UsageError('quere', `--compat: expected 'default' or 'reference', got '${compat}'`);
      const n = parseIntFlag('--n', values.n) ?? 200;
      const dataDir = values['data-dir'] ? path(values['data-dir']) : (() => {
        const d = findSharedDataDir();
        if (!d) throw new MissingResourceError('quere collect: ../shared/data is absent; pass --data-dir <folder with the QueRE files>');
        return `${d}/quere`;
      })();
      const data = loadDataset(dataset, dataDir, { [split]: n });
      const items = (split === 'train' ? data.train : data.test).slice(0, n);
      const task = TASKS[dataset];
      const opts = { questions: QUERE_BATTERY.questions, systemPrompt: values['system-prompt'], compat: compat as 'default' | 'reference' };
      const plan = planElicitation(task, items, opts);
      if (values['dry-run']) {
        if (values.json) io.stdout.write(`${JSON.stringify({ dryRun: true, dataset, ...plan })}\n`);
        else io.stdout.write(`quere collect (dry run): ${plan.items} items × ${plan.callsPerItem} calls = ${plan.calls} calls, ≈${plan.estimatedPromptTokens} prompt tokens (characters/4), ≤${plan.maxGeneratedTokens} generated tokens\n`);
        return 0;
      }
      const out = path(need('out', values.out, 'features.jsonl'));
      if (!values.url) need('model', values.model, '../shared/models/stories260K.gguf');
      const isHttp = values.url !== undefined || /^https?:\/\//i.test(values.model ?? '');
      const spec = modelSpecFromFlags('quere collect', { ...values, ...(isHttp ? { 'model-name': values['model-name'] ?? 'default' } : {}) }, io, null);
      if (!values.quiet) io.stderr.write(`quere collect: ${plan.calls} calls (${plan.items} items × ${plan.callsPerItem})\n`);
      const cache = values.cache ? new QueryCache(path(values.cache)) : undefined;
      let model;
      try {
        model = await openModel(spec, cache ? { cache } : {});
      } catch (e) {
        cache?.close();
        throw e;
      }
      try {
        let last = 0;
        const records = await elicit(task, items, {
          ...opts, model, cache, concurrency: parseIntFlag('--concurrency', values.concurrency) ?? 1,
          onProgress: (p) => {
            if (values.quiet || (Date.now() - last < 1000 && p.itemsDone < p.items)) return;
            last = Date.now();
            io.stderr.write(`quere collect: ${p.itemsDone}/${p.items} items, ${p.callsDone} calls, ${p.rate.toFixed(1)} calls/s\n`);
          },
        });
        writeFeatureFile(out, {
          format: FEATURE_FILE_FORMAT, formatVersion: 1,
          battery: { version: QUERE_BATTERY.version, fingerprint: QUERE_BATTERY.fingerprint, questions: [...QUERE_BATTERY.questions] },
          task: dataset, model: { provider: model.provider, modelId: model.modelId, identity: model.identity },
          systemPrompt: values['system-prompt'] ?? null, compat: compat as 'default' | 'reference', createdAt: new Date().toISOString(),
        }, records);
        const accuracy = records.filter((r) => r.correct).length / records.length;
        const summary = { out, items: records.length, calls: plan.calls, answerAccuracy: accuracy, cache: cache?.stats() ?? null };
        io.stdout.write(values.json ? `${JSON.stringify(summary)}\n` : `wrote ${out}: ${records.length} items, answers correct ${(100 * accuracy).toFixed(1)}%\n`);
      } finally {
        cache?.close();
        await model.close();
      }
      return 0;
    }

    if (sub === 'fit') {
      const file = path(need('features', values.features, 'train.jsonl'));
      const { header, records } = readFeatureFile(file, QUERE_BATTERY);
      const r = reading(values.reading);
      const task = TASKS[header.task as DatasetName];
      if (!task) throw new ArgumentError(`quere fit: ${file} was collected for task '${header.task}', which this CLI does not know`);
      const f = buildFeatures(records, task, header.battery.questions, r);
      const y = records.map((x) => x.correct);
      // Report held-out numbers from a split of this file; the saved probe is refitted on all of it.
      const [trX, teX] = halves(f.X), [trY, teY] = halves(y);
      // --cv: choose QueRE's C by 5-fold cross-validated AUROC on the training half instead of the paper's C = 1.
      const cv = values.cv ? selectC(trX, trY, { seed }) : null;
      const specs = [
        { name: 'QueRE', C: cv?.C ?? 1 }, { name: 'answer probabilities', columns: f.groups.answer, C: 0.1 },
        { name: 'pre-confidence', columns: f.groups.pre, C: 0.1 }, { name: 'post-confidence', columns: f.groups.post, C: 0.1 },
        { name: 'top-5 log-probs', columns: f.groups.topLogprobs, C: 0.1 },
      ];
      const evals = specs.map((s) => fitAndEvaluate(s, { X: trX, y: trY }, { X: teX, y: teY }, { seed }));
      const full = fitAndEvaluate(specs[0]!, { X: f.X, y }, { X: f.X, y }, { seed, bootstrapSamples: 10 });
      const out = path(need('out', values.out, 'probe.json'));
      const saved = {
        format: 'strata-quere-probe', reading: r, task: header.task, battery: { version: header.battery.version, fingerprint: header.battery.fingerprint },
        probe: full.probe.toJSON(), calibrator: full.calibrator?.toJSON() ?? null, trainedOn: { file, items: records.length, model: header.model },
      };
      writeFileSync(out, `${JSON.stringify(saved, null, 2)}\n`);
      if (values.json) io.stdout.write(`${JSON.stringify({ out, reading: r, crossValidation: cv, heldOutHalf: evals.map(row), missingReadings: f.missingReadings })}\n`);
      else {
        io.stdout.write(`fitted on ${records.length} items (${header.task}, ${header.model.modelId}); held-out half:\n`);
        printTable(io, evals);
        io.stdout.write(`wrote ${out}\n`);
      }
      return 0;
    }

    if (sub === 'evaluate') {
      const probeFile = path(need('probe', values.probe, 'probe.json'));
      let saved: { format?: string; reading: Reading; task: string; battery: { version: string; fingerprint: string }; probe: Parameters<typeof LogisticProbe.fromJSON>[0]; calibrator: unknown };
      try {
        saved = JSON.parse(readFileSync(probeFile, 'utf8'));
      } catch (e) {
        throw new MissingResourceError(`quere evaluate: cannot read the probe ${probeFile}; create it with 'strata quere fit'`, { cause: e });
      }
      if (saved.format !== 'strata-quere-probe') throw new ArgumentError(`quere evaluate: ${probeFile} is not a probe written by 'strata quere fit'`);
      const file = path(need('features', values.features, 'test.jsonl'));
      const { header, records } = readFeatureFile(file, { ...QUERE_BATTERY, ...saved.battery });
      const task = TASKS[header.task as DatasetName];
      const f = buildFeatures(records, task, header.battery.questions, saved.reading);
      const y = records.map((x) => x.correct);
      const p = LogisticProbe.fromJSON(saved.probe).predictProba(f.X);
      const m = evaluatePredictions(y, p, { seed });
      let eceCalibrated: number | null = null;
      if (saved.calibrator) {
        const q = calibratorFromJSON(saved.calibrator).apply(p);
        eceCalibrated = evaluatePredictions(y, q, { seed, samples: 10 }).ece.estimate;
      }
      const result = { features: file, items: records.length, reading: saved.reading, ...m, eceCalibrated };
      if (values.json) io.stdout.write(`${JSON.stringify(result)}\n`);
      else io.stdout.write(`${records.length} items: AUROC ${f3(m.auroc.estimate)} [${f3(m.auroc.lo)}, ${f3(m.auroc.hi)}], accuracy ${f3(m.accuracy.estimate)}, F1 ${f3(m.f1.estimate)}, ECE ${f3(m.ece.estimate)}${eceCalibrated === null ? '' : ` → ${f3(eceCalibrated)} calibrated`}\n`);
      return 0;
    }

    if (sub === 'detect-swap') {
      const a = readFeatureFile(path(need('reference', values.reference, 'trusted.jsonl')), QUERE_BATTERY);
      const b = readFeatureFile(path(need('suspect', values.suspect, 'endpoint.jsonl')), QUERE_BATTERY);
      if (a.header.task !== b.header.task) throw new ArgumentError(`quere detect-swap: the files are for different tasks (${a.header.task} vs ${b.header.task}); collect both on the same prompts`);
      const task = TASKS[a.header.task as DatasetName];
      const n = Math.min(a.records.length, b.records.length);
      if (n < 20) throw new ArgumentError(`quere detect-swap: need at least 20 items in each file, got ${n}`);
      const fa = buildFeatures(a.records.slice(0, n), task, a.header.battery.questions).X;
      const fb = buildFeatures(b.records.slice(0, n), task, b.header.battery.questions).X;
      const h = Math.floor(n / 2);
      const e = fitAndEvaluate({ name: 'QueRE' },
        { X: [...fa.slice(0, h), ...fb.slice(0, h)], y: [...fa.slice(0, h).map(() => 0), ...fb.slice(0, h).map(() => 1)] },
        { X: [...fa.slice(h), ...fb.slice(h)], y: [...fa.slice(h).map(() => 0), ...fb.slice(h).map(() => 1)] },
        { seed, calibrate: false });
      const different = e.accuracy.lo > 0.5;
      const result = { items: n, accuracy: e.accuracy, auroc: e.auroc, distinguishable: different };
      if (values.json) io.stdout.write(`${JSON.stringify(result)}\n`);
      else io.stdout.write(`${different ? 'DIFFERENT' : 'not distinguishable'}: a probe tells the two apart with accuracy ${f3(e.accuracy.estimate)} [${f3(e.accuracy.lo)}, ${f3(e.accuracy.hi)}] on ${2 * (n - h)} held-out answers (chance 0.5)\n`);
      return different ? 1 : 0;
    }

    throw new UsageError('quere', `unknown subcommand '${sub}'; expected collect, fit, evaluate or detect-swap`);
  },
};

