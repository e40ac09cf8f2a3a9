import { Tensor, Rng, type FloatDType, ArgumentError } from '../../core/index.ts';
import type { StructuredLayer, StructuredParams } from './layer.ts';
import { dense } from './dense.ts';
import { makeLayer, type StructureSpec } from './registry.ts';

/** Every linear layer of a model by the path of its parameter node (e.g. '$.blocks[0].l1'), as used by `lrMultipliers`. */
export type LayerTable = Record<string, StructuredLayer>;

export interface ReplaceOptions {
  rng: Rng;
  /** Which linear nodes to replace (default: all). Others stay dense with their weights untouched. */
  select?: (path: string, dIn: number, dOut: number) => boolean;
  /** Which replaced layers start with their last factor at zero (last layer of a residual block, heads). */
  zeroInit?: (path: string) => boolean;
  init?: 'mup' | 'standard';
}

/** A parameter node that looks like `linearInit`'s output: `{ w: (dIn, dOut), b?: (dOut) }`. */
function isLinearNode(v: unknown): v is { w: Tensor; b?: Tensor } {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Tensor) return false;
  const keys = Object.keys(v);
  const w = (v as { w?: unknown }).w;
  return w instanceof Tensor && w.ndim === 2 && keys.every((k) => k === 'w' || k === 'b');
}

/**
 * Swaps the dense linear layers of a parameter tree for `structure` (the functional form of the authors'
 * `replace_layers`). Returns the new tree and a table of every linear layer (replaced ones with fresh µP-initialised
 * factors, kept ones as `dense` layers over their unchanged `{ w, b }`), so a forward pass can call
 * `layers[path].apply(params-at-path, x)` for every linear whatever its structure. Dense weights are not
 * projected onto the structure: replaced layers start from the structure's own initialisation.
 */
export function replaceLinears<P extends object>(params: P, structure: StructureSpec, opts: ReplaceOptions): { params: P; layers: LayerTable } {
  if (!(opts?.rng instanceof Rng)) throw new ArgumentError('replaceLinears: options.rng (an Rng) is required to initialise the new factors');
  const layers: LayerTable = {};
  let found = 0;
  const walk = (node: unknown, path: string): unknown => {
    if (isLinearNode(node)) {
      found++;
      const [dIn, dOut] = node.w.shape as [number, number];
      const bias = node.b instanceof Tensor;
      if (!(opts.select?.(path, dIn, dOut) ?? true)) {
        layers[path] = dense(dIn, dOut, { bias });
        return node;
      }
      const layer = makeLayer(structure, dIn, dOut, { bias, zeroInit: opts.zeroInit?.(path) ?? false, init: opts.init ?? 'mup' });
      layers[path] = layer;
      const fresh: StructuredParams = layer.init(opts.rng.split(1)[0]!, { dtype: node.w.dtype as FloatDType });
      return fresh;
    }
    if (node instanceof Tensor) return node;
    if (Array.isArray(node)) return node.map((v, i) => walk(v, `${path}[${i}]`));
    if (node !== null && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v, `${path}.${k}`)]));
    throw new ArgumentError(`replaceLinears: ${path} is ${node === null ? 'null' : typeof node}, expected a parameter tree of tensors`);
  };
  const out = walk(params, '$') as P;
  if (found === 0) throw new ArgumentError('replaceLinears: the tree has no linear layers ({ w: 2-d tensor, b? } nodes)');
  return { params: out, layers };
}

/** The layer registered at `path`, with an error naming the known paths when it is missing. */
export function layerAt(layers: LayerTable, path: string): StructuredLayer {
  const l = layers[path];
  if (!l) throw new ArgumentError(`layerAt: no linear layer at '${path}'; known: ${Object.keys(layers).join(', ')}`);
  return l;
}
