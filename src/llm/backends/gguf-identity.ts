/** A GGUF model's identity, computable without loading node-llama-cpp (replay needs it with no model). */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/**
 * The identity a GGUF file's model has in cache keys and replay: its content hash, so a changed file never serves
 * stale answers and a renamed one keeps them.
 */
export async function ggufIdentity(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return `gguf:sha256:${hash.digest('hex')}`;
}
