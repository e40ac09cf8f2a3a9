import {
  Tensor, pushRecorder, popRecorder, add, ones, type Recorder, shapeStr, sameShape, ArgumentError, StrataError,
} from '../core/index.ts';
import { VJP } from './rules.ts';

interface Node {
  op: string;
  inputs: readonly Tensor[];
  output: Tensor;
  params: Readonly<Record<string, unknown>>;
}

/**
 * A tape records the primitives applied to tensors derived from its tracked leaves, then runs them backwards.
 * Tapes nest: a backward pass run while an outer tape records is itself recorded there, which is how
 * higher-order derivatives and jvp (by double-vjp) work. A tape stops recording during its own backward pass and
 * is dropped by its owner afterwards, so nothing outlives one gradient computation.
 */
export class Tape implements Recorder {
  private readonly nodes: Node[] = [];
  private readonly tracked = new Set<Tensor>();
  private active = false;

  track(x: Tensor): void {
    this.tracked.add(x);
  }

  start(): void {
    this.active = true;
    pushRecorder(this);
  }

  stop(): void {
    this.active = false;
    popRecorder(this);
  }

  record(op: string, inputs: readonly Tensor[], output: Tensor, params: Readonly<Record<string, unknown>>): void {
    if (!this.active) return;
    for (let i = 0; i < inputs.length; i++) {
      if (this.tracked.has(inputs[i]!)) {
        this.nodes.push({ op, inputs, output, params });
        this.tracked.add(output);
        return;
      }
    }
  }

  isTracked(x: Tensor): boolean {
    return this.tracked.has(x);
  }

  /** Cotangents of `wrt` given the cotangent `seed` of `output` (zeros-free: null where no path exists). */
  backward(output: Tensor, seed: Tensor, wrt: readonly Tensor[]): (Tensor | null)[] {
    if (!sameShape(seed.shape, output.shape)) {
      throw new ArgumentError(`vjp: cotangent has shape ${shapeStr(seed.shape)}, expected the output's shape ${shapeStr(output.shape)}`);
    }
    const wasActive = this.active;
    if (wasActive) this.stop();
    const cot = new Map<Tensor, Tensor>();
    cot.set(output, seed);
    for (let n = this.nodes.length - 1; n >= 0; n--) {
      const node = this.nodes[n]!;
      const g = cot.get(node.output);
      if (g === undefined) continue;
      const rule = VJP[node.op];
      if (!rule) throw new StrataError(`autodiff: no reverse-mode rule for primitive '${node.op}'`);
      const needs = node.inputs.map((x) => this.tracked.has(x));
      const gs = rule({ g, inputs: node.inputs, out: node.output, params: node.params, needs });
      for (let i = 0; i < node.inputs.length; i++) {
        const gi = gs[i];
        if (!gi || !needs[i]) continue;
        const x = node.inputs[i]!;
        const prev = cot.get(x);
        cot.set(x, prev ? add(prev, gi) : gi);
      }
    }
    return wrt.map((x) => cot.get(x) ?? null);
  }

  static seedFor(output: Tensor): Tensor {
    return ones(output.shape, output.dtype);
  }
}
