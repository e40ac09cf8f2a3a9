/** MINRES, LOBPCG, the Nyström preconditioner and selective re-orthogonalization. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as L from '../../src/linalg/index.ts';
import { eye, naiveMatmul, rel, spdFromSpectrum } from './helpers.ts';

/** Symmetric indefinite QᵀΛQ with the given (signed) spectrum, and its |A|⁻¹ = Qᵀ|Λ|⁻¹Q. */
function indefinite(n: number, seed: number): { A: L.Mat; absInv: L.Mat } {
  const vals = Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 1 : -1) * (0.5 + i / n));
  const A = spdFromSpectrum(n, 1, 1, seed, vals).A;
  const absInv = spdFromSpectrum(n, 1, 1, seed, vals.map((v) => 1 / Math.abs(v))).A;
  return { A, absInv };
}

test('MINRES solves a symmetric indefinite system; Auto picks it for large SelfAdjoint operators; |A|⁻¹ preconditioning converges in 2 steps', () => {
  const n = 60, { A, absInv } = indefinite(n, 3), Aop = L.SelfAdjoint(L.lazify(A));
  const B: L.Mat = { rows: n, cols: 2, data: Float64Array.from({ length: 2 * n }, (_, i) => Math.sin(i)) };
  const want = L.solve(Aop, B, L.LU());
  const r = L.minres(L.SelfAdjoint(L.noDispatch(Aop)), B, L.MINRES({ tol: 1e-10 }));
  assert.ok(r.info.converged && !r.info.breakdown);
  assert.ok(rel(r.X, want) < 1e-8, `rel ${rel(r.X, want)}`);
  assert.ok(Math.max(...r.info.residuals) < 1e-9);
  // Large (directLimit below n) SelfAdjoint but not PSD: MINRES, not GMRES.
  assert.equal(L.explain('solve', Aop, L.Auto({ directLimit: 10 })), 'inv.base.minres{n=60 > directLimit 10}');
  const viaAuto = L.solveWithInfo(Aop, B, L.Auto({ directLimit: 10, tol: 1e-10 }));
  assert.ok(viaAuto.info!.converged && rel(viaAuto.X, want) < 1e-8);
  // With P = |A|⁻¹ (PSD) the preconditioned operator has eigenvalues ±1: two steps.
  const rp = L.minres(Aop, B, L.MINRES({ tol: 1e-10, P: L.PSD(L.lazify(absInv)) }));
  assert.ok(rp.info.iterations <= 3 && rp.info.converged, `iterations ${rp.info.iterations}`);
  assert.ok(rel(rp.X, want) < 1e-8);
  // Non-convergence is reported, not hidden; a non-SelfAdjoint operator is refused with the annotation to add.
  const short = L.minres(Aop, B, L.MINRES({ tol: 1e-12, maxIters: 3 }));
  assert.equal(short.info.converged, false);
  assert.throws(() => L.solve(L.lazify([[1, 2], [3, 4]]), new Float64Array(2), L.MINRES()), /SelfAdjoint\(A\)/);
});

test('LOBPCG finds the smallest and largest eigenpairs of a hidden SPD to 1e-10; an exact preconditioner converges at once', () => {
  const n = 120, S = spdFromSpectrum(n, 0.5, 1, 9), A = L.PSD(L.lazify(S.A)), hidden = L.SelfAdjoint(L.noDispatch(A));
  const all = [...S.lam].sort((a, b) => a - b);
  for (const which of ['SA', 'LA'] as const) {
    const e = L.eig(hidden, 4, which, L.LOBPCG({ tol: 1e-10, maxIters: 500 }));
    const want = which === 'SA' ? all.slice(0, 4) : all.slice(-4);
    assert.ok(e.info!.converged, which);
    assert.ok(rel(e.values, want) < 1e-10, `${which}: ${rel(e.values, want)}`);
    const V = e.vectors.toDense(), AV = A.matmat(V);
    const VL = { ...V, data: V.data.map((v, i) => v * e.values[Math.floor(i / n)]!) };
    assert.ok(rel(AV, VL) < 1e-8, `${which}: A·V = V·Λ`);
  }
  const plain = L.eig(hidden, 3, 'SA', L.LOBPCG({ tol: 1e-8, maxIters: 500 }));
  const pre = L.eig(hidden, 3, 'SA', L.LOBPCG({ tol: 1e-8, maxIters: 500, P: L.inv(A) }));
  assert.ok(pre.info!.iterations < plain.info!.iterations / 3, `preconditioned ${pre.info!.iterations} vs plain ${plain.info!.iterations} products`);
  assert.throws(() => L.eig(hidden, 2, 'LM', L.LOBPCG()), /'SA'.*'LA'/);
  assert.throws(() => L.eig(L.noDispatch(A), 2, 'SA', L.LOBPCG()), /SelfAdjoint/);
});

