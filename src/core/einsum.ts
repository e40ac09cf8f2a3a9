import { ArgumentError, ShapeError } from './errors.ts';
import { shapeStr } from './shape.ts';
import { Tensor, broadcastTo, permute, reshape } from './tensor.ts';
import { matmul } from './matmul.ts';
import { sum } from './reduce.ts';
import { mul } from './elementwise.ts';
import { allocate } from './dtype.ts';

/**
 * Einstein summation over any number of operands, e.g. `einsum('bij,bjk->bik', x, y)`, with `...` for leading
 * broadcast axes and the implicit form (no `->`: output = letters seen once, sorted). It is derived entirely from
 * differentiable primitives — repeated letters in one operand via a diagonal mask, letters private to one operand by
 * `sum`, and each pairwise contraction as one batched `matmul` after a permute/reshape — so it needs no gradient
 * rule of its own and always runs on the matmul kernels.
 */
export function einsum(subscripts: string, ...operands: Tensor[]): Tensor {
  const spec = parse(subscripts, operands);
  const sizes = new Map<string, number>();
  for (const [k, letters] of spec.inputs.entries()) {
    const x = operands[k]!;
    letters.forEach((l, i) => {
      const d = x.shape[i]!;
      const prev = sizes.get(l);
      if (prev === undefined || prev === 1) sizes.set(l, d);
      else if (d !== prev && d !== 1) {
        throw new ShapeError(`einsum '${subscripts}': index '${display(l)}' has size ${prev} in one operand and ${d} in operand ${k} (shape ${shapeStr(x.shape)})`);
      }
    });
  }
  // Per operand: collapse repeated letters (diagonals), then sum letters used nowhere else.
  let terms = operands.map((x, k) => diagonalize(x, spec.inputs[k]!, sizes));
  terms = terms.map((t, k) => {
    const others = new Set([...spec.output, ...terms.flatMap((u, j) => (j === k ? [] : u.letters))]);
    const drop = t.letters.map((l, i) => (others.has(l) ? -1 : i)).filter((i) => i >= 0);
    if (drop.length === 0) return t;
    return { x: sum(t.x, drop), letters: t.letters.filter((_, i) => !drop.includes(i)) };
  });
  while (terms.length > 1) {
    const [p, q, ...rest] = terms;
    const needed = new Set([...spec.output, ...rest.flatMap((t) => t.letters)]);
    terms = [contract(p!, q!, needed, sizes), ...rest];
  }
  const last = terms[0]!;
  const missing = last.letters.filter((l) => !spec.output.includes(l));
  let x = last.x;
  let letters = last.letters;
  if (missing.length > 0) {
    x = sum(x, missing.map((l) => letters.indexOf(l)));
    letters = letters.filter((l) => !missing.includes(l));
  }
  x = broadcastTo(x, letters.map((l) => sizes.get(l)!));
  return permute(x, spec.output.map((l) => letters.indexOf(l)));
}

interface Term { x: Tensor; letters: string[] }

const ELLIPSIS_BASE = 0x2460; // private letters for the axes under '...'

function display(l: string): string {
  const c = l.charCodeAt(0);
  return c >= ELLIPSIS_BASE ? `...[${c - ELLIPSIS_BASE}]` : l;
}

