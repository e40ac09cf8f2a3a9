import { Rng, ArgumentError, Tensor, matmul, noGrad } from '../core/index.ts';
import { qr } from '../linalg/index.ts';

/**
 * Random projectors P ∈ R^{D×d} for subspace training θ = θ₀ + P·w (Li et al. 2018; Lotfi et al. 2024 §3). Each
 * is regenerated from its seed: only the small factors are held, never the dense D×d matrix, so the projector
 * costs nothing in the code length (its seed is a fixed constant chosen before seeing data).
 */
export interface Projector {
  readonly kind: 'kron-qr' | 'gaussian';
  /** Ambient dimension (number of trainable parameters). */
  readonly D: number;
  /** Subspace dimension (number of trained coordinates). */
  readonly d: number;
  readonly seed: number;
  /** P·w, length D. */
  matvec(w: ArrayLike<number>): Float64Array;
  /** Pᵀ·g, length d. */
  rmatvec(g: ArrayLike<number>): Float64Array;
  describe(): string;
}

export interface ProjectorOptions {
  seed: number;
  /**
   * 'default' scales the leftover Gaussian block E to unit-norm columns like the Kronecker block; 'reference'
   * keeps the reference code's E = G/√D, whose columns have norm ≈ √((D − k²)/D) (spec §2.3 quirk).
   */
  compat?: 'default' | 'reference';
}

function checkDims(op: string, D: number, d: number): void {
  if (!Number.isInteger(D) || D < 1) throw new ArgumentError(`${op}: D must be a positive integer (number of parameters), got ${D}`);
  if (!Number.isInteger(d) || d < 1) throw new ArgumentError(`${op}: d must be a positive integer (subspace dimension), got ${d}`);
  if (d > D) throw new ArgumentError(`${op}: d = ${d} exceeds D = ${D}; a subspace larger than the parameter space gives no compression`);
}

function checkLength(op: string, name: string, x: ArrayLike<number>, n: number): void {
  if (x.length !== n) throw new ArgumentError(`${op}: ${name} has length ${x.length}, expected ${n}`);
}

function checkSeed(op: string, seed: number): void {
  if (!Number.isFinite(seed)) throw new ArgumentError(`${op}: seed must be a finite number, got ${seed}`);
}

export interface KronQRFactors {
  k: number;
  j: number;
  /** k×j column-major, orthonormal columns. */
  Q1: Float64Array;
  Q2: Float64Array;
  /** (D − k²)×(d − j²) row-major. */
  E: Float64Array;
  /** Row permutation: (P·w)[perm[i]] = (M·w)[i]. */
  perm: Int32Array;
}

/**
 * The rounded double-Kronecker projector with QR (the reference default): k = ⌊√D⌋, j = ⌊√d⌋,
 * M = blockdiag(Q₁ ⊗ Q₂, E), P = Π·M. (Q₁ ⊗ Q₂)·vec(W) is applied as vec(Q₁·W·Q₂ᵀ) for W = reshape(w[0:j²], j, j)
 * row-major: k·j·(j + k) multiply-adds instead of k²·j².
 */
export function kronQR(D: number, d: number, options: ProjectorOptions): Projector & { factors: KronQRFactors } {
  checkDims('kronQR', D, d);
  checkSeed('kronQR', options.seed);
  const compat = options.compat ?? 'default';
  if (compat !== 'default' && compat !== 'reference') throw new ArgumentError(`kronQR: compat must be 'default' or 'reference', got '${compat}'`);
  const k = Math.floor(Math.sqrt(D)), j = Math.floor(Math.sqrt(d));
  const [rQ1, rQ2, rE, rPerm] = new Rng(options.seed).split(4);
  const gaussian = (rng: Rng, n: number) => { const a = new Float64Array(n); for (let i = 0; i < n; i++) a[i] = rng.gauss(); return a; };
  const Q1 = qr(gaussian(rQ1!, k * j), k, j).Q;
  const Q2 = qr(gaussian(rQ2!, k * j), k, j).Q;
  const er = D - k * k, ec = d - j * j;
  const E = gaussian(rE!, er * ec);
  if (compat === 'reference') {
    for (let i = 0; i < E.length; i++) E[i]! /= Math.sqrt(D);
  } else {
    for (let c = 0; c < ec; c++) {
      let s = 0;
      for (let r = 0; r < er; r++) s += E[r * ec + c]! ** 2;
      const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
      for (let r = 0; r < er; r++) E[r * ec + c]! *= inv;
    }
  }
  const perm = new Int32Array(D);
  for (let i = 0; i < D; i++) perm[i] = i;
  for (let i = D - 1; i > 0; i--) { const t = rPerm!.int(0, i + 1); const x = perm[i]!; perm[i] = perm[t]!; perm[t] = x; }
  // Column-major k×j data read row-major is the j×k transpose: Q1t = Q₁ᵀ, Q2t = Q₂ᵀ; Q1k, Q2k are the k×j factors.
  const Q1t = new Tensor(Q1, [j, k]), Q2t = new Tensor(Q2, [j, k]);
  const Q1k = Q1t.transpose().contiguous(), Q2k = Q2t.transpose().contiguous();
  return {
    kind: 'kron-qr', D, d, seed: options.seed, factors: { k, j, Q1, Q2, E, perm },
    matvec(w) {
      checkLength('kronQR.matvec', 'w', w, d);
      const out = new Float64Array(D);
      // Y = Q₁·W·Q₂ᵀ (k×k) through core's matmul kernel lands in M·w's first k² rows; Π scatters the rows.
      const W = new Tensor(Float64Array.from({ length: j * j }, (_, i) => w[i]!), [j, j]);
      const Y = noGrad(() => matmul(Q1k, matmul(W, Q2t))).values();
      for (let i = 0; i < k * k; i++) out[perm[i]!] = Y[i]!;
      for (let r = 0; r < er; r++) {
        let s = 0;
        for (let c = 0; c < ec; c++) s += E[r * ec + c]! * w[j * j + c]!;
        out[perm[k * k + r]!] = s;
      }
      return out;
    },
    rmatvec(g) {
      checkLength('kronQR.rmatvec', 'g', g, D);
      const out = new Float64Array(d);
      // Gather G[a][b] = g[perm[a·k + b]], then Q₁ᵀ·G·Q₂ (j×j) through core's matmul kernel.
      const Gd = new Float64Array(k * k);
      for (let i = 0; i < k * k; i++) Gd[i] = g[perm[i]!]!;
      const Wt = noGrad(() => matmul(Q1t, matmul(new Tensor(Gd, [k, k]), Q2k))).values();
      for (let i = 0; i < j * j; i++) out[i] = Wt[i]!;
      for (let c = 0; c < ec; c++) {
        let s = 0;
        for (let r = 0; r < er; r++) s += E[r * ec + c]! * g[perm[k * k + r]!]!;
        out[j * j + c] = s;
      }
      return out;
    },
    describe: () => `Π·blockdiag(Q₁⊗Q₂ [${k}²×${j}²], E [${er}×${ec}]) (D=${D}, d=${d}, seed ${options.seed}${compat === 'reference' ? ', reference E scaling' : ''})`,
  };
}

