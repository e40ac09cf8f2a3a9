import { Tensor, ArgumentError } from '../core/index.ts';

/**
 * A parameter tree: a tensor, or arrays / plain objects whose leaves are tensors. Typed as `object` so that
 * interfaces (which lack index signatures) qualify; `leaves` checks the structure at run time.
 */
export type Tree = object;

/** Leaves in a fixed order (object keys in insertion order, depth first). */
export function leaves(tree: unknown, path = '$', out: { path: string; value: Tensor }[] = []): { path: string; value: Tensor }[] {
  if (tree instanceof Tensor) out.push({ path, value: tree });
  else if (Array.isArray(tree)) tree.forEach((t, i) => leaves(t, `${path}[${i}]`, out));
  else if (tree !== null && typeof tree === 'object') for (const [k, v] of Object.entries(tree)) leaves(v, `${path}.${k}`, out);
  else throw new ArgumentError(`parameter tree: ${path} is ${tree === null ? 'null' : typeof tree}, expected a Tensor, an array or an object`);
  return out;
}

/** Rebuilds `tree`'s structure with leaves taken in order from `values`. */
export function unflatten<T>(tree: T, values: readonly unknown[]): T {
  let i = 0;
  const build = (t: unknown): unknown => {
    if (t instanceof Tensor) return values[i++];
    if (Array.isArray(t)) return t.map(build);
    return Object.fromEntries(Object.entries(t as object).map(([k, v]) => [k, build(v)]));
  };
  return build(tree) as T;
}

export function mapTree<T>(tree: T, fn: (x: Tensor, path: string) => unknown): T {
  const ls = leaves(tree);
  return unflatten(tree, ls.map((l) => fn(l.value, l.path)));
}
