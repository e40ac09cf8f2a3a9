import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import {
  checkLayering, hasTopLevelEffects, importGraph, listSources, matchesSideEffects, mayImport, scanImports, type Edge,
} from './import-graph.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const srcDir = join(root, 'src');

test('every import under src/ follows the module order, goes through index.ts and forms no module cycle', () => {
  const edges = importGraph(srcDir);
  assert.ok(edges.length > 500, `expected the whole tree, scanned ${edges.length} imports`);
  const violations = checkLayering(edges).map((v) => `[${v.rule}] ${v.message}`);
  assert.deepEqual(violations, []);
});

test('the scanner finds every import esbuild resolves in src/ (it also sees type-only imports, which esbuild drops)', async () => {
  // esbuild (tsx's compiler) parses for real; its metafile lists each value import of each file. The scanner must
  // miss none of them, or the layering test would pass over an import it never saw.
  const result = await build({
    entryPoints: listSources(srcDir), bundle: true, write: false, metafile: true, packages: 'external',
    platform: 'node', format: 'esm', outdir: join(tmpdir(), 'strata-layering-unused'), logLevel: 'silent', absWorkingDir: root,
  });
  const scanned = new Set(importGraph(srcDir).filter((e) => e.to !== null).map((e) => `${e.from} → ${e.to}`));
  const missed: string[] = [];
  let seen = 0;
  for (const [file, info] of Object.entries(result.metafile.inputs)) {
    if (!file.startsWith('src/')) continue;
    for (const im of info.imports) {
      if (im.external) continue;
      seen += 1;
      const key = `${relative(srcDir, join(root, file))} → ${relative(srcDir, join(root, im.path))}`;
      if (!scanned.has(key)) missed.push(`${key} (${im.kind})`);
    }
  }
  assert.ok(seen > 500, `esbuild saw only ${seen} imports`);
  assert.deepEqual(missed, []);
});

test('scanImports reads every import form and ignores comments, strings, templates and regular expressions', () => {
  const source = [
    "import { a, type B } from '../core/index.ts';",
    "import type { C } from \"../autodiff/index.ts\";",
    "import * as D from '../linalg/index.ts'; import '../nn/index.ts';",
    "export { e } from './local.ts';",
    "export * from '../optim/index.ts';",
    'import {',
    '  f,',
    '  g,',
    "} from '../llm/index.ts';",
    "const h = await import('../forecast/index.ts');",
    "let q: import('../quere/index.ts').Q;",
    "// import { no } from '../cli/index.ts';",
    "/* import { no } from '../report/index.ts'; */",
    "const worker = `",
    "import { no } from '../experiments/index.ts';",
    "const x = require('node:fs');",
    "`;",
    "const re = /'`/g; const nested = `a ${`b ${'c'}`} d`;",
    "const text = 'import { no } from \"../cli/index.ts\"';",
    "const dyn = await import(name);",
    "import { last } from 'node:path';",
  ].join('\n');
  const found = scanImports(source).map((r) => `${r.line} ${r.kind} ${r.specifier}`);
  assert.deepEqual(found, [
    '1 import ../core/index.ts',
    '2 import type ../autodiff/index.ts',
    '3 import ../linalg/index.ts',
    '3 side effect ../nn/index.ts',
    '4 export from ./local.ts',
    '5 export from ../optim/index.ts',
    '6 import ../llm/index.ts',
    '10 dynamic import ../forecast/index.ts',
    '11 type query ../quere/index.ts',
    '20 dynamic import ',
    '21 import node:path',
  ]);
});

const edge = (from: string, to: string | null, specifier = to ?? 'pkg', line = 1): Edge => ({ from, to, specifier, line, kind: 'import' });

