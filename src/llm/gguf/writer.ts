/**
 * GGUF v3 writer (ggml `docs/gguf.md`): header, typed key-values, tensor infos with dimensions in ggml order,
 * padding to the alignment, then tensor data. Used to export Strata's own models for llama.cpp.
 */
import { writeFile } from 'node:fs/promises';
import { ArgumentError } from '../../core/index.ts';
import {
  GGML_TYPES, GGML_TYPE_F32, GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC, GGUF_VALUE_TYPES, alignUp, ggmlTensorBytes,
  type GgufScalarType, type GgufValue,
} from './format.ts';

/** A tensor to write: F32 values, or raw bytes of any ggml type (to copy tensors from another file unchanged). */
export type GgufTensorInput =
  | { name: string; dims: readonly number[]; data: Float32Array }
  | { name: string; dims: readonly number[]; type: number; raw: Uint8Array };

export interface GgufWriteInput {
  /** Key-values in file order. `general.alignment`, when present, sets the data alignment. */
  metadata: Map<string, GgufValue> | Record<string, GgufValue>;
  tensors: readonly GgufTensorInput[];
}

class ByteSink {
  private chunks: Uint8Array[] = [];
  private current = new Uint8Array(1 << 16);
  private view = new DataView(this.current.buffer);
  private pos = 0;
  length = 0;
  private ensure(n: number): void {
    if (this.pos + n <= this.current.length) return;
    this.chunks.push(this.current.subarray(0, this.pos));
    this.current = new Uint8Array(Math.max(1 << 16, n));
    this.view = new DataView(this.current.buffer);
    this.pos = 0;
  }
  private step(n: number): number { this.ensure(n); const p = this.pos; this.pos += n; this.length += n; return p; }
  u8(v: number): void { this.view.setUint8(this.step(1), v); }
  i8(v: number): void { this.view.setInt8(this.step(1), v); }
  u16(v: number): void { this.view.setUint16(this.step(2), v, true); }
  i16(v: number): void { this.view.setInt16(this.step(2), v, true); }
  u32(v: number): void { this.view.setUint32(this.step(4), v, true); }
  i32(v: number): void { this.view.setInt32(this.step(4), v, true); }
  f32(v: number): void { this.view.setFloat32(this.step(4), v, true); }
  f64(v: number): void { this.view.setFloat64(this.step(8), v, true); }
  u64(v: bigint | number): void { this.view.setBigUint64(this.step(8), BigInt(v), true); }
  i64(v: bigint | number): void { this.view.setBigInt64(this.step(8), BigInt(v), true); }
  bytes(b: Uint8Array): void { const p = this.step(b.length); this.current.set(b, p); }
  string(s: string): void { const b = Buffer.from(s, 'utf8'); this.u64(b.length); this.bytes(b); }
  pad(alignment: number): void { const n = alignUp(this.length, alignment) - this.length; if (n) this.bytes(new Uint8Array(n)); }
  finish(): Uint8Array {
    this.chunks.push(this.current.subarray(0, this.pos));
    return Buffer.concat(this.chunks);
  }
}

function writeScalar(sink: ByteSink, type: GgufScalarType, v: unknown, key: string): void {
  const bad = (): never => {
    throw new ArgumentError(`writeGguf: metadata "${key}" declares type ${type} but holds ${typeof v} ${String(v).slice(0, 40)}`);
  };
  switch (type) {
    case 'string': if (typeof v !== 'string') bad(); sink.string(v as string); return;
    case 'bool': if (typeof v !== 'boolean') bad(); sink.u8(v ? 1 : 0); return;
    case 'u64': case 'i64':
      if (typeof v !== 'bigint' && !Number.isInteger(v)) bad();
      if (type === 'u64') sink.u64(v as bigint); else sink.i64(v as bigint);
      return;
    default: {
      if (typeof v !== 'number' || Number.isNaN(v)) bad();
      const n = v as number;
      if (type !== 'f32' && type !== 'f64' && !Number.isInteger(n)) bad();
      if (type === 'u8') sink.u8(n); else if (type === 'i8') sink.i8(n); else if (type === 'u16') sink.u16(n);
      else if (type === 'i16') sink.i16(n); else if (type === 'u32') sink.u32(n); else if (type === 'i32') sink.i32(n);
      else if (type === 'f32') sink.f32(n); else sink.f64(n);
    }
  }
}

