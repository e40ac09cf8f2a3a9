/**
 * The module layering of `src/`: which module may import which, a scanner that lists every import of a source file,
 * and a checker over the resulting file-level import graph. Used by `layering.test.ts`; kept out of `src/` because
 * no library module should know the whole tree's layout.
 *
 * Module order (a module may import only modules on a lower floor):
 *   core → autodiff → optim, linalg → nn → applications (forecast, quere, bounds, pde, diffusion, complexity)
 *   → experiments → report → cli
 * `llm` sits beside core: llm may import core only, core may not import llm, every other module may import llm.
 * Modules on one floor (optim/linalg, the applications) do not import each other. `report` sits beside cli, one
 * step below it: it renders `results.json`, so it may import the experiments' result types, and cli (the `demo`
 * command) imports report to write the page; report never imports cli.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, posix, relative, sep } from 'node:path';

export const APPLICATIONS = ['forecast', 'quere', 'bounds', 'pde', 'diffusion', 'complexity'] as const;

/** Floors, lowest first. `llm` is handled apart (beside core). */
export const FLOORS: readonly (readonly string[])[] = [
  ['core'], ['autodiff'], ['optim', 'linalg'], ['nn'], APPLICATIONS, ['experiments'], ['report'], ['cli'],
];

export const MODULES: readonly string[] = ['llm', ...FLOORS.flat()];

function floorOf(module: string): number {
  return FLOORS.findIndex((f) => f.includes(module));
}

/** Whether a file of module `from` may import module `to` (from ≠ to). */
export function mayImport(from: string, to: string): boolean {
  if (from === to) return true;
  if (from === 'llm') return to === 'core';
  if (to === 'llm') return from !== 'core';
  // Within the applications floor, complexity builds on bounds (its coder and Occam bounds; issue order bounds first).
  if (from === 'complexity' && to === 'bounds') return true;
  const a = floorOf(from), b = floorOf(to);
  if (a < 0 || b < 0) return false;
  return b < a;
}

export type ImportKind = 'import' | 'import type' | 'export from' | 'side effect' | 'dynamic import' | 'type query';

export interface ImportRecord {
  specifier: string;
  line: number;
  kind: ImportKind;
}

/**
 * Blank out comments and the bodies of template literals (they may hold code as text, e.g. worker sources), keeping
 * line breaks so line numbers survive, and keep ordinary string literals intact (module specifiers are strings).
 * Template literals with `${…}` are blanked entirely, expressions included: an import inside one is not a module
 * import of this file.
 */
export function stripCommentsAndTemplates(source: string): string {
  const n = source.length;
  const chars = source.split('');
  const blank = (from: number, to: number) => {
    for (let k = from; k < to && k < n; k++) if (chars[k] !== '\n') chars[k] = ' ';
  };
  // A `/` starts a regular expression when it cannot be a division: after an operator, an opening bracket, a
  // comma, the start of the text, or a keyword such as `return`.
  const startsRegex = (i: number): boolean => {
    let k = i - 1;
    while (k >= 0 && /\s/.test(source[k]!)) k -= 1;
    if (k < 0) return true;
    const p = source[k]!;
    if ('(,=:[!&|?{};+-*%<>~^'.includes(p)) return true;
    const word = /[A-Za-z_$]+$/.exec(source.slice(Math.max(0, k - 10), k + 1))?.[0];
    return word !== undefined && ['return', 'typeof', 'case', 'do', 'else', 'in', 'of', 'void', 'yield', 'await'].includes(word);
  };
  // Scan code from i until an unmatched `}` (when inExpression) or the end; returns the index after it.
  const code = (i: number, inExpression: boolean): number => {
    let depth = 0;
    while (i < n) {
      const c = source[i]!;
      const d = source[i + 1];
      if (c === '/' && d === '/') {
        const end = source.indexOf('\n', i);
        const stop = end < 0 ? n : end;
        blank(i, stop);
        i = stop;
      } else if (c === '/' && d === '*') {
        const end = source.indexOf('*/', i + 2);
        const stop = end < 0 ? n : end + 2;
        blank(i, stop);
        i = stop;
      } else if (c === '/' && startsRegex(i)) {
        // A regular-expression literal: skip it whole so quotes or backticks inside do not open a string.
        let j = i + 1;
        let inClass = false;
        while (j < n && source[j] !== '\n') {
          const e = source[j]!;
          if (e === '\\') { j += 2; continue; }
          if (e === '[') inClass = true;
          else if (e === ']') inClass = false;
          else if (e === '/' && !inClass) break;
          j += 1;
        }
        i = j + 1;
      } else if (c === "'" || c === '"') {
        let j = i + 1;
        while (j < n && source[j] !== c && source[j] !== '\n') j += source[j] === '\\' ? 2 : 1;
        i = j + 1;
      } else if (c === '`') {
        const stop = template(i + 1);
        blank(i + 1, stop - 1);
        i = stop;
      } else if (c === '{') {
        depth += 1;
        i += 1;
      } else if (c === '}') {
        if (inExpression && depth === 0) return i + 1;
        depth -= 1;
        i += 1;
      } else {
        i += 1;
      }
    }
    return n;
  };
  // Scan a template body from just after its opening backtick; returns the index after the closing one.
  const template = (i: number): number => {
    while (i < n) {
      const c = source[i]!;
      if (c === '\\') i += 2;
      else if (c === '`') return i + 1;
      else if (c === '$' && source[i + 1] === '{') i = code(i + 2, true);
      else i += 1;
    }
    return n;
  };
  code(0, false);
  return chars.join('');
}

