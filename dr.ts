import { Rng, Tensor } from './src/core/index.ts';
import * as D from './src/diffusion/index.ts';
const L = 16, xs = Array.from({ length: L }, (_, i) => i / (L - 1));
const templates = [xs.map(x => Math.sin(2 * Math.PI * x)), xs.map(x => x < 0.5 ? -1 : 1), xs.map(x => 2 * Math.exp(-((x - 0.5) ** 2) / 0.02) - 1), xs.map(x => 2 * x - 1)];
const mix = D.isotropicMixture(templates, [0.4, 0.3, 0.2, 0.1], 0.1);
const sched = D.ve({ sigmaMin: 1e-3, sigmaMax: 5 });
const prior = D.mixtureScore(mix, sched);
function assign(x: Float64Array, d: number) { const n = x.length / d; const f = [0,0,0,0]; let spread = 0; for (let r = 0; r < n; r++) { let best = 0, bd = Infinity; templates.forEach((m, k) => { let s = 0; for (let j = 0; j < d; j++) s += (x[r*d+j]! - m[j]!) ** 2; if (s < bd) { bd = s; best = k; } }); f[best]++; spread += bd; } return { f: f.map(v => v / n), spread: Math.sqrt(spread / n / d) }; }
for (const rep of [D.sirenRep(16)]) {
  let t0 = Date.now();
  const r = D.pullbackSample({ rep, prior, sched, n: 100, steps: 100, seed: 1 });
  const a = assign(r.views[0]!.values() as Float64Array, 16);
  console.log(rep.name, 'pullback', a, 'cg mean', r.cgIterations.reduce((x, y) => x + y) / r.cgIterations.length, (Date.now() - t0) / 1000);
  t0 = Date.now();
  const s = D.sdsOptimize({ rep, prior, sched, n: 100, steps: 500, lr: 0.02, seed: 2 });
  console.log(rep.name, 'sds', assign(s.views[0]!.values() as Float64Array, 16), (Date.now() - t0) / 1000);
}
