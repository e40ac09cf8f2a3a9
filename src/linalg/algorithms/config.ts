/**
 * Algorithms are small typed configuration objects; their defaults are written once, here, and unknown option names
 * are rejected (CoLA's untyped Auto accepted keys that no rule read). Every iterative call returns an `IterInfo`.
 */
import { ArgumentError } from '../../core/index.ts';
import type { LinearOperator } from '../operator.ts';
import type { Mat } from '../mat.ts';

export interface IterInfo {
  iterations: number;
  /** Final relative residual per column (true residual, recomputed at exit). */
  residuals: Float64Array;
  converged: boolean;
  breakdown: boolean;
  /** Standard error of a stochastic estimate. */
  stderr?: number;
}

type Pre = LinearOperator | null;

export interface AutoAlg {
  kind: 'auto'; tol: number; maxIters: number; denseLimit: number; directLimit: number; seed: number; P: Pre; strict: boolean;
  /** Whether the caller gave tol (set by Auto(), not an option): without it a solve wants the exact answer. */
  readonly tolRequested?: boolean;
}
export interface CholeskyAlg { kind: 'cholesky' }
export interface LUAlg { kind: 'lu' }
export interface EighAlg { kind: 'eigh' }
export interface EigAlg { kind: 'eig' }
export interface LstsqAlg { kind: 'lstsq' }
export interface ExactAlg { kind: 'exact' }
export interface CGAlg { kind: 'cg'; tol: number; atol: number; maxIters: number; x0: Mat | null; P: Pre; strict: boolean }
export interface GMRESAlg { kind: 'gmres'; tol: number; restart: number; maxIters: number; x0: Mat | null; P: Pre; strict: boolean }
export interface MINRESAlg { kind: 'minres'; tol: number; maxIters: number; P: Pre; strict: boolean }
export interface LOBPCGAlg { kind: 'lobpcg'; maxIters: number; tol: number; P: Pre; seed: number; strict: boolean }
export interface LanczosAlg { kind: 'lanczos'; maxIters: number; tol: number; reorth: 'full' | 'selective' | 'none'; start: Mat | null; seed: number; maxRestarts: number; strict: boolean }
export interface ArnoldiAlg { kind: 'arnoldi'; maxIters: number; tol: number; start: Mat | null; seed: number; maxRestarts: number; strict: boolean }
export interface PowerAlg { kind: 'power'; tol: number; maxIters: number; seed: number; strict: boolean }
export interface HutchAlg { kind: 'hutch'; tol: number; maxProbes: number; batch: number; seed: number; dist: 'rademacher' | 'gaussian' }
export interface HutchPPAlg { kind: 'hutchpp'; matvecs: number; tol: number; maxMatvecs: number; seed: number }
export interface SLQAlg { kind: 'slq'; steps: number; tol: number; maxProbes: number; batch: number; seed: number; reorth: 'full' | 'selective' | 'none' }

export type Algorithm = AutoAlg | CholeskyAlg | LUAlg | EighAlg | EigAlg | LstsqAlg | ExactAlg | CGAlg | GMRESAlg
  | LanczosAlg | ArnoldiAlg | PowerAlg | HutchAlg | HutchPPAlg | SLQAlg | MINRESAlg | LOBPCGAlg;

function make<T extends object>(name: string, defaults: T, opts: Partial<T> | undefined): T {
  const out = { ...defaults };
  for (const [k, v] of Object.entries(opts ?? {})) {
    if (!(k in defaults) || k === 'kind') {
      throw new ArgumentError(`${name}: unknown option '${k}'; accepted: ${Object.keys(defaults).filter((x) => x !== 'kind').join(', ')}`);
    }
    if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  }
  for (const [k, v] of Object.entries(out)) {
    if (typeof v === 'number' && !(Number.isFinite(v) && v >= 0)) throw new ArgumentError(`${name}: option ${k} must be a finite non-negative number, got ${v}`);
    if ((k === 'maxIters' || k === 'maxProbes' || k === 'steps' || k === 'restart' || k === 'batch') && typeof v === 'number' && (!Number.isInteger(v) || v < 1)) {
      throw new ArgumentError(`${name}: option ${k} must be a positive integer, got ${v}`);
    }
  }
  return out;
}
type Opts<T> = Partial<Omit<T, 'kind'>>;

