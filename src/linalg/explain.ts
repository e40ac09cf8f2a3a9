/** `explain(op, A, alg?)`: the rule tree an operation would run, computed without numerical work. */
import { ArgumentError } from '../core/index.ts';
import type { LinearOperator } from './operator.ts';
import { Auto, type Algorithm } from './algorithms/config.ts';
import { explainTree, type OpName } from './dispatch/table.ts';
import type { Which } from './algorithms/krylov-eig.ts';
import { fnExp, fnLog, fnPow, type UnaryFn } from './ops/unary.ts';

export interface ExplainOpts { k?: number; which?: Which; alpha?: number; f?: UnaryFn }

const OPS = ['inv', 'solve', 'slogdet', 'logdet', 'eig', 'trace', 'diag', 'exp', 'log', 'pow', 'sqrt', 'isqrt', 'unary', 'svd', 'cholesky', 'plu', 'pinv'] as const;
export type ExplainOp = (typeof OPS)[number];

export function explain(op: ExplainOp, A: LinearOperator, alg: Algorithm = Auto(), opts: ExplainOpts = {}): string {
  if (!OPS.includes(op)) throw new ArgumentError(`explain: unknown operation '${op}'; known: ${OPS.join(', ')}`);
  const table: Record<ExplainOp, [OpName, unknown]> = {
    inv: ['inv', {}], solve: ['inv', {}], slogdet: ['slogdet', { traceExact: false }], logdet: ['slogdet', { traceExact: false }],
    eig: ['eig', { k: opts.k ?? A.rows, which: opts.which ?? 'LA' }], trace: ['trace', {}], diag: ['diag', { k: opts.k ?? 0 }],
    exp: ['unary', fnExp], log: ['unary', fnLog], pow: ['unary', fnPow(opts.alpha ?? 1)], sqrt: ['unary', fnPow(0.5)], isqrt: ['unary', fnPow(-0.5)],
    unary: ['unary', opts.f ?? fnExp], svd: ['svd', { k: opts.k ?? Math.min(A.rows, A.cols) }], cholesky: ['cholesky', {}], plu: ['plu', {}], pinv: ['pinv', {}],
  };
  const [name, o] = table[op];
  return explainTree(name, A, alg, o).toString();
}
