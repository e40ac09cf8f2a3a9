/**
 * The parent side of the demo's worker processes: one `ExperimentWorker` is one forked Node process (running
 * `worker.ts` under tsx's loader) that runs one experiment at a time and is reused for the next. Processes rather
 * than threads so that an experiment that crashes its process (a native abort in llama.cpp, an out-of-memory) costs
 * that experiment only; its record says so and a fresh worker takes the next one.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ExperimentContext, ProgressSink } from './contract.ts';
import type { Outcome, RegistryRef } from './runner.ts';

/** parent → worker */
export interface RunRequest {
  type: 'run';
  id: number;
  registry: RegistryRef;
  name: string;
  ctx: Omit<ExperimentContext, 'progress'>;
}

/** worker → parent */
export type WorkerMessage =
  | { type: 'progress'; id: number; done: number; total: number; label?: string }
  | { type: 'log'; id: number; message: string }
  | { type: 'done'; id: number; outcome: Outcome };

// Inside the repository the sources run through tsx; the published package runs compiled JavaScript and has no tsx.
const fromSources = import.meta.url.endsWith('.ts');
const workerEntry = fileURLToPath(new URL(fromSources ? './worker.ts' : './worker.js', import.meta.url));
let tsxLoader: string | undefined;
function workerExecArgv(): string[] {
  if (!fromSources) return [];
  tsxLoader ??= pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return ['--import', tsxLoader];
}

export class ExperimentWorker {
  private readonly child: ChildProcess;
  private nextId = 1;
  private current: { id: number; name: string; progress: ProgressSink; resolve(o: Outcome): void; startedAt: number } | null = null;
  /** True once the process has exited; a dead worker is replaced, never reused. */
  dead = false;
  private exitReason = '';

  constructor(onOutput: (text: string) => void) {
    // 'advanced' serialization (structured clone) so results cross the process boundary exactly as an in-process
    // run would hold them (NaN, ±Infinity and -0 survive; JSON would turn them into null or 0).
    this.child = fork(workerEntry, [], {
      execArgv: workerExecArgv(),
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.child.stdout!.setEncoding('utf8').on('data', onOutput);
    this.child.stderr!.setEncoding('utf8').on('data', onOutput);
    this.child.on('message', (m: WorkerMessage) => this.onMessage(m));
    this.child.on('error', (error) => {
      this.exitReason = `could not run the worker process: ${error.message}`;
      this.onExit();
    });
    this.child.on('exit', (code, signal) => {
      this.exitReason ||= signal !== null ? `the worker process was killed by ${signal}` : `the worker process exited with code ${code}`;
      this.onExit();
    });
  }

  /** Runs one experiment of `registry` in this worker; resolves (never rejects) with its outcome. */
  run(registry: RegistryRef, name: string, ctx: Omit<ExperimentContext, 'progress'>, progress: ProgressSink): Promise<Outcome> {
    if (this.current !== null) throw new Error('ExperimentWorker.run: this worker is busy');
    return new Promise<Outcome>((resolve) => {
      const id = this.nextId++;
      this.current = { id, name, progress, resolve, startedAt: performance.now() };
      if (this.dead) {
        this.onExit();
        return;
      }
      const request: RunRequest = { type: 'run', id, registry, name, ctx };
      this.child.send(request);
    });
  }

  close(): void {
    if (!this.dead) this.child.disconnect?.();
  }

  private onMessage(m: WorkerMessage): void {
    const current = this.current;
    if (current === null || m.id !== current.id) return;
    if (m.type === 'progress') current.progress.update(m.done, m.total, m.label);
    else if (m.type === 'log') current.progress.log(m.message);
    else {
      this.current = null;
      current.resolve(m.outcome);
    }
  }

  private onExit(): void {
    this.dead = true;
    const current = this.current;
    if (current === null) return;
    this.current = null;
    current.resolve({
      ok: false,
      error: { name: 'RuntimeFailure', message: `experiment '${current.name}' did not finish: ${this.exitReason}` },
      seconds: (performance.now() - current.startedAt) / 1000,
    });
  }
}