/**
 * Dense Gaussian projector P = G/√D with G i.i.d. N(0, 1), generated in column chunks from per-chunk generators
 * (split once from the seed): matvec and rmatvec regenerate the same chunks, so memory stays O(D·chunk).
 * Costs D·d Gaussian draws per product: an alternative for small models and a check on the Kronecker projector.
 */
export function gaussian(D: number, d: number, options: ProjectorOptions & { chunkColumns?: number; materialize?: boolean }): Projector {
  checkDims('gaussian', D, d);
  checkSeed('gaussian', options.seed);
  const chunk = options.chunkColumns ?? Math.max(1, Math.floor(2 ** 18 / D));
  if (!Number.isInteger(chunk) || chunk < 1) throw new ArgumentError(`gaussian: chunkColumns must be a positive integer, got ${chunk}`);
  const nChunks = Math.ceil(d / chunk);
  const scale = 1 / Math.sqrt(D);
  const gen = (c: number, cols: number, into: Float64Array) => {
    const rng = new Rng(options.seed).split(nChunks)[c]!;
    for (let i = 0; i < D * cols; i++) into[i] = rng.gauss() * scale;
  };
  // materialize: keep every chunk (D·d numbers) for small problems where regenerating dominates the cost; the
  // values are the same chunks either way.
  const dense = options.materialize ? new Float64Array(D * d) : null;
  if (dense) for (let c = 0; c < nChunks; c++) gen(c, Math.min(chunk, d - c * chunk), dense.subarray(c * chunk * D));
  let buf = new Float64Array(dense ? 0 : D * Math.min(chunk, d));
  const fill = (c: number, cols: number) => {
    if (dense) buf = dense.subarray(c * chunk * D, (c * chunk + cols) * D);
    else gen(c, cols, buf);
  };
  return {
    kind: 'gaussian', D, d, seed: options.seed,
    matvec(w) {
      checkLength('gaussian.matvec', 'w', w, d);
      const out = new Float64Array(D);
      for (let c = 0; c < nChunks; c++) {
        const c0 = c * chunk, cols = Math.min(chunk, d - c0);
        fill(c, cols);
        for (let q = 0; q < cols; q++) {
          const wq = w[c0 + q]!;
          if (wq === 0) continue;
          const off = q * D;
          for (let i = 0; i < D; i++) out[i]! += buf[off + i]! * wq;
        }
      }
      return out;
    },
    rmatvec(g) {
      checkLength('gaussian.rmatvec', 'g', g, D);
      const out = new Float64Array(d);
      for (let c = 0; c < nChunks; c++) {
        const c0 = c * chunk, cols = Math.min(chunk, d - c0);
        fill(c, cols);
        for (let q = 0; q < cols; q++) {
          let s = 0;
          const off = q * D;
          for (let i = 0; i < D; i++) s += buf[off + i]! * g[i]!;
          out[c0 + q] = s;
        }
      }
      return out;
    },
    describe: () => `G/√D Gaussian (D=${D}, d=${d}, ${nChunks} chunk(s) of ${chunk} columns, seed ${options.seed})`,
  };
}
