/**
 * Dispatch as explicit, ordered rule tables (spec §3.4): for each operation a fixed list of rules in the order
 * structure → annotation → base; the first rule whose `match` holds runs. `explain` walks the same tables without
 * numerical work. Nothing depends on type specificity, so the order a user reads in `ruleOrder(op)` is the order
 * that runs.
 */
import { ArgumentError } from '../../core/index.ts';
import { NotImplementedForOperator } from '../errors.ts';
import type { LinearOperator } from '../operator.ts';
import type { Algorithm } from '../algorithms/config.ts';
import { enterOperation, leaveOperation } from '../kernels/staging.ts';

export type OpName = 'inv' | 'slogdet' | 'eig' | 'trace' | 'diag' | 'unary' | 'svd' | 'cholesky' | 'plu' | 'pinv';
export type Stage = 'structure' | 'annotation' | 'base';

export interface Ctx { trace: string[]; depth: number }

export interface Child { op: OpName; A: LinearOperator; alg: Algorithm; opts?: unknown }

// Rules are stored per operation with their own option and result types; the table erases them.
export interface Rule<O = any, R = any> {
  id: string;
  stage: Stage;
  match(A: LinearOperator, alg: Algorithm, opts: O): boolean;
  apply(A: LinearOperator, alg: Algorithm, opts: O, ctx: Ctx): R;
  /** For `explain`: why this rule was chosen when that depends on a cost or accuracy decision (cheap and pure). */
  why?(A: LinearOperator, alg: Algorithm, opts: O): string | null;
  /** Sub-problems this rule hands back to dispatch, for `explain` (cheap and pure). */
  children?(A: LinearOperator, alg: Algorithm, opts: O): Child[];
}

const TABLES = new Map<OpName, Rule[]>();
const STAGE_ORDER: Record<Stage, number> = { structure: 0, annotation: 1, base: 2 };

/** Adds rules at the end of their stage (used by the operation modules at load time). */
export function defineRules(op: OpName, rules: Rule[]): void {
  const t = TABLES.get(op) ?? [];
  for (const r of rules) {
    let at = t.length;
    while (at > 0 && STAGE_ORDER[t[at - 1]!.stage] > STAGE_ORDER[r.stage]) at--;
    t.splice(at, 0, r);
  }
  TABLES.set(op, t);
}

/** Inserts a user rule before or after a named rule (for user operator types). */
export function registerRule(op: OpName, rule: Rule, where: { before: string } | { after: string }): void {
  const t = TABLES.get(op);
  if (!t) throw new ArgumentError(`registerRule: unknown operation '${op}'`);
  if (t.some((r) => r.id === rule.id)) throw new ArgumentError(`registerRule: a rule '${rule.id}' already exists in '${op}'`);
  const anchor = 'before' in where ? where.before : where.after;
  const i = t.findIndex((r) => r.id === anchor);
  if (i < 0) throw new ArgumentError(`registerRule: no rule '${anchor}' in '${op}'; rules: ${t.map((r) => r.id).join(', ')}`);
  t.splice('before' in where ? i : i + 1, 0, rule);
}

export function unregisterRule(op: OpName, id: string): void {
  const t = TABLES.get(op);
  const i = t?.findIndex((r) => r.id === id) ?? -1;
  if (i >= 0) t!.splice(i, 1);
}

/** The rule ids of an operation in the order they are tried. */
export function ruleOrder(op: OpName): string[] {
  return (TABLES.get(op) ?? []).map((r) => r.id);
}

export function findRule(op: OpName, A: LinearOperator, alg: Algorithm, opts: unknown): Rule {
  const t = TABLES.get(op) ?? [];
  for (const r of t) if (r.match(A, alg, opts)) return r;
  throw new NotImplementedForOperator(`${op}: no rule matches ${A.toString()} (${A.shape[0]}×${A.shape[1]}) with algorithm ${alg.kind}; rules tried: ${t.map((r) => r.id).join(', ')}`);
}

export function resolve<R>(op: OpName, A: LinearOperator, alg: Algorithm, opts: unknown, ctx: Ctx): R {
  const r = findRule(op, A, alg, opts);
  ctx.trace.push(r.id);
  ctx.depth++;
  enterOperation();
  try {
    return r.apply(A, alg, opts, ctx) as R;
  } finally {
    leaveOperation();
    ctx.depth--;
  }
}

export interface ExplainNode { rule: string; children: ExplainNode[]; toString(): string }

function node(rule: string, children: ExplainNode[]): ExplainNode {
  return { rule, children, toString() { return children.length ? `${rule}[${children.map(String).join(', ')}]` : rule; } };
}

/** The rule tree an operation would run, e.g. `inv.kronecker[inv.base.cholesky, inv.base.cholesky]`. */
export function explainTree(op: OpName, A: LinearOperator, alg: Algorithm, opts: unknown): ExplainNode {
  const r = findRule(op, A, alg, opts);
  const kids = r.children ? r.children(A, alg, opts).map((c) => explainTree(c.op, c.A, c.alg, c.opts)) : [];
  const why = r.why?.(A, alg, opts);
  return node(why ? `${r.id}{${why}}` : r.id, kids);
}

export function newCtx(): Ctx { return { trace: [], depth: 0 }; }
