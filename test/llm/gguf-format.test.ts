import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeGguf, writeGguf } from '../../src/llm/gguf/writer.ts';
import { readGguf, readGgufHeader, ggufTensorToFloat32, validateForLlamaCpp, halfToFloat } from '../../src/llm/gguf/reader.ts';
import { gguf } from '../../src/llm/gguf/format.ts';
import { characterVocabulary, llamaGgufMetadata, llamaGgufTensors } from '../../src/llm/gguf/llama-model.ts';
import { InvalidGgufError, ModelNotFoundError } from '../../src/llm/errors.ts';
import { ArgumentError } from '../../src/core/errors.ts';
import { STORIES_PATH, STORIES_SKIP, tinyCharModel } from './fixtures.ts';

const dir = await mkdtemp(join(tmpdir(), 'strata-gguf-'));

test('writeGguf then readGguf returns every metadata type and tensor unchanged', async () => {
  const path = join(dir, 'types.gguf');
  const metadata = new Map([
    ['a.u8', { type: 'u8', value: 200 }], ['a.i8', { type: 'i8', value: -5 }], ['a.u16', { type: 'u16', value: 60000 }],
    ['a.i16', { type: 'i16', value: -300 }], ['a.u32', gguf.u32(4000000000)], ['a.i32', gguf.i32(-7)],
    ['a.f32', gguf.f32(1.5)], ['a.f64', { type: 'f64', value: Math.PI }], ['a.u64', gguf.u64(2n ** 40n)],
    ['a.i64', { type: 'i64', value: -(2n ** 40n) }], ['a.bool', gguf.bool(true)], ['a.str', gguf.str('héllo ▁')],
    ['a.arr', gguf.arr('string', ['x', '', 'yz'])], ['a.farr', gguf.arr('f32', [0.5, -2])],
  ] as const);
  const t1 = Float32Array.from({ length: 6 }, (_, i) => i - 2.25);
  const t2 = Float32Array.from([7]);
  await writeGguf(path, { metadata: new Map(metadata as never), tensors: [{ name: 'w', dims: [3, 2], data: t1 }, { name: 'b', dims: [1], data: t2 }] });
  const f = await readGguf(path);
  assert.equal(f.version, 3);
  for (const [k, v] of metadata) assert.deepEqual(f.metadata.get(k), v, k);
  assert.deepEqual([...f.metadata.keys()], [...metadata.keys()]);
  assert.deepEqual(f.tensors.map((t) => [t.name, t.dims, t.typeName, t.offset % 32]), [['w', [3, 2], 'F32', 0], ['b', [1], 'F32', 0]]);
  assert.deepEqual(ggufTensorToFloat32(f, 'w'), t1);
  assert.deepEqual(ggufTensorToFloat32(f, 'b'), t2);
  assert.equal(f.dataOffset % 32, 0);
});

test('halfToFloat decodes normal, subnormal and special binary16 values', () => {
  assert.equal(halfToFloat(0x3c00), 1);
  assert.equal(halfToFloat(0xc000), -2);
  assert.equal(halfToFloat(0x0001), 2 ** -24);
  assert.equal(halfToFloat(0x7c00), Infinity);
  assert.ok(Number.isNaN(halfToFloat(0x7e00)));
});

test('encodeGguf rejects a tensor whose value count does not match its dims', () => {
  assert.throws(() => encodeGguf({ metadata: {}, tensors: [{ name: 'w', dims: [3, 2], data: new Float32Array(5) }] }),
    (e: unknown) => e instanceof ArgumentError && /"w" has 5 values but dims \[3, 2\] need 6/.test(e.message));
  assert.throws(() => encodeGguf({ metadata: { k: { type: 'u32', value: 1.5 } }, tensors: [] }), /declares type u32/);
});

test('readGgufHeader refuses a missing file with ModelNotFoundError', async () => {
  await assert.rejects(readGgufHeader(join(dir, 'nope.gguf')), (e: unknown) => e instanceof ModelNotFoundError && /nope\.gguf does not exist/.test(e.message));
});

test('readGgufHeader refuses a non-GGUF file naming the magic it found', async () => {
  const path = join(dir, 'text.gguf');
  await writeFile(path, 'this is just a text file pretending to be a model\n'.repeat(4));
  await assert.rejects(readGgufHeader(path), (e: unknown) => e instanceof InvalidGgufError && /magic bytes "GGUF" \(found "this"\)/.test(e.message));
});

