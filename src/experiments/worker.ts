/**
 * Entry point of one demo worker process (forked by `worker-pool.ts`, run under tsx's loader). It imports the
 * registry module it is told about, runs the named experiment exactly as the in-process runner would (`runOne`:
 * same context, same validation), forwards progress over IPC, and waits for the next request. It exits when the
 * parent disconnects or goes away, so no worker outlives a demo run.
 */
import type { Experiment, ProgressSink } from './contract.ts';
import { runOne, type Outcome } from './runner.ts';
import type { RunRequest, WorkerMessage } from './worker-pool.ts';

if (typeof process.send !== 'function') {
  throw new Error('src/experiments/worker.ts is a demo worker process; it is started by the runner, not by hand');
}

const send = (m: WorkerMessage) => process.send!(m);
const registries = new Map<string, Promise<readonly Experiment[]>>();

function loadRegistry(module: string, exportName: string): Promise<readonly Experiment[]> {
  const key = `${module}#${exportName}`;
  let p = registries.get(key);
  if (!p) {
    p = import(module).then((m: Record<string, unknown>) => {
      const list = m[exportName];
      if (!Array.isArray(list)) throw new Error(`worker: ${module} has no exported experiment list '${exportName}'`);
      return list as Experiment[];
    });
    registries.set(key, p);
  }
  return p;
}

async function handle(request: RunRequest): Promise<void> {
  const progress: ProgressSink = {
    update: (done, total, label) => send({ type: 'progress', id: request.id, done, total, ...(label !== undefined ? { label } : {}) }),
    log: (message) => send({ type: 'log', id: request.id, message }),
  };
  let outcome: Outcome;
  try {
    const all = await loadRegistry(request.registry.module, request.registry.exportName);
    const experiment = all.find((e) => e.name === request.name);
    if (experiment === undefined) throw new Error(`worker: no experiment named '${request.name}' in ${request.registry.module}`);
    outcome = await runOne(experiment, { ...request.ctx, progress });
  } catch (error) {
    outcome = { ok: false, error: { name: (error as Error).name ?? 'Error', message: (error as Error).message ?? String(error) }, seconds: 0 };
  }
  try {
    send({ type: 'done', id: request.id, outcome });
  } catch (error) {
    // A validated result is plain data, so this means something slipped through validation: still answer.
    send({ type: 'done', id: request.id, outcome: { ok: false, error: { name: 'RuntimeFailure', message: `experiment '${request.name}': its result could not be sent to the runner: ${(error as Error).message}` }, seconds: outcome.seconds } });
  }
}

process.on('message', (m: RunRequest) => {
  if (m?.type === 'run') void handle(m);
});
process.on('disconnect', () => process.exit(0));