test('Nyström (case 29): full rank reconstructs A; P matches its formula; sqrt² = P and inverse·P = I; it speeds up CG', () => {
  const n = 120, vals = Array.from({ length: n }, (_, i) => 50 / (i + 1) ** 2);
  const S = spdFromSpectrum(n, 1, 1, 12, vals), A = L.PSD(L.lazify(S.A)), mu = 1e-3;
  const full = new L.Nystrom(A, { rank: n, mu, seed: 1 });
  assert.ok(rel(full.approx().toDense(), S.A) < 1e-8, 'full-rank approximation');
  const P = new L.Nystrom(A, { rank: 20, mu, seed: 2 });
  // Independent formula: I + U·((λ_r + μ)/(Λ + μ) − 1)·Uᵀ from the stored factors, by naive loops.
  const k = P.rank, lr = P.lam[k - 1]!, want = eye(n);
  for (let c = 0; c < k; c++) {
    const f = (lr + mu) / (P.lam[c]! + mu) - 1;
    for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) want.data[j * n + i] = want.data[j * n + i]! + f * P.U[c * n + i]! * P.U[c * n + j]!;
  }
  assert.ok(rel(P.toDense(), want) < 1e-10);
  const Sq = P.sqrt().toDense();
  assert.ok(rel(naiveMatmul(Sq, Sq), want) < 1e-10, 'sqrt squared');
  assert.ok(rel(naiveMatmul(P.inverse().toDense(), want), eye(n)) < 1e-10, 'inverse');
  assert.ok(P.isa('PSD'));
  const Amu = L.PSD(A.add(new L.ScalarMul(mu, n))), b = L.mat(n, 1, new Float64Array(n).fill(1));
  const plain = L.cg(Amu, b, L.CG({ tol: 1e-10, maxIters: 5000 })), pre = L.cg(Amu, b, L.CG({ tol: 1e-10, P }));
  assert.ok(plain.info.converged && pre.info.converged);
  assert.ok(pre.info.iterations * 2 < plain.info.iterations, `Nyström-CG ${pre.info.iterations} vs CG ${plain.info.iterations}`);
  assert.ok(rel(pre.X, plain.X) < 1e-8);
  // Adaptive: the rank grows until ‖A − Â‖ ≤ tol·μ, i.e. past the eigenvalues above 10·μ.
  const ad = new L.Nystrom(A, { rank: 5, mu, adaptive: true, seed: 3 });
  const needed = vals.filter((v) => v > 10 * mu).length;
  assert.ok(ad.rank >= needed, `adaptive rank ${ad.rank}, eigenvalues above tol·μ: ${needed}`);
  assert.throws(() => new L.Nystrom(L.lazify(S.A), { rank: 5 }), /PSD/);
  assert.throws(() => new L.Nystrom(A, { ranks: 5 } as never), /unknown option 'ranks'/);
});

test("selective re-orthogonalization (Simon's ω rule) keeps the Lanczos basis orthogonal to √ε with a fraction of the work", () => {
  const n = 300, vals = Array.from({ length: n }, (_, i) => (i < 5 ? 10 + i : 1 + i / n));
  const A = L.PSD(L.lazify(spdFromSpectrum(n, 1, 1, 4, vals).A)), start = new Float64Array(n).fill(1);
  const loss = (Q: Float64Array[]) => {
    let worst = 0;
    for (let a = 0; a < Q.length; a++) for (let b = 0; b < a; b++) { let s = 0; for (let i = 0; i < n; i++) s += Q[a]![i]! * Q[b]![i]!; worst = Math.max(worst, Math.abs(s)); }
    return worst;
  };
  const sel = L.lanczos(A, start, 120, 'selective'), none = L.lanczos(A, start, 120, 'none'), full = L.lanczos(A, start, 120, 'full');
  assert.ok(loss(none.Q) > 1e-2, 'without re-orthogonalization the basis loses orthogonality (the problem is a real test)');
  assert.ok(loss(sel.Q) < 1e-7, `selective: ${loss(sel.Q)}`);
  assert.ok(sel.reorths < full.reorths / 2, `selective re-orthogonalized ${sel.reorths} of ${full.reorths} steps`);
  // The tridiagonal matrices agree on the converged extreme Ritz values.
  const top = (r: L.LanczosResult) => L.eighTridiagonal(r.alpha, r.beta.subarray(0, r.steps - 1), false).values.at(-1)!;
  assert.ok(Math.abs(top(sel) - 14) < 1e-10 && Math.abs(top(full) - 14) < 1e-10);
});
