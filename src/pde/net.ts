/**
 * The networks Neural IVP evolves (spec pde.md §2.2 item 4): one MLP per solution component over a flat float64
 * parameter vector θ. Two families:
 * - 'neural-ivp': sinusoidal embedding per coordinate, swish hidden layers, output times the box boundary factor;
 * - 'ednn': tanh MLP on raw coordinates (the EDNN baseline of Du & Zaki 2021 as set up in the reference).
 * Everything differentiable is built from core tensor ops, so spatial derivatives (∇u, ∂²u/∂x_i²) and the
 * per-point parameter Jacobian come from strata/autodiff (`./derivatives.ts`).
 */
import { Tensor, Rng, matmul, add, mul, sub, sigmoid, tanh, sin, cos, concat, ones, ArgumentError } from '../core/index.ts';

export type NetFamily = 'neural-ivp' | 'ednn';
/** 'box': output × Π(1 − x_i²) once; 'reference': twice (the reference EDNN quirk); 'none': no factor. */
export type BoundaryMode = 'box' | 'reference' | 'none';

export interface NetConfig {
  family: NetFamily;
  dim: number;
  nOut: number;
  width: number;
  depth: number;
  activation: 'swish' | 'tanh';
  /** Sinusoidal embedding: L frequencies w_l = (π/2)·2^l, features scaled by 4/w_l^scaling, all × 1.5. */
  embedding: { L: number; scaling: number } | null;
  boundary: BoundaryMode;
}

/** Layer sizes [in, hidden…, 1] of each component's MLP. */
export function layerSizes(c: NetConfig): number[] {
  const input = c.embedding ? 2 * c.embedding.L * c.dim : c.dim;
  return [input, ...Array.from({ length: c.depth }, () => c.width), 1];
}

export interface LayerSlot { wOffset: number; bOffset: number; fanIn: number; fanOut: number }
export interface ComponentLayout { offset: number; size: number; layers: LayerSlot[] }

/** Where each weight/bias lives in θ: component-major, then layer, W row-major [in, out] before b. */
export function layout(c: NetConfig): ComponentLayout[] {
  const sizes = layerSizes(c);
  const comps: ComponentLayout[] = [];
  let off = 0;
  for (let k = 0; k < c.nOut; k++) {
    const start = off, layers: LayerSlot[] = [];
    for (let l = 0; l + 1 < sizes.length; l++) {
      const fanIn = sizes[l]!, fanOut = sizes[l + 1]!;
      layers.push({ wOffset: off, bOffset: off + fanIn * fanOut, fanIn, fanOut });
      off += fanIn * fanOut + fanOut;
    }
    comps.push({ offset: start, size: off - start, layers });
  }
  return comps;
}

function checkInt(op: string, name: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) throw new ArgumentError(`${op}: ${name} must be an integer ≥ ${min}, got ${v}`);
}

/** The Neural IVP architecture: embedding (default L = 4, scaling 1), `depth` swish layers, boundary factor. */
export function neuralIvpMlp(o: { dim: number; nOut?: number; width?: number; depth?: number; embedding?: { L: number; scaling?: number }; boundary?: BoundaryMode }): NetConfig {
  const c: NetConfig = {
    family: 'neural-ivp', dim: o.dim, nOut: o.nOut ?? 1, width: o.width ?? 24, depth: o.depth ?? 2, activation: 'swish',
    embedding: { L: o.embedding?.L ?? 4, scaling: o.embedding?.scaling ?? 1 }, boundary: o.boundary ?? 'box',
  };
  return validateNet(c, 'neuralIvpMlp');
}

/** The EDNN baseline network: `depth` tanh layers of `width` on raw coordinates (default 3 × 20), boundary factor. */
export function ednnMlp(o: { dim: number; nOut?: number; width?: number; depth?: number; boundary?: BoundaryMode }): NetConfig {
  const c: NetConfig = { family: 'ednn', dim: o.dim, nOut: o.nOut ?? 1, width: o.width ?? 20, depth: o.depth ?? 3, activation: 'tanh', embedding: null, boundary: o.boundary ?? 'box' };
  return validateNet(c, 'ednnMlp');
}

export function validateNet(c: NetConfig, op = 'net'): NetConfig {
  checkInt(op, 'dim', c.dim, 1);
  checkInt(op, 'nOut', c.nOut, 1);
  checkInt(op, 'width', c.width, 1);
  checkInt(op, 'depth', c.depth, 1);
  if (c.embedding) {
    checkInt(op, 'embedding.L', c.embedding.L, 1);
    if (!Number.isFinite(c.embedding.scaling)) throw new ArgumentError(`${op}: embedding.scaling must be finite, got ${c.embedding.scaling}`);
  }
  if (!['box', 'reference', 'none'].includes(c.boundary)) throw new ArgumentError(`${op}: boundary must be 'box', 'reference' or 'none', got '${c.boundary}'`);
  return c;
}