/**
 * Auto: structure rules first, then per sub-problem a base case. For eig, logdet, functions and pinv: a dense
 * factorization when rows·cols ≤ denseLimit (default 10⁶, n ≤ 1000), a Krylov/stochastic method above it. For
 * inv/solve, by accuracy and estimated cost (ops/common.ts `directChoice`): a dense Cholesky/LU whenever the order
 * n ≤ directLimit (default 4000 — a float64 factorization of 128 MB, seconds) and the caller gave no tol (they asked
 * for the solution, not an approximation); with an explicit tol the cheaper of the two by estimated flops; CG /
 * MINRES / GMRES above directLimit. tol, maxIters, seed and P go to the algorithm it picks; `explain` shows the
 * choice and why.
 */
export const Auto = (o?: Opts<AutoAlg>): AutoAlg => ({
  ...make('Auto', { kind: 'auto', tol: 1e-6, maxIters: 1000, denseLimit: 1e6, directLimit: 4000, seed: 0, P: null, strict: false }, o as Partial<AutoAlg>),
  tolRequested: o?.tol !== undefined,
});
export const Cholesky = (): CholeskyAlg => ({ kind: 'cholesky' });
export const LU = (): LUAlg => ({ kind: 'lu' });
export const Eigh = (): EighAlg => ({ kind: 'eigh' });
export const Eig = (): EigAlg => ({ kind: 'eig' });
export const LSTSQ = (): LstsqAlg => ({ kind: 'lstsq' });
export const Exact = (): ExactAlg => ({ kind: 'exact' });
export const CG = (o?: Opts<CGAlg>): CGAlg => make('CG', { kind: 'cg', tol: 1e-6, atol: 0, maxIters: 1000, x0: null, P: null, strict: false }, o as Partial<CGAlg>);
export const GMRES = (o?: Opts<GMRESAlg>): GMRESAlg => make('GMRES', { kind: 'gmres', tol: 1e-6, restart: 50, maxIters: 1000, x0: null, P: null, strict: false }, o as Partial<GMRESAlg>);
/** MINRES (Paige–Saunders) for SelfAdjoint indefinite systems; P ≈ A⁻¹ must be PSD. */
export const MINRES = (o?: Opts<MINRESAlg>): MINRESAlg => make('MINRES', { kind: 'minres', tol: 1e-6, maxIters: 1000, P: null, strict: false }, o as Partial<MINRESAlg>);
/** LOBPCG (Knyazev 2001) for a few extreme eigenpairs of a SelfAdjoint operator ('SA' or 'LA'); P ≈ A⁻¹ (PSD). */
export const LOBPCG = (o?: Opts<LOBPCGAlg>): LOBPCGAlg => make('LOBPCG', { kind: 'lobpcg', maxIters: 100, tol: 1e-8, P: null, seed: 0, strict: false }, o as Partial<LOBPCGAlg>);
export const Lanczos = (o?: Opts<LanczosAlg>): LanczosAlg => make('Lanczos', { kind: 'lanczos', maxIters: 100, tol: 1e-8, reorth: 'full', start: null, seed: 0, maxRestarts: 300, strict: false }, o as Partial<LanczosAlg>);
export const Arnoldi = (o?: Opts<ArnoldiAlg>): ArnoldiAlg => make('Arnoldi', { kind: 'arnoldi', maxIters: 100, tol: 1e-8, start: null, seed: 0, maxRestarts: 300, strict: false }, o as Partial<ArnoldiAlg>);
export const PowerIteration = (o?: Opts<PowerAlg>): PowerAlg => make('PowerIteration', { kind: 'power', tol: 1e-6, maxIters: 500, seed: 0, strict: false }, o as Partial<PowerAlg>);
export const Hutch = (o?: Opts<HutchAlg>): HutchAlg => make('Hutch', { kind: 'hutch', tol: 1e-2, maxProbes: 10000, batch: 64, seed: 0, dist: 'rademacher' }, o as Partial<HutchAlg>);
export const HutchPP = (o?: Opts<HutchPPAlg>): HutchPPAlg => make('HutchPP', { kind: 'hutchpp', matvecs: 0, tol: 1e-2, maxMatvecs: 10000, seed: 0 }, o as Partial<HutchPPAlg>);
export const SLQ = (o?: Opts<SLQAlg>): SLQAlg => make('SLQ', { kind: 'slq', steps: 50, tol: 1e-2, maxProbes: 1000, batch: 16, seed: 0, reorth: 'selective' }, o as Partial<SLQAlg>);
