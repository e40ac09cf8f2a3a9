import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as C from '../../src/core/index.ts';
import * as nn from '../../src/nn/index.ts';
import { characterVocabulary } from '../../src/llm/gguf/llama-model.ts';
import { loadGgufModel } from '../../src/llm/backends/gguf.ts';

test('an exported transformer runs in llama.cpp with the same next-token distribution as our forward pass', async () => {
  const vocabulary = characterVocabulary([...'0123456789,- ']);
  const cfg: nn.TransformerConfig = { vocab: vocabulary.tokens.length, dim: 16, layers: 2, heads: 2, hidden: 24, context: 32, dtype: 'float32' };
  const params = nn.transformerInit(new C.Rng(4), cfg);
  const file = join(mkdtempSync(join(tmpdir(), 'strata-export-')), 'tiny.gguf');
  await nn.exportTransformerGguf(file, params, cfg, vocabulary, 'strata-test-tiny');
  const model = await loadGgufModel(file, { kvCacheType: 'F32' });
  try {
    const ids = [1, 4, 5, 15, 6, 3, 14];
    const dist = await model.nextTokenDistribution({ tokens: ids });
    const ours = nn.logSoftmax(nn.transformer(params, cfg, C.tensor(Int32Array.from(ids), [1, ids.length]))).slice(0, ids.length - 1).values();
    assert.equal(dist.entries.length, cfg.vocab);
    let maxErr = 0;
    for (const e of dist.entries) maxErr = Math.max(maxErr, Math.abs(e.logprob - ours[e.id!]!));
    // float32 end to end on both sides: agreement to ~1e-5 in log-probability.
    assert.ok(maxErr < 1e-4, `max |Δ log p| = ${maxErr}`);
    assert.deepEqual(await model.tokenize('12,-3', { addBos: false }), [4, 5, 13, 14, 6]);
  } finally {
    await model.close();
  }
});
