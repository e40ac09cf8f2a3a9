import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, ArgumentError, NonFiniteError, Tensor } from '../../src/core/index.ts';
import {
  computeBound, projectors, subspace, fullParameters, trainCoordinates, subsamplingBound, occamBound, smoothingRange, quantize, codeLength,
  type DocumentStats,
} from '../../src/bounds/index.ts';
import { loadBoundsCorpus, VOCAB_SIZE, encodeDocument, parseFortunes } from '../../src/experiments/bounds/data.ts';
import { charMlpInit, predictDocument, WindowSampler, windowLoss } from '../../src/experiments/bounds/char-mlp.ts';

// A miniature of spec §5 on the embedded corpus: small enough for a unit test, real training and real bounds.
const corpus = loadBoundsCorpus({ sharedDataDir: null, seed: 3, fallbackDocs: 600 });
const [rInit, rData] = new Rng(3).split(2);
const theta0 = charMlpInit(rInit!);
const D = fullParameters(theta0).size;
const par = subspace(theta0, { projector: projectors.kronQR(D, 300, { seed: 137 }) });
const sampler = new WindowSampler(corpus.train, rData!);
trainCoordinates(par, (p) => windowLoss(p, sampler.next(64)), { steps: 60, optimizer: { kind: 'adam', lr: 0.05 } });
const model = { parameterisation: par, predict: predictDocument, vocabSize: VOCAB_SIZE, identity: 'test' };

test('computeBound on the miniature: every bound ≥ the held-out risk of the same quantised model (a violation is a bug)', async () => {
  const r = await computeBound(model, corpus.train, { n: 200, topK: [1, 5], heldOut: corpus.heldOut, klInverse: true, seed: 1 });
  assert.equal(r.mode, 'subsampled');
  assert.equal(r.rows.length, 8 + 2 * 2);
  for (const row of r.rows) {
    assert.ok(row.heldOut !== null && row.bound >= row.heldOut, `${row.loss} ${row.alpha ?? row.k} ${row.form}: bound ${row.bound} < held-out ${row.heldOut}`);
    assert.equal(row.vacuous, row.bound >= row.randomGuess);
  }
  // The reported row is the formula applied to the reported numbers.
  const t1 = r.top1!;
  const again = subsamplingBound({ empirical: t1.empirical, kBits: r.code.prefixFree + 7, m: r.m, n: 200, range: 1, delta: 0.05 });
  assert.ok(Math.abs(again.bound - t1.bound) < 1e-12);
  assert.equal(t1.kBits, r.code.prefixFree + 7);
  const bpd = r.rows.find((x) => x.loss === 'bpd' && x.alpha === 0.5)!;
  assert.equal(bpd.range, smoothingRange(0.5, VOCAB_SIZE));
  assert.equal(bpd.extraBits, 7 + 3);
  // K is the code length of the quantised coordinates.
  assert.equal(r.code.prefixFree, codeLength(quantize(par.coords.data as Float64Array, { levels: 11 })).prefixFree);
});

test('computeBound full evaluation uses the Occam form over all m documents; reference compat charges α cumulatively', async () => {
  const r = await computeBound(model, corpus.train.slice(0, 120), { n: 'all', topK: [1], compat: 'reference' });
  assert.equal(r.mode, 'full');
  assert.equal(r.n, 120);
  const t1 = r.top1!;
  assert.ok(Math.abs(occamBound({ empirical: t1.empirical, kBits: t1.kBits, m: 120, range: 1, delta: 0.05 }).bound - t1.bound) < 1e-12);
  const bpd = r.rows.filter((x) => x.loss === 'bpd');
  assert.deepEqual(bpd.map((x) => x.extraBits), [15, 23, 31, 39, 47, 55, 63, 71]);
});

test('computeBound resumes from a store: a second run scores no document again and reports the same bound', async () => {
  const mem = new Map<string, DocumentStats>();
  const store = { get: (k: string) => mem.get(k), put: (k: string, v: DocumentStats) => void mem.set(k, v) };
  const a = await computeBound(model, corpus.train, { n: 50, store, seed: 2 });
  const b = await computeBound(model, corpus.train, { n: 50, store, seed: 2 });
  assert.ok(a.evaluated > 0); // (identical documents share one entry, so even the first run may hit)
  assert.equal(b.evaluated, 0);
  assert.equal(b.top1!.bound, a.top1!.bound);
});

test('computeBound spec §2.6 edge cases are errors naming the argument', async () => {
  await assert.rejects(computeBound(model, corpus.train.slice(0, 10), { n: 11 }), (e: unknown) => e instanceof ArgumentError && /n = 11 exceeds m = 10/.test((e as Error).message));
  await assert.rejects(computeBound(model, corpus.train, { alphas: [0] }), /alphas must be values in \(0, 1\)/);
  await assert.rejects(computeBound(model, corpus.train, { alphas: [1.5] }), /alphas/);
  await assert.rejects(computeBound(model, [new Int32Array(0)], { n: 1 }), /document 0 has no predicted tokens/);
  const nanModel = { ...model, predict: (p: typeof theta0, doc: Int32Array) => ({ logits: new Tensor(new Float32Array(doc.length * VOCAB_SIZE).fill(NaN), [doc.length, VOCAB_SIZE]), targets: doc }) };
  await assert.rejects(computeBound(nanModel, [corpus.train[0]!, corpus.train[1]!], { n: 'all' }), (e: unknown) => e instanceof NonFiniteError && /document 0/.test((e as Error).message));
  assert.throws(() => projectors.kronQR(D, D + 1, { seed: 0 }), /exceeds D/);
});

test('a constant coordinate vector (all w equal) is valid: one symbol, entropy 0, finite bound', async () => {
  const flat = subspace(theta0, { projector: projectors.kronQR(D, 50, { seed: 137 }) });
  (flat.coords.data as Float64Array).fill(0.01);
  const r = await computeBound({ ...model, parameterisation: flat }, corpus.train, { n: 20 });
  assert.equal(r.quantized!.counts.filter((c) => c > 0).length, 1);
  assert.ok(Number.isFinite(r.top1!.bound));
});

test('fortune parsing: %-lines split documents; tab → space, overstrike X\\bY → Y, other bytes → ?', () => {
  assert.deepEqual(parseFortunes('a\n%\nb b\nc\n%\n%\nd\n'), ['a', 'b b\nc', 'd']);
  const ids = encodeDocument('a\tb_\bc\u00e9\n');
  assert.equal(ids.length, 6);
  assert.deepEqual(Array.from(ids), [65, 0, 66, 67, 31, 95]);
});
