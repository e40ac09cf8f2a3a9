// @ts-check
/**
 * The helper thread of a staged kernel (see helper.ts): it instantiates the shared-memory build on the owner's
 * memory, raises the ready flag, tells the owner by a message (for `whenReady`), then serves products forever:
 * wait for a new request generation in ctl[0], run the kernel named in ctl[9] (0 symv, 1 spmv) on the arguments
 * ctl[3..8], publish the generation in ctl[1].
 *
 * Plain JavaScript on purpose: Node 20 does not apply the parent's module hooks (tsx's `--import` loader) to a
 * worker's entry file, so a `.ts` entry fails with "Unknown file extension"; an `.mjs` file loads under tsx, under
 * plain Node and in a bundle alike. It holds no logic beyond the hand-off loop.
 */
import { parentPort, workerData } from 'node:worker_threads';

/** @type {{ module: WebAssembly.Module, memory: WebAssembly.Memory, ctlOff: number }} */
const { module, memory, ctlOff } = workerData;
const ex = /** @type {Record<string, (...a: number[]) => void>} */ (new WebAssembly.Instance(module, { env: { memory } }).exports);
const spmv = ex.spmv, symv = ex.symv;
const c = new Int32Array(memory.buffer, ctlOff, 10);
Atomics.store(c, 2, 1);
parentPort?.postMessage('ready');
let seen = Atomics.load(c, 0);
for (;;) {
  Atomics.wait(c, 0, seen);
  const g = Atomics.load(c, 0);
  if (g === seen) continue;
  seen = g;
  if (c[9] === 1) spmv(c[3], c[4], c[5], c[6], c[7], c[8]);
  else symv(c[3], c[4], c[5], c[6], c[7], c[8]);
  Atomics.store(c, 1, g);
  Atomics.notify(c, 1);
}
