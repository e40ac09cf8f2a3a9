/**
 * A helper thread for one staged kernel, sharing that kernel's wasm memory. ctl (10 int32 in the shared memory):
 * [0] request generation, [1] done generation, [2] ready flag, [3..8] the kernel's six arguments, [9] which kernel
 * (0 symv, 1 spmv). One product is a few hundred µs to a few ms of streaming, so the hand-off is an Atomics counter,
 * not a message. The worker (worker.mjs, a real module file) is unref'd — it never keeps the process alive — and terminated when its
 * owner is collected. Until it reports ready, and once it has failed, its share runs on the calling thread; a worker
 * silent for 2 s inside a product is taken as dead (the caller is blocked in Atomics.wait then, so no event can say
 * so) and given up.
 */
import * as nodeWorkerModule from 'node:worker_threads';
import * as nodeOsModule from 'node:os';

const nodeWorkers: typeof nodeWorkerModule | null = nodeWorkerModule;
const nodeOs: typeof nodeOsModule | null = nodeOsModule;
export function availableCores(): number { return nodeOs?.availableParallelism?.() ?? 1; }

interface WorkerLike { ref(): void; unref(): void; terminate(): unknown; on(ev: string, f: (v?: unknown) => void): unknown }
const workerRegistry = typeof FinalizationRegistry === 'function' ? new FinalizationRegistry<WorkerLike>((w) => { void w.terminate(); }) : null;
const WORKER_URL = new URL('./worker.mjs', import.meta.url);
const SPLIT_KERNEL = { symv: 0, spmv: 1 } as const;

export class Helper {
  private gen = 0; private dead = false;
  private readonly started: Promise<boolean>;
  private constructor(private readonly ctl: Int32Array, private readonly worker: WorkerLike) {
    this.started = new Promise<boolean>((resolve) => {
      worker.on('message', (m) => { if (m === 'ready') resolve(true); });
      worker.on('error', () => { this.dead = true; resolve(false); });
      worker.on('exit', () => { this.dead = true; resolve(false); });
    });
  }
  /** A helper over `memory` with its ctl block at byte ctlOff; null without worker threads. */
  static start(module: object, memory: unknown, buf: ArrayBuffer, ctlOff: number, owner: object): Helper | null {
    if (!nodeWorkers) return null;
    try {
      const w = new nodeWorkers.Worker(WORKER_URL, { workerData: { module, memory, ctlOff } }) as unknown as WorkerLike;
      w.unref();
      workerRegistry?.register(owner, w);
      return new Helper(new Int32Array(buf, ctlOff, 10), w);
    } catch { return null; }
  }
  get ready(): boolean { return !this.dead && Atomics.load(this.ctl, 2) === 1; }
  /**
   * Resolves true when the worker has started, false when it failed to (an error or exit event). The worker is
   * ref'd while this is pending, so awaiting it keeps the process alive until one of those events arrives.
   */
  whenReady(): Promise<boolean> {
    if (this.ready) return Promise.resolve(true);
    if (this.dead) return Promise.resolve(false);
    this.worker.ref();
    return this.started.finally(() => this.worker.unref());
  }
  /** Starts `kernel(args)` on the helper; `finish()` must follow. */
  post(kernel: keyof typeof SPLIT_KERNEL, args: readonly number[]): void {
    const c = this.ctl;
    for (let t = 0; t < 6; t++) c[3 + t] = args[t]!;
    c[9] = SPLIT_KERNEL[kernel];
    Atomics.store(c, 0, ++this.gen); Atomics.notify(c, 0);
  }
  /** Waits for the posted kernel; false (and the helper is given up) when it stayed silent for 2 s. */
  finish(): boolean {
    const c = this.ctl, g = this.gen;
    for (let d = Atomics.load(c, 1); d !== g; d = Atomics.load(c, 1)) {
      if (Atomics.wait(c, 1, d, 2000) === 'timed-out') { this.dead = true; void this.worker.terminate(); return false; }
    }
    return true;
  }
}
