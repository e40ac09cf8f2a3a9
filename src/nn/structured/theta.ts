import { ArgumentError } from '../../core/index.ts';

/** θ = (θα, θβ, θγ, θδ, θε, θφ, θρ): a point of the continuous einsum family (spec nn §2.4). */
export type Theta = readonly [number, number, number, number, number, number, number];

/** Sums per side may be off by this much, so thirds can be written .33/.67 as in the authors' scripts. */
export const THETA_SUM_TOLERANCE = 0.02;

export function checkTheta(op: string, theta: unknown): Theta {
  if (!Array.isArray(theta) || theta.length !== 7) throw new ArgumentError(`${op}: θ must be 7 numbers (α, β, γ, δ, ε, φ, ρ), got ${JSON.stringify(theta)}`);
  for (const [i, v] of theta.entries()) {
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new ArgumentError(`${op}: θ${'αβγδεφρ'[i]} = ${String(v)} must be in [0, 1] (θ = ${JSON.stringify(theta)})`);
  }
  const t = theta as unknown as Theta;
  const sIn = t[0] + t[1] + t[2], sOut = t[3] + t[4] + t[5];
  if (Math.abs(sIn - 1) > THETA_SUM_TOLERANCE) throw new ArgumentError(`${op}: θα + θβ + θγ must be 1 (input side), got ${+sIn.toFixed(4)} for θ = ${JSON.stringify(theta)}`);
  if (Math.abs(sOut - 1) > THETA_SUM_TOLERANCE) throw new ArgumentError(`${op}: θδ + θε + θφ must be 1 (output side), got ${+sOut.toFixed(4)} for θ = ${JSON.stringify(theta)}`);
  return t;
}

export interface ThetaSizes {
  alpha: number; beta: number; gamma: number; delta: number; epsilon: number; phi: number; rho: number;
  /** α·β·γ and δ·ε·φ: the widths the cores really act on (padded/truncated to dIn/dOut when they differ). */
  dInCore: number;
  dOutCore: number;
}

/** The largest relative mismatch between the rounded sizes' product and the layer width that is padded instead of rejected. */
export const MAX_PAD_FRACTION = 0.15;

/**
 * Rounded sizes α = round(dIn^θα), …, ρ = round(min(dIn, dOut)^θρ) (spec nn §2.4). When α·β·γ ≠ dIn (or δ·ε·φ ≠
 * dOut) by at most 15 % the layer zero-pads or truncates; a larger mismatch is an error naming θ and the sizes.
 */
export function thetaSizes(op: string, theta: Theta, dIn: number, dOut: number): ThetaSizes {
  const r = (d: number, e: number) => Math.max(1, Math.round(Math.pow(d, e)));
  const s = {
    alpha: r(dIn, theta[0]), beta: r(dIn, theta[1]), gamma: r(dIn, theta[2]),
    delta: r(dOut, theta[3]), epsilon: r(dOut, theta[4]), phi: r(dOut, theta[5]), rho: r(Math.min(dIn, dOut), theta[6]),
  };
  const dInCore = s.alpha * s.beta * s.gamma, dOutCore = s.delta * s.epsilon * s.phi;
  const check = (side: string, core: number, d: number, names: string) => {
    if (Math.abs(core - d) / d > MAX_PAD_FRACTION) {
      throw new ArgumentError(`${op}: θ = ${JSON.stringify(theta)} gives ${side} sizes ${names} = ${core}, which is ${(100 * Math.abs(core - d) / d).toFixed(1)}% away from ${side === 'input' ? 'dIn' : 'dOut'} = ${d}; at most ${MAX_PAD_FRACTION * 100}% is padded or truncated (choose a width whose powers round to factors, e.g. a perfect square)`);
    }
  };
  check('input', dInCore, dIn, `α·β·γ = ${s.alpha}·${s.beta}·${s.gamma}`);
  check('output', dOutCore, dOut, `δ·ε·φ = ${s.delta}·${s.epsilon}·${s.phi}`);
  return { ...s, dInCore, dOutCore };
}