test('checkLayering accepts a small well-layered graph', () => {
  const good = [
    edge('core/tensor.ts', 'core/dtype.ts'),
    edge('core/index.ts', 'core/kernels/gemm.ts'),
    edge('llm/cache.ts', 'core/index.ts'),
    edge('autodiff/api.ts', 'core/index.ts'),
    edge('linalg/ops/solve.ts', 'autodiff/index.ts'),
    edge('nn/llama-export.ts', 'llm/index.ts'),
    edge('forecast/pipeline.ts', 'llm/index.ts'),
    edge('quere/probe.ts', 'nn/index.ts'),
    edge('experiments/nn/digits.ts', 'nn/index.ts'),
    edge('experiments/registry.ts', 'experiments/nn/digits.ts'),
    edge('report/html.ts', 'experiments/index.ts'),
    edge('cli/commands/demo.ts', 'report/index.ts'),
    edge('cli/commands/demo.ts', 'experiments/index.ts'),
    edge('cli/main.ts', null, 'node:process'),
  ];
  assert.deepEqual(checkLayering(good), []);
});

test('checkLayering fails on an upward import, a deep import, a cycle and an unknown module', () => {
  const rules = (edges: Edge[], allow?: (a: string, b: string) => boolean) => checkLayering(edges, allow).map((v) => v.rule);
  // Upward: core reaching nn, autodiff reaching linalg, core reaching llm, llm reaching autodiff, report reaching cli.
  assert.deepEqual(rules([edge('core/tensor.ts', 'nn/index.ts')]), ['upward']);
  assert.deepEqual(rules([edge('autodiff/api.ts', 'linalg/index.ts')]), ['upward']);
  assert.deepEqual(rules([edge('core/index.ts', 'llm/index.ts')]), ['upward']);
  assert.deepEqual(rules([edge('llm/cache.ts', 'autodiff/index.ts')]), ['upward']);
  assert.deepEqual(rules([edge('report/html.ts', 'cli/index.ts')]), ['upward']);
  assert.deepEqual(rules([edge('nn/layers.ts', 'experiments/index.ts')]), ['upward']);
  // Peers on one floor do not import each other.
  assert.deepEqual(rules([edge('forecast/pipeline.ts', 'quere/index.ts')]), ['upward']);
  assert.deepEqual(rules([edge('linalg/blas.ts', 'optim/index.ts')]), ['upward']);
  // Deep import: past the target's index.ts (a sub-folder index does not count), also from experiments.
  assert.deepEqual(rules([edge('linalg/blas.ts', 'core/kernels/gemm.ts')]), ['not-through-index']);
  assert.deepEqual(rules([edge('nn/layers.ts', 'linalg/operators/index.ts')]), ['not-through-index']);
  assert.deepEqual(rules([edge('experiments/nn/digits.ts', 'nn/transformer.ts')]), ['not-through-index']);
  // Both at once.
  assert.deepEqual(rules([edge('core/tensor.ts', 'nn/layers.ts')]).sort(), ['not-through-index', 'upward']);
  // A cycle between modules, reported even under a rule table that would allow each edge on its own.
  const cycle = [edge('forecast/a.ts', 'quere/index.ts', 'q', 3), edge('quere/b.ts', 'forecast/index.ts', 'f', 7)];
  const found = checkLayering(cycle, () => true);
  assert.deepEqual(found.map((v) => v.rule), ['cycle']);
  assert.match(found[0]!.message, /forecast → quere \(src\/forecast\/a\.ts:3\), quere → forecast \(src\/quere\/b\.ts:7\)/);
  assert.deepEqual(rules([edge('pde/x.ts', 'bounds/index.ts'), edge('bounds/y.ts', 'diffusion/index.ts'), edge('diffusion/z.ts', 'pde/index.ts')], () => true), ['cycle']);
  // Modules outside the layering, files outside src/ and computed dynamic imports are refused.
  assert.deepEqual(rules([edge('widgets/x.ts', 'core/index.ts')]), ['unknown-module', 'upward']);
  assert.deepEqual(rules([edge('nn/x.ts', '../bench/harness.ts')]), ['outside-src']);
  assert.deepEqual(rules([edge('nn/x.ts', null, '')]), ['non-literal-import']);
  assert.deepEqual(rules([edge('experiments/worker.ts', null, '')]), [], 'the one allowed computed import');
});

