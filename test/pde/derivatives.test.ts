import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, Rng } from '../../src/core/index.ts';
import { jvp } from '../../src/autodiff/index.ts';
import {
  nets, initParams, evaluate, parameterJacobian, spatialEval, applyJ, applyM, samplePoints, type LsSystem,
} from '../../src/pde/index.ts';

function setup(dim: number, nOut = 1, family: 'nivp' | 'ednn' = 'nivp') {
  const net = family === 'nivp' ? nets.neuralIvpMlp({ dim, nOut, width: 8, depth: 2, embedding: { L: 3 } }) : nets.ednnMlp({ dim, nOut, width: 6, depth: 2 });
  const rng = new Rng(7);
  const theta = initParams(net, rng);
  // Non-zero biases, so every parameter's column is exercised.
  for (let i = 0; i < theta.length; i++) theta[i] = theta[i]! + 0.05 * rng.gauss();
  const N = 17;
  const Xd = samplePoints(rng, N, dim);
  return { net, theta, rng, N, Xd, X: new Tensor(Xd, [N, dim]) };
}

test('J·v from the per-point Jacobian matches central finite differences of the network in θ', () => {
  for (const [dim, nOut, fam] of [[1, 1, 'nivp'], [2, 2, 'nivp'], [3, 1, 'ednn']] as const) {
    const { net, theta, rng, N, X } = setup(dim, nOut, fam);
    const { blocks } = parameterJacobian(net, theta, X);
    const sys: LsSystem = { N, p: theta.length, blocks };
    const v = Float64Array.from({ length: theta.length }, () => rng.gauss());
    const Jv = applyJ(sys, v, nOut);
    const eps = 1e-6;
    const plus = evaluate(net, theta.map((t, i) => t + eps * v[i]!), X);
    const minus = evaluate(net, theta.map((t, i) => t - eps * v[i]!), X);
    let err = 0, scale = 0;
    for (let i = 0; i < Jv.length; i++) { const fd = (plus[i]! - minus[i]!) / (2 * eps); err = Math.max(err, Math.abs(fd - Jv[i]!)); scale = Math.max(scale, Math.abs(fd)); }
    assert.ok(err <= 1e-7 * Math.max(1, scale), `dim ${dim}, nOut ${nOut}, ${fam}: max |J·v − FD| = ${err} (scale ${scale})`);
  }
});

test('J·v from the per-point Jacobian equals autodiff jvp (double-vjp) of the batch output', () => {
  const { net, theta, rng, N, X } = setup(2);
  const { blocks } = parameterJacobian(net, theta, X);
  const v = Float64Array.from({ length: theta.length }, () => rng.gauss());
  const Jv = applyJ({ N, p: theta.length, blocks }, v, 1);
  const { tangent } = jvp((th: Tensor) => outputOf(net, th, X), new Tensor(theta.slice(), [theta.length]), new Tensor(v, [theta.length]));
  const t = tangent.values();
  for (let i = 0; i < N; i++) assert.ok(Math.abs(t[i]! - Jv[i]!) <= 1e-10 * Math.max(1, Math.abs(t[i]!)), `point ${i}: jvp ${t[i]} vs J·v ${Jv[i]}`);
});

test('matrix-free M·v equals the explicit JᵀJ·v/N (float64, 1e-10)', () => {
  const { net, theta, rng, N, X } = setup(2, 2);
  const { blocks } = parameterJacobian(net, theta, X);
  const p = theta.length, sys: LsSystem = { N, p, blocks };
  const v = Float64Array.from({ length: p }, () => rng.gauss());
  const Mv = applyM(sys, { rows: p, cols: 1, data: v }).data;
  // Explicit: dense J rows (N·nOut × p) with zeros outside each component's block.
  const explicit = new Float64Array(p);
  for (const b of blocks) {
    for (let n = 0; n < N; n++) {
      let jv = 0;
      for (let j = 0; j < b.size; j++) jv += b.J[j * N + n]! * v[b.offset + j]!;
      for (let j = 0; j < b.size; j++) explicit[b.offset + j] = explicit[b.offset + j]! + (b.J[j * N + n]! * jv) / N;
    }
  }
  for (let i = 0; i < p; i++) assert.ok(Math.abs(Mv[i]! - explicit[i]!) <= 1e-10 * Math.max(1, Math.abs(explicit[i]!)), `entry ${i}: ${Mv[i]} vs ${explicit[i]}`);
});

test('autodiff ∇u and ∂²u/∂x_i² of the network match finite differences in x (1e-6)', () => {
  for (const [dim, fam] of [[1, 'nivp'], [3, 'nivp'], [2, 'ednn']] as const) {
    const { net, theta, N, Xd, X } = setup(dim, 1, fam);
    const se = spatialEval(net, theta, X, ['grad', 'd2']);
    const h1 = 1e-6, h2 = 1e-3;
    for (let i = 0; i < dim; i++) {
      const shift = (s: number) => { const Y = Xd.slice(); for (let n = 0; n < N; n++) Y[n * dim + i] = Y[n * dim + i]! + s; return evaluate(net, theta, new Tensor(Y, [N, dim])); };
      const p1 = shift(h1), m1 = shift(-h1), p2 = shift(h2), m2 = shift(-h2), p4 = shift(h2 / 2), m4 = shift(-h2 / 2), c = evaluate(net, theta, X);
      for (let n = 0; n < N; n++) {
        // Second differences at h and h/2, Richardson-extrapolated (removes the O(h²) term).
        const g = (p1[n]! - m1[n]!) / (2 * h1);
        const ddH = (p2[n]! - 2 * c[n]! + m2[n]!) / (h2 * h2), ddH2 = (p4[n]! - 2 * c[n]! + m4[n]!) / ((h2 / 2) ** 2), dd = (4 * ddH2 - ddH) / 3;
        assert.ok(Math.abs(g - se.grad![n * dim + i]!) <= 1e-6 * Math.max(1, Math.abs(g)), `${fam} dim ${dim}: ∂u/∂x${i} at point ${n}: ${se.grad![n * dim + i]} vs FD ${g}`);
        assert.ok(Math.abs(dd - se.d2![n * dim + i]!) <= 1e-6 * Math.max(1, Math.abs(dd)), `${fam} dim ${dim}: ∂²u/∂x${i}² at point ${n}: ${se.d2![n * dim + i]} vs FD ${dd}`);
      }
      for (let n = 0; n < N; n++) assert.ok(Math.abs(se.u[n]! - c[n]!) < 1e-12);
    }
  }
});

// The network output as a function of the flat θ tensor, for autodiff's jvp.
import { componentForward, netInputs } from '../../src/pde/net.ts';
import { layout } from '../../src/pde/index.ts';
import { reshape, slice } from '../../src/core/index.ts';
function outputOf(net: ReturnType<typeof nets.neuralIvpMlp>, th: Tensor, X: Tensor): Tensor {
  const comp = layout(net)[0]!;
  const layers = comp.layers.map((L) => ({
    w: reshape(slice(th, [[L.wOffset, L.bOffset]]), [L.fanIn, L.fanOut]),
    b: slice(th, [[L.bOffset, L.bOffset + L.fanOut]]),
  }));
  return reshape(componentForward(net, layers, netInputs(net, X)), [X.shape[0]!]);
}
