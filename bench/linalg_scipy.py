"""Live SciPy reference timings for the linalg benchmark problems (same sizes as spec §6; numpy's own seeded data).
Prints one JSON object {problem: seconds}. Best of 3."""
import json, sys, time
import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
import scipy.linalg as sla

def best(f, reps=3):
    t = []
    for _ in range(reps):
        s = time.perf_counter(); f(); t.append(time.perf_counter() - s)
    return min(t)

quick = len(sys.argv) > 1 and sys.argv[1] == 'quick'
rng = np.random.default_rng(0)
out = {}
n = 500 if quick else 2000
G = rng.standard_normal((n, n)); M = G @ G.T / n + 0.1 * np.eye(n); b = np.ones(n)
out['cg-dense-spd'] = best(lambda: spla.cg(M, b, rtol=1e-8, maxiter=1000))
A1 = rng.standard_normal((30, 30)); A1 = A1 @ A1.T / 30 + np.eye(30)
out['kron-logdet-30x30'] = best(lambda: (np.linalg.slogdet(A1)))
N = 10000 if quick else 100000
rows = np.repeat(np.arange(N), 5); cols = rng.integers(0, N, N * 5); w = rng.uniform(0.5, 1.5, N * 5)
W = sp.coo_matrix((w, (rows, cols)), shape=(N, N)).tocsr(); W = W + W.T; W.setdiag(0); W.eliminate_zeros()
Lap = sp.diags(np.asarray(W.sum(axis=1)).ravel()) - W
out['laplacian-top10'] = best(lambda: spla.eigsh(Lap, k=10, which='LA', tol=1e-12), reps=1)
m = 316
def path(m):
    wt = rng.uniform(0.5, 1.5, m - 1); d = np.zeros(m); d[:-1] += wt; d[1:] += wt
    return sp.diags([-wt, d, -wt], [-1, 0, 1])
T1, T2 = path(m), path(m)
KS = (sp.kron(T1, sp.eye(m)) + sp.kron(sp.eye(m), T2)).tocsr()
out['kronsum-top10'] = best(lambda: spla.eigsh(KS, k=10, which='LA', tol=1e-12), reps=1)
A2 = np.array([[2.0, 1.0], [1.0, 3.0]]); b2 = np.array([1.0, 2.0])
reps = 20000
t0 = time.perf_counter()
for _ in range(reps): sla.solve(A2, b2)
out['solve-2x2-overhead'] = (time.perf_counter() - t0) / reps
print(json.dumps(out))
