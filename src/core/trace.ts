import type { Tensor } from './tensor.ts';

/**
 * The single extension point of the core: every primitive op reports its application here after computing it.
 * The autodiff module installs tapes as recorders; with none installed the cost is one length check per op.
 * Core never imports autodiff: it only knows this interface.
 */
export interface Recorder {
  record(op: string, inputs: readonly Tensor[], output: Tensor, params: Readonly<Record<string, unknown>>): void;
}

const recorders: Recorder[] = [];

export function pushRecorder(r: Recorder): void {
  recorders.push(r);
}

export function popRecorder(r: Recorder): void {
  const i = recorders.lastIndexOf(r);
  if (i >= 0) recorders.splice(i, 1);
}

export function emit(op: string, inputs: readonly Tensor[], output: Tensor, params: Readonly<Record<string, unknown>> = {}): Tensor {
  for (let i = 0; i < recorders.length; i++) recorders[i]!.record(op, inputs, output, params);
  return output;
}

/** Runs `fn` with recording suspended (for values that must not be differentiated: optimizer updates, metrics). */
export function noGrad<T>(fn: () => T): T {
  const saved = recorders.splice(0, recorders.length);
  try {
    return fn();
  } finally {
    recorders.push(...saved);
  }
}