test('mayImport encodes the module order with llm beside core and report beside cli', () => {
  assert.equal(mayImport('llm', 'core'), true);
  assert.equal(mayImport('core', 'llm'), false);
  assert.equal(mayImport('forecast', 'llm'), true);
  assert.equal(mayImport('nn', 'linalg'), true);
  assert.equal(mayImport('report', 'experiments'), true);
  assert.equal(mayImport('cli', 'report'), true);
  assert.equal(mayImport('report', 'cli'), false);
  assert.equal(mayImport('experiments', 'report'), false);
  assert.equal(mayImport('experiments', 'complexity'), true);
  assert.equal(mayImport('bounds', 'pde'), false);
});

const fixtureDir = mkdtempSync(join(tmpdir(), 'strata-layering-'));
after(() => rmSync(fixtureDir, { recursive: true, force: true }));

test('a deliberately badly layered source tree fails the check, naming file, line and rule', () => {
  const files: Record<string, string> = {
    'core/index.ts': "export { Tensor } from './tensor.ts';\n",
    'core/tensor.ts': "import { layer } from '../nn/layers.ts';\nexport class Tensor {}\n",
    'nn/index.ts': "export { layer } from './layers.ts';\n",
    'nn/layers.ts': "import { Tensor } from '../core/tensor.ts';\nexport const layer = () => new Tensor();\n",
    'experiments/demo.ts': "import { layer } from '../nn/index.ts';\nconst { Tensor } = await import('../core/tensor.ts');\n",
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(fixtureDir, path)), { recursive: true });
    writeFileSync(join(fixtureDir, path), text);
  }
  const messages = checkLayering(importGraph(fixtureDir)).map((v) => `[${v.rule}] ${v.message}`);
  assert.deepEqual(messages, [
    "[upward] src/core/tensor.ts:1: core may not import nn ('../nn/layers.ts')",
    "[not-through-index] src/core/tensor.ts:1: '../nn/layers.ts' imports nn past its index.ts (src/nn/layers.ts)",
    "[not-through-index] src/experiments/demo.ts:2: '../core/tensor.ts' imports core past its index.ts (src/core/tensor.ts)",
    "[not-through-index] src/nn/layers.ts:1: '../core/tensor.ts' imports core past its index.ts (src/core/tensor.ts)",
    '[cycle] module cycle: core → nn (src/core/tensor.ts:1), nn → core (src/nn/layers.ts:1)',
  ]);
});

test("package.json's sideEffects lists every src file whose loading registers something, and the check can fail", () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { sideEffects: string[] | boolean };
  const unlisted = listSources(srcDir)
    .filter((file) => hasTopLevelEffects(readFileSync(file, 'utf8')))
    .map((file) => relative(root, file).split('\\').join('/'))
    // Process entry points are started, never imported, so bundling never decides whether to keep them.
    .filter((path) => !['src/experiments/worker.ts'].includes(path))
    .filter((path) => !matchesSideEffects(pkg.sideEffects, path));
  assert.deepEqual(unlisted, []);
  // The registration files are found by the detector (so the list above is not vacuous).
  for (const path of ['src/linalg/index.ts', 'src/linalg/combinators.ts', 'src/linalg/ops/inv.ts']) {
    assert.ok(hasTopLevelEffects(readFileSync(join(root, path), 'utf8')), `${path} registers at load`);
  }
  assert.equal(hasTopLevelEffects("import { a } from './a.ts';\nexport const b = a(1);\nfunction c() { d(); }\n"), false);
  assert.equal(hasTopLevelEffects("import './rules.ts';\n"), true);
  assert.equal(hasTopLevelEffects("const T = `\nregister(1);\n`;\n"), false);
  assert.equal(hasTopLevelEffects('defineRules(\'inv\', RULES);\n'), true);
  assert.equal(matchesSideEffects(['./src/linalg/ops/*.ts'], 'src/linalg/ops/inv.ts'), true);
  assert.equal(matchesSideEffects(['./src/linalg/ops/*.ts'], 'src/linalg/ops/sub/inv.ts'), false);
  assert.equal(matchesSideEffects(['./src/**/rules.ts'], 'src/a/b/rules.ts'), true);
  assert.equal(matchesSideEffects(false, 'src/linalg/index.ts'), false);
});