export function paramCount(c: NetConfig): number {
  const ls = layout(c);
  return ls.reduce((s, l) => s + l.size, 0);
}

/** Truncated-normal (±2σ) weights with std 1/√fan_in, zero biases (spec §2.2 item 4). */
export function initParams(c: NetConfig, rng: Rng): Float64Array {
  const theta = new Float64Array(paramCount(c));
  for (const comp of layout(c)) {
    for (const L of comp.layers) {
      const std = 1 / Math.sqrt(L.fanIn);
      for (let i = 0; i < L.fanIn * L.fanOut; i++) {
        let z: number;
        do z = rng.gauss(); while (Math.abs(z) > 2);
        theta[L.wOffset + i] = std * z;
      }
    }
  }
  return theta;
}

/** Per-component parameter tensors (copies of θ's slices: the optimizer needs compact leaves). */
export interface LayerTensors { w: Tensor; b: Tensor }
export function unpack(c: NetConfig, theta: Float64Array): LayerTensors[][] {
  return layout(c).map((comp) => comp.layers.map((L) => ({
    w: new Tensor(theta.slice(L.wOffset, L.bOffset), [L.fanIn, L.fanOut]),
    b: new Tensor(theta.slice(L.bOffset, L.bOffset + L.fanOut), [L.fanOut]),
  })));
}
export function pack(c: NetConfig, tensors: LayerTensors[][]): Float64Array {
  const theta = new Float64Array(paramCount(c));
  layout(c).forEach((comp, k) => comp.layers.forEach((L, l) => {
    theta.set(tensors[k]![l]!.w.values() as Float64Array, L.wOffset);
    theta.set(tensors[k]![l]!.b.values() as Float64Array, L.bOffset);
  }));
  return theta;
}

/** Inputs that do not depend on θ, built once per point set: embedding matrix and coordinate selectors. */
export interface NetInputs { features: Tensor; boundary: Tensor | null }

/**
 * The θ-independent part of the forward pass at points X [N, d]: the embedding features and the boundary factor,
 * both differentiable in X (so ∇ₓ and ∂²ₓ flow through them).
 */
export function netInputs(c: NetConfig, X: Tensor): NetInputs {
  const d = c.dim;
  let features: Tensor;
  if (c.embedding) {
    const { L, scaling } = c.embedding;
    const freq = new Float64Array(d * d * L), amp = new Float64Array(d * L);
    // Column i·L + l of X·freq is w_l·x_i; amp holds 1.5·4/w_l^s for the same column.
    for (let i = 0; i < d; i++) for (let l = 0; l < L; l++) {
      const w = (Math.PI / 2) * 2 ** l;
      freq[i * d * L + i * L + l] = w;
      amp[i * L + l] = 1.5 * 4 / w ** scaling;
    }
    const Z = matmul(X, new Tensor(freq, [d, d * L]));
    const A = new Tensor(amp, [d * L]);
    features = concat([mul(sin(Z), A), mul(cos(Z), A)], 1);
  } else features = X;
  let boundary: Tensor | null = null;
  if (c.boundary !== 'none') {
    for (let i = 0; i < d; i++) {
      const e = new Float64Array(d); e[i] = 1;
      const xi = matmul(X, new Tensor(e, [d, 1]));
      const bi = sub(ones([1], 'float64'), mul(xi, xi));
      boundary = boundary ? mul(boundary, bi) : bi;
    }
    if (c.boundary === 'reference') boundary = mul(boundary!, boundary!);
  }
  return { features, boundary };
}

/**
 * One component's output u_k [N, 1]. `perturb[l]` (optional, [N, fanOut_l]) is added to layer l's pre-activation:
 * tracked zeros there turn one pullback of the whole batch into every point's back-propagated deltas.
 * `hidden` receives each layer's input activations (for the per-point outer products of the Jacobian).
 */
export function componentForward(c: NetConfig, layers: LayerTensors[], inp: NetInputs, perturb?: Tensor[], hidden?: Tensor[]): Tensor {
  let h = inp.features;
  for (let l = 0; l < layers.length; l++) {
    hidden?.push(h);
    let z = add(matmul(h, layers[l]!.w), layers[l]!.b);
    if (perturb) z = add(z, perturb[l]!);
    if (l + 1 < layers.length) h = c.activation === 'swish' ? mul(z, sigmoid(z)) : tanh(z);
    else h = z;
  }
  return inp.boundary ? mul(h, inp.boundary) : h;
}

/** Network values at points (no derivatives): Float64Array [N·nOut], point-major. */
export function evaluate(c: NetConfig, theta: Float64Array, X: Tensor): Float64Array {
  const N = X.shape[0]!;
  const inp = netInputs(c, X);
  const out = new Float64Array(N * c.nOut);
  unpack(c, theta).forEach((layers, k) => {
    const u = componentForward(c, layers, inp).values();
    for (let i = 0; i < N; i++) out[i * c.nOut + k] = u[i]!;
  });
  return out;
}