const STATIC = /(^|[;{}\n])\s*(import|export)(\s+type)?\b([^;'"`]*?)\bfrom\s*(['"])([^'"\n]+)\5/g;
const BARE = /(^|[;{}\n])\s*import\s*(['"])([^'"\n]+)\2/g;
const CALL = /\bimport\s*\(\s*(['"`])([^'"`\n]+)\1\s*\)/g;
const NON_LITERAL_CALL = /\bimport\s*\(\s*(?!['"`])/g;

/**
 * Every module reference of a TypeScript/JavaScript source: `import … from`, `import type … from`,
 * `export … from`, bare `import 'x'`, `import('x')` (dynamic, or a type query `import('x').T`). A dynamic import
 * whose argument is not a string literal is returned with specifier `''` so the checker can refuse it.
 */
export function scanImports(source: string): ImportRecord[] {
  const text = stripCommentsAndTemplates(source);
  const lineAt = (index: number) => text.slice(0, index).split('\n').length;
  const found: ImportRecord[] = [];
  for (const m of text.matchAll(STATIC)) {
    const at = m.index! + m[1]!.length;
    const kind: ImportKind = m[2] === 'export' ? 'export from' : m[3] !== undefined ? 'import type' : 'import';
    found.push({ specifier: m[6]!, line: lineAt(at + (text.slice(at).search(/\S/))), kind });
  }
  for (const m of text.matchAll(BARE)) {
    const at = m.index! + m[1]!.length;
    found.push({ specifier: m[3]!, line: lineAt(at + (text.slice(at).search(/\S/))), kind: 'side effect' });
  }
  for (const m of text.matchAll(CALL)) {
    const after = text.slice(m.index! + m[0].length);
    found.push({ specifier: m[2]!, line: lineAt(m.index!), kind: /^\s*\./.test(after) ? 'type query' : 'dynamic import' });
  }
  for (const m of text.matchAll(NON_LITERAL_CALL)) found.push({ specifier: '', line: lineAt(m.index!), kind: 'dynamic import' });
  return found.sort((a, b) => a.line - b.line);
}

/** One import between two files, paths relative to `src/` in posix form (`core/index.ts`). */
export interface Edge {
  from: string;
  /** Resolved target relative to `src/`, or null for a package / node: import. */
  to: string | null;
  specifier: string;
  line: number;
  kind: ImportKind;
}

/**
 * Files allowed a dynamic import with a computed specifier, each with its reason. `experiments/worker.ts` imports
 * the registry module the runner names (a test registry in tests, `experiments/registry.ts` in the demo): the
 * worker process cannot be handed the experiment objects, only where to find them.
 */
export const COMPUTED_IMPORTS: readonly string[] = ['experiments/worker.ts'];

/** `core/kernels/gemm.ts` → `core`; a file directly in `src/` has no module. */
export function moduleOf(path: string): string | null {
  const i = path.indexOf('/');
  return i < 0 ? null : path.slice(0, i);
}

export interface Violation {
  rule: 'upward' | 'not-through-index' | 'cycle' | 'unknown-module' | 'outside-src' | 'non-literal-import' | 'root-entry';
  message: string;
}

/**
 * Check a file-level import graph against the layering: each cross-module import must be allowed by `mayImport`,
 * must name the target module's `index.ts`, and the module-level graph must be acyclic. Pure: no file system.
 */
export function checkLayering(
  edges: readonly Edge[], allow: (from: string, to: string) => boolean = mayImport, computedImportsIn: readonly string[] = COMPUTED_IMPORTS,
): Violation[] {
  const violations: Violation[] = [];
  const graph = new Map<string, Map<string, Edge>>();
  for (const e of edges) {
    const where = `src/${e.from}:${e.line}`;
    const from = moduleOf(e.from);
    if (e.specifier === '' && !computedImportsIn.includes(e.from)) {
      violations.push({ rule: 'non-literal-import', message: `${where}: dynamic import with a computed specifier (layering cannot check it)` });
      continue;
    }
    if (e.to === null) continue; // a package, a node: builtin, or an allowed computed import
    if (e.to.startsWith('../')) {
      violations.push({ rule: 'outside-src', message: `${where}: '${e.specifier}' reaches outside src/ (${e.to})` });
      continue;
    }
    const to = moduleOf(e.to);
    if (e.from === 'index.ts') {
      // The package root (`import … from 'strata'`) re-exports the library modules' public faces, nothing else.
      const library = to !== null && MODULES.includes(to) && !['experiments', 'report', 'cli'].includes(to);
      if (!library || e.to !== `${to}/index.ts`) violations.push({ rule: 'root-entry', message: `${where}: the package root may re-export only library modules' index.ts, got '${e.specifier}'` });
      continue;
    }
    for (const m of [from, to]) {
      if (m === null || !MODULES.includes(m)) {
        violations.push({ rule: 'unknown-module', message: `${where}: '${m ?? e.from}' is not a module of the layering (add it to FLOORS)` });
      }
    }
    if (from === null || to === null || from === to) continue;
    if (!allow(from, to)) {
      violations.push({ rule: 'upward', message: `${where}: ${from} may not import ${to} ('${e.specifier}')` });
    }
    if (e.to !== `${to}/index.ts`) {
      violations.push({ rule: 'not-through-index', message: `${where}: '${e.specifier}' imports ${to} past its index.ts (src/${e.to})` });
    }
    let out = graph.get(from);
    if (!out) graph.set(from, (out = new Map()));
    if (!out.has(to)) out.set(to, e);
  }
  for (const cycle of moduleCycles(graph)) {
    const steps = cycle.map((m, k) => {
      const e = graph.get(m)!.get(cycle[(k + 1) % cycle.length]!)!;
      return `${m} → ${cycle[(k + 1) % cycle.length]} (src/${e.from}:${e.line})`;
    });
    violations.push({ rule: 'cycle', message: `module cycle: ${steps.join(', ')}` });
  }
  return violations;
}

/** One cycle (as a module list) per strongly connected component of more than one module (Tarjan). */
function moduleCycles(graph: Map<string, Map<string, Edge>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;
  const visit = (v: string) => {
    index.set(v, counter); low.set(v, counter); counter += 1;
    stack.push(v); onStack.add(v);
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!index.has(w)) { visit(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do { w = stack.pop()!; onStack.delete(w); component.push(w); } while (w !== v);
      if (component.length > 1) components.push(component);
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  // Turn each component into a concrete cycle through its members (shortest path back to the start, by BFS).
  return components.map((component) => {
    const members = new Set(component);
    const start = component.sort()[0]!;
    const previous = new Map<string, string>();
    const queue = [start];
    while (queue.length > 0) {
      const v = queue.shift()!;
      for (const w of graph.get(v)?.keys() ?? []) {
        if (!members.has(w)) continue;
        if (w === start) {
          const path = [v];
          while (path[0] !== start) path.unshift(previous.get(path[0]!)!);
          return path;
        }
        if (!previous.has(w)) { previous.set(w, v); queue.push(w); }
      }
    }
    return component;
  });
}

/** Every `.ts` file under a directory, sorted, as absolute paths. */
export function listSources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...listSources(full));
    else if (/\.(ts|mts|js|mjs)$/.test(name) && !name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

/** The file-level import graph of `srcDir` (relative specifiers resolved; packages and `node:` left as null). */
export function importGraph(srcDir: string): Edge[] {
  const toPosix = (p: string) => p.split(sep).join(posix.sep);
  const edges: Edge[] = [];
  for (const file of listSources(srcDir)) {
    const from = toPosix(relative(srcDir, file));
    for (const r of scanImports(readFileSync(file, 'utf8'))) {
      const relativeSpec = r.specifier.startsWith('./') || r.specifier.startsWith('../');
      const to = relativeSpec ? toPosix(relative(srcDir, join(dirname(file), r.specifier))) : null;
      edges.push({ from, to, specifier: r.specifier, line: r.line, kind: r.kind });
    }
  }
  return edges;
}

/**
 * Whether a module's top level does something when it is loaded — a call statement such as
 * `defineRules('inv', RULES)` or `installAlgebra({...})`, or a bare `import './x.ts'` — so a bundler honouring
 * package.json's `sideEffects` must not drop it. Declarations (`const x = f()`) do not count: nothing else depends
 * on them running if their bindings are unused.
 */
export function hasTopLevelEffects(source: string): boolean {
  const text = stripCommentsAndTemplates(source);
  if (scanImports(source).some((r) => r.kind === 'side effect')) return true;
  return /^(?:await\s+)?[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*\s*\(/m.test(text.replace(/^(?:export|import|function|async|class|const|let|var|type|interface|enum|declare|if|for|while|do|switch|return|throw|try)\b.*$/gm, ''));
}

/** package.json `sideEffects` globs (`*` within a folder, `**` across folders) against a repo-relative path. */
export function matchesSideEffects(patterns: readonly string[] | boolean, path: string): boolean {
  if (typeof patterns === 'boolean') return patterns;
  const normal = path.replace(/^\.\//, '');
  return patterns.some((p) => {
    const glob = p.replace(/^\.\//, '');
    const re = new RegExp('^' + glob.split('**').map((part) => part.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')).join('.*') + '$');
    return re.test(normal);
  });
}