function parse(subscripts: string, operands: Tensor[]): { inputs: string[][]; output: string[] } {
  const s = subscripts.replace(/\s+/g, '');
  const arrow = s.indexOf('->');
  const lhs = arrow >= 0 ? s.slice(0, arrow) : s;
  const parts = lhs.split(',');
  if (parts.length !== operands.length) {
    throw new ArgumentError(`einsum '${subscripts}': ${parts.length} input subscript(s) but ${operands.length} operand(s)`);
  }
  let ellipsisRank = 0;
  const inputs = parts.map((p, k) => {
    const x = operands[k];
    if (!(x instanceof Tensor)) throw new ArgumentError(`einsum '${subscripts}': operand ${k} is not a Tensor`);
    if (!/^[a-zA-Z]*(\.\.\.)?[a-zA-Z]*$/.test(p)) throw new ArgumentError(`einsum '${subscripts}': bad subscript '${p}' for operand ${k} (letters a-z, A-Z and at most one '...')`);
    const [before, after] = p.includes('...') ? p.split('...') as [string, string] : [p, null];
    if (after === null) {
      if (before.length !== x.ndim) throw new ShapeError(`einsum '${subscripts}': subscript '${p}' has ${before.length} letters but operand ${k} has ${x.ndim} dimensions (shape ${shapeStr(x.shape)})`);
      return [...before];
    }
    const r = x.ndim - before.length - after.length;
    if (r < 0) throw new ShapeError(`einsum '${subscripts}': subscript '${p}' needs at least ${before.length + after.length} dimensions, operand ${k} has ${x.ndim}`);
    ellipsisRank = Math.max(ellipsisRank, r);
    // Ellipsis axes align from the right, like broadcasting.
    return [...before, ...Array.from({ length: r }, (_, i) => String.fromCharCode(ELLIPSIS_BASE + i)), ...after];
  });
  // Re-label ellipsis axes right-aligned against the largest ellipsis rank.
  const fixed = inputs.map((letters) => {
    const e = letters.filter((l) => l.charCodeAt(0) >= ELLIPSIS_BASE);
    const shift = ellipsisRank - e.length;
    return letters.map((l) => (l.charCodeAt(0) >= ELLIPSIS_BASE ? String.fromCharCode(l.charCodeAt(0) + shift) : l));
  });
  const ell = Array.from({ length: ellipsisRank }, (_, i) => String.fromCharCode(ELLIPSIS_BASE + i));
  let output: string[];
  if (arrow >= 0) {
    const rhs = s.slice(arrow + 2);
    if (!/^[a-zA-Z]*(\.\.\.)?[a-zA-Z]*$/.test(rhs)) throw new ArgumentError(`einsum '${subscripts}': bad output subscript '${rhs}'`);
    output = rhs.includes('...') ? [...rhs.split('...')[0]!, ...ell, ...rhs.split('...')[1]!] : [...rhs];
    if (!rhs.includes('...') && ellipsisRank > 0) output = [...ell, ...output];
    const seen = new Set<string>();
    for (const l of output) {
      if (seen.has(l)) throw new ArgumentError(`einsum '${subscripts}': output index '${display(l)}' repeated`);
      seen.add(l);
      if (!fixed.some((inp) => inp.includes(l))) throw new ArgumentError(`einsum '${subscripts}': output index '${display(l)}' does not appear in any input`);
    }
  } else {
    const counts = new Map<string, number>();
    for (const l of fixed.flat()) if (l.charCodeAt(0) < ELLIPSIS_BASE) counts.set(l, (counts.get(l) ?? 0) + 1);
    output = [...ell, ...[...counts.entries()].filter(([, c]) => c === 1).map(([l]) => l).sort()];
  }
  return { inputs: fixed, output };
}

/** Replaces repeated letters in one operand by the diagonal (mask with the identity, then sum one copy away). */
function diagonalize(x: Tensor, letters: string[], sizes: Map<string, number>): Term {
  let t = x;
  let ls = [...letters];
  for (;;) {
    const dup = ls.findIndex((l, i) => ls.indexOf(l) !== i);
    if (dup < 0) return { x: t, letters: ls };
    const first = ls.indexOf(ls[dup]!);
    const n = sizes.get(ls[dup]!)!;
    const eye = allocate(t.dtype, n * n);
    for (let i = 0; i < n; i++) eye[i * n + i] = 1;
    const maskShape = ls.map((_, i) => (i === first || i === dup ? n : 1));
    t = sum(mul(t, reshape(new Tensor(eye, [n, n]), maskShape)), dup);
    ls = ls.filter((_, i) => i !== dup);
  }
}

/** One pairwise contraction as a batched matmul: [batch, xFree, k] @ [batch, k, yFree]. */
function contract(p: Term, q: Term, needed: Set<string>, sizes: Map<string, number>): Term {
  const inQ = new Set(q.letters);
  const inP = new Set(p.letters);
  const batch = p.letters.filter((l) => inQ.has(l) && needed.has(l));
  const contracted = p.letters.filter((l) => inQ.has(l) && !needed.has(l));
  const pFree = p.letters.filter((l) => !inQ.has(l));
  const qFree = q.letters.filter((l) => !inP.has(l));
  const size = (ls: string[]) => ls.reduce((a, l) => a * sizes.get(l)!, 1);
  const arrange = (t: Term, order: string[], dims: number[]): Tensor => {
    const full = broadcastTo(permute(t.x, order.map((l) => t.letters.indexOf(l))), order.map((l) => sizes.get(l)!));
    return reshape(full, dims);
  };
  const B = size(batch), M = size(pFree), K = size(contracted), N = size(qFree);
  const a = arrange(p, [...batch, ...pFree, ...contracted], [B, M, K]);
  const b = arrange(q, [...batch, ...contracted, ...qFree], [B, K, N]);
  const c = matmul(a, b);
  const letters = [...batch, ...pFree, ...qFree];
  return { x: reshape(c, letters.map((l) => sizes.get(l)!)), letters };
}
