import { ArgumentError } from '../../core/index.ts';
import { type StructuredLayer, gainKey } from './layer.ts';
import type { LayerTable } from './replace.ts';

export interface LrMultiplierOptions {
  /**
   * 'structure-aware' (default): each factor's rate ∝ 1/its fan-in (spec nn §2.6);
   * 'naive': every factor gets the dense layer's µP multiplier (the authors' `use_wrong_mult` ablation).
   */
  lrMode?: 'structure-aware' | 'naive';
  /** Which rule the structure factor follows: Adam/AdamW (default) or SGD. */
  optimizer?: 'adam' | 'sgd';
  /** The same model at its base width, for µP's width multiplier d_in_base/d_in (omit: all width multipliers 1). */
  base?: LayerTable;
  /** Extra factors per layer path, multiplied in (e.g. { '$.input': 0.1 } for the CIFAR MLP runs' input layer). */
  layerScale?: Record<string, number>;
}

/**
 * The learning-rate multiplier of every leaf of every layer in `layers`, keyed by leaf path ('$.blocks[0].l1.A'),
 * ready for `new Optimizer(params, { lrMultipliers })` (spec nn §2.6): for a factor,
 *   m = m_width · m_struct,  m_width = d_in_base / d_in,
 *   m_struct = (d_in / fan_in) / n_factors                                  (Adam),
 *            = ((fan_out / fan_in) / (d_out / d_in)) / n_factors            (SGD),
 * and m = m_width for every factor under lrMode 'naive'. Biases, weight-norm gains and the MoE gate get 1.
 */
export function lrMultipliers(layers: LayerTable, opts: LrMultiplierOptions = {}): Record<string, number> {
  const mode = opts.lrMode ?? 'structure-aware';
  if (mode !== 'structure-aware' && mode !== 'naive') throw new ArgumentError(`lrMultipliers: lrMode must be 'structure-aware' or 'naive', got '${String(mode)}'`);
  const rule = opts.optimizer ?? 'adam';
  if (rule !== 'adam' && rule !== 'sgd') throw new ArgumentError(`lrMultipliers: optimizer must be 'adam' or 'sgd', got '${String(rule)}'`);
  const out: Record<string, number> = {};
  for (const [path, layer] of Object.entries(layers)) {
    const mWidth = widthMultiplier(path, layer, opts.base);
    const scale = opts.layerScale?.[path] ?? 1;
    for (const [name, m] of Object.entries(factorMultipliers(layer, mode, rule))) out[`${path}.${name}`] = m * mWidth * scale;
    if (layer.bias) out[`${path}.b`] = 1;
    if (layer.normalize) for (const f of layer.factors) out[`${path}.${gainKey(f.name)}`] = 1;
    for (const e of layer.extras) out[`${path}.${e.name}`] = 1;
  }
  if (opts.layerScale) for (const p of Object.keys(opts.layerScale)) if (!(p in layers)) throw new ArgumentError(`lrMultipliers: layerScale names '${p}', which is not a layer path (${Object.keys(layers).join(', ')})`);
  return out;
}

/** m_struct per factor of one layer (without the width multiplier). */
export function factorMultipliers(layer: StructuredLayer, mode: 'structure-aware' | 'naive' = 'structure-aware', rule: 'adam' | 'sgd' = 'adam'): Record<string, number> {
  const nf = layer.factors.length;
  const out: Record<string, number> = {};
  for (const f of layer.factors) {
    if (mode === 'naive') out[f.name] = 1;
    else if (rule === 'adam') out[f.name] = layer.dIn / f.fanIn / nf;
    else out[f.name] = (f.fanOut / f.fanIn) / (layer.dOut / layer.dIn) / nf;
  }
  return out;
}

function widthMultiplier(path: string, layer: StructuredLayer, base: LayerTable | undefined): number {
  if (!base) return 1;
  const b = base[path];
  if (!b) throw new ArgumentError(`lrMultipliers: the base model has no layer at '${path}' (base layers: ${Object.keys(base).join(', ')})`);
  return b.dIn / layer.dIn;
}