/** Encode a GGUF v3 file in memory. */
export function encodeGguf(input: GgufWriteInput): Uint8Array {
  const entries = input.metadata instanceof Map ? [...input.metadata] : Object.entries(input.metadata);
  const alignEntry = entries.find(([k]) => k === 'general.alignment')?.[1];
  const alignment = alignEntry && alignEntry.type !== 'array' ? Number(alignEntry.value) : GGUF_DEFAULT_ALIGNMENT;
  if (!Number.isInteger(alignment) || alignment <= 0 || alignment % 8 !== 0) {
    throw new ArgumentError(`writeGguf: general.alignment must be a positive multiple of 8, got ${alignment}`);
  }
  const sink = new ByteSink();
  sink.u32(GGUF_MAGIC);
  sink.u32(3);
  sink.u64(input.tensors.length);
  sink.u64(entries.length);
  for (const [key, value] of entries) {
    sink.string(key);
    sink.u32(GGUF_VALUE_TYPES[value.type]);
    if (value.type === 'array') {
      sink.u32(GGUF_VALUE_TYPES[value.itemType]);
      sink.u64(value.value.length);
      for (const item of value.value) writeScalar(sink, value.itemType, item, key);
    } else {
      writeScalar(sink, value.type, value.value, key);
    }
  }
  const payloads: Uint8Array[] = [];
  let offset = 0;
  const names = new Set<string>();
  for (const t of input.tensors) {
    if (names.has(t.name)) throw new ArgumentError(`writeGguf: tensor name "${t.name}" is used twice`);
    names.add(t.name);
    if (t.dims.length < 1 || t.dims.length > 4 || t.dims.some((d) => !Number.isInteger(d) || d <= 0)) {
      throw new ArgumentError(`writeGguf: tensor "${t.name}" dims [${t.dims.join(', ')}] must be 1 to 4 positive integers`);
    }
    const type = 'data' in t ? GGML_TYPE_F32 : t.type;
    const expected = ggmlTensorBytes(type, t.dims);
    if (typeof expected === 'string') throw new ArgumentError(`writeGguf: tensor "${t.name}": ${expected}`);
    let payload: Uint8Array;
    if ('data' in t) {
      const n = t.dims.reduce((a, b) => a * b, 1);
      if (t.data.length !== n) {
        throw new ArgumentError(`writeGguf: tensor "${t.name}" has ${t.data.length} values but dims [${t.dims.join(', ')}] need ${n}`);
      }
      payload = new Uint8Array(n * 4);
      const dv = new DataView(payload.buffer);
      for (let i = 0; i < n; i++) dv.setFloat32(4 * i, t.data[i]!, true);
    } else {
      if (t.raw.length !== expected) {
        throw new ArgumentError(`writeGguf: tensor "${t.name}" (${GGML_TYPES[type]![0]}) has ${t.raw.length} bytes, expected ${expected}`);
      }
      payload = t.raw;
    }
    sink.string(t.name);
    sink.u32(t.dims.length);
    for (const d of t.dims) sink.u64(d);
    sink.u32(type);
    sink.u64(offset);
    payloads.push(payload);
    offset = alignUp(offset + payload.length, alignment);
  }
  sink.pad(alignment);
  for (const p of payloads) {
    sink.bytes(p);
    sink.pad(alignment);
  }
  return sink.finish();
}

/** Write a GGUF v3 file. */
export async function writeGguf(path: string, input: GgufWriteInput): Promise<void> {
  await writeFile(path, encodeGguf(input));
}