test('readGgufHeader refuses an unsupported version and absurd counts', async () => {
  const ok = encodeGguf({ metadata: { 'general.name': gguf.str('x') }, tensors: [{ name: 't', dims: [4], data: new Float32Array(4) }] });
  const v1 = Buffer.from(ok); v1.writeUInt32LE(1, 4);
  await writeFile(join(dir, 'v1.gguf'), v1);
  await assert.rejects(readGgufHeader(join(dir, 'v1.gguf')), /version 1 is not supported/);
  const huge = Buffer.from(ok); huge.writeBigUInt64LE(2n ** 60n, 16);
  await writeFile(join(dir, 'huge.gguf'), huge);
  await assert.rejects(readGgufHeader(join(dir, 'huge.gguf')), /metadata key-value count is \d+, more than the file can hold/);
  const badType = Buffer.from(ok);
  // The only tensor info: u64 name length 1, "t", u32 n_dims 1, u64 dim 4, then the u32 type.
  const infoStart = Buffer.from(ok).indexOf(Buffer.from([1, 0, 0, 0, 0, 0, 0, 0, 't'.charCodeAt(0), 1, 0, 0, 0]));
  const tensorTypePos = infoStart + 9 + 4 + 8;
  badType.writeUInt32LE(999, tensorTypePos);
  await writeFile(join(dir, 'badtype.gguf'), badType);
  await assert.rejects(readGgufHeader(join(dir, 'badtype.gguf')), /tensor "t": unknown ggml tensor type 999/);
});

test('readGgufHeader refuses a truncated stories260K copy (data and header cut)', { skip: STORIES_SKIP }, async () => {
  const bytes = await readFile(STORIES_PATH);
  await writeFile(join(dir, 'half.gguf'), bytes.subarray(0, bytes.length >> 1));
  await assert.rejects(readGgufHeader(join(dir, 'half.gguf')), (e: unknown) => e instanceof InvalidGgufError && /needs bytes up to \d+ but the file has \d+: the file is truncated/.test(e.message));
  await writeFile(join(dir, 'head.gguf'), bytes.subarray(0, 5000));
  await assert.rejects(readGgufHeader(join(dir, 'head.gguf')), /header runs past the end of the file/);
});

test('readGguf reads stories260K: llama metadata and F32 tensors in ggml order', { skip: STORIES_SKIP }, async () => {
  const f = await readGguf(STORIES_PATH);
  assert.equal(f.metadata.get('general.architecture')?.value, 'llama');
  assert.equal(f.metadata.get('llama.embedding_length')?.value, 64);
  const embd = f.tensors.find((t) => t.name === 'token_embd.weight')!;
  assert.deepEqual(embd.dims, [64, 512]);
  const values = ggufTensorToFloat32(f, 'token_embd.weight');
  assert.equal(values.length, 64 * 512);
  assert.ok(values.every(Number.isFinite));
  validateForLlamaCpp(f);
});

test('validateForLlamaCpp refuses a llama file without feed_forward_length or byte tokens', async () => {
  const { cfg, weights } = tinyCharModel(1);
  const meta = llamaGgufMetadata(cfg);
  meta.delete('llama.feed_forward_length');
  await writeGguf(join(dir, 'noff.gguf'), { metadata: meta, tensors: llamaGgufTensors(cfg, weights) });
  await assert.rejects(readGgufHeader(join(dir, 'noff.gguf')).then(validateForLlamaCpp), /llama\.feed_forward_length is required/);
  const vocab = characterVocabulary(['a']);
  const cut = { ...vocab, tokens: vocab.tokens.slice(0, -1), scores: vocab.scores.slice(0, -1), tokenTypes: vocab.tokenTypes.slice(0, -1) };
  const cfg2 = { ...cfg, vocabulary: cut };
  const w2 = { ...weights, tokenEmbedding: new Float32Array(cut.tokens.length * 32), output: undefined };
  await writeGguf(join(dir, 'nobytes.gguf'), { metadata: llamaGgufMetadata(cfg2), tensors: llamaGgufTensors(cfg2, w2) });
  await assert.rejects(readGgufHeader(join(dir, 'nobytes.gguf')).then(validateForLlamaCpp), /<0xFF> is missing/);
});

test('characterVocabulary rejects multi-character and repeated symbols', () => {
  assert.throws(() => characterVocabulary(['ab']), /exactly one character/);
  assert.throws(() => characterVocabulary(['a', 'a']), /appears twice/);
  const v = characterVocabulary(['1', ' ']);
  assert.deepEqual(v.tokens.slice(0, 5), ['<unk>', '<s>', '</s>', '1', '\u2581']);
  assert.equal(v.tokens.length, 5 + 256);
});
