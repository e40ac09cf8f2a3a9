/**
 * GGUF reader and validator. Everything in the header is bounds-checked in TypeScript before llama.cpp sees the
 * file, because llama.cpp aborts the whole process on a malformed file instead of returning an error.
 * Format: ggml `docs/gguf.md` (v2/v3: u64 counts and string lengths, little-endian).
 */
import { open, stat } from 'node:fs/promises';
import { InvalidGgufError, ModelNotFoundError } from '../errors.ts';
import {
  GGML_TYPES, GGML_TYPE_BF16, GGML_TYPE_F16, GGML_TYPE_F32, GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC, SCALAR_TYPE_BY_CODE,
  alignUp, ggmlTensorBytes,
} from './format.ts';
import type { GgufScalarType, GgufValue } from './format.ts';

export interface GgufTensorInfo {
  name: string;
  /** Dimensions in ggml order: `dims[0]` is the fastest-varying (input features of a weight matrix). */
  dims: number[];
  /** ggml type code (0 = F32, 1 = F16, ...). */
  type: number;
  typeName: string;
  /** Byte offset of the data, relative to `dataOffset`. */
  offset: number;
  byteLength: number;
}

export interface GgufHeader {
  path: string;
  version: number;
  fileSize: number;
  metadata: Map<string, GgufValue>;
  tensors: GgufTensorInfo[];
  alignment: number;
  /** Absolute byte offset where tensor data starts. */
  dataOffset: number;
}

export interface GgufFile extends GgufHeader {
  /** Raw bytes of each tensor, by name (views into one buffer holding the file). */
  tensorData: Map<string, Uint8Array>;
}

class Truncated extends Error {}

class Cursor {
  pos = 0;
  private readonly view: DataView;
  constructor(private readonly bytes: Uint8Array, private readonly fail: (reason: string) => never) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  private need(n: number): void {
    if (this.pos + n > this.bytes.byteLength) throw new Truncated();
  }
  u8(): number { this.need(1); return this.view.getUint8(this.pos++); }
  i8(): number { this.need(1); return this.view.getInt8(this.pos++); }
  u16(): number { this.need(2); const v = this.view.getUint16(this.pos, true); this.pos += 2; return v; }
  i16(): number { this.need(2); const v = this.view.getInt16(this.pos, true); this.pos += 2; return v; }
  u32(): number { this.need(4); const v = this.view.getUint32(this.pos, true); this.pos += 4; return v; }
  i32(): number { this.need(4); const v = this.view.getInt32(this.pos, true); this.pos += 4; return v; }
  f32(): number { this.need(4); const v = this.view.getFloat32(this.pos, true); this.pos += 4; return v; }
  f64(): number { this.need(8); const v = this.view.getFloat64(this.pos, true); this.pos += 8; return v; }
  u64(): bigint { this.need(8); const v = this.view.getBigUint64(this.pos, true); this.pos += 8; return v; }
  i64(): bigint { this.need(8); const v = this.view.getBigInt64(this.pos, true); this.pos += 8; return v; }
  /** A u64 that must fit a JS number and not exceed `limit` (a bound derived from the file size). */
  count(what: string, limit: number): number {
    const v = this.u64();
    if (v > BigInt(limit)) this.fail(`${what} is ${v}, more than the file can hold (at most ${limit})`);
    return Number(v);
  }
  string(what: string, fileSize: number): string {
    const n = this.count(`length of ${what}`, fileSize);
    this.need(n);
    const s = Buffer.from(this.bytes.buffer, this.bytes.byteOffset + this.pos, n).toString('utf8');
    this.pos += n;
    return s;
  }
}

const SCALAR_SIZE: Record<GgufScalarType, number> = {
  u8: 1, i8: 1, u16: 2, i16: 2, u32: 4, i32: 4, f32: 4, bool: 1, string: 8, u64: 8, i64: 8, f64: 8,
};

function readScalar(c: Cursor, type: GgufScalarType, what: string, fileSize: number): number | bigint | boolean | string {
  switch (type) {
    case 'u8': return c.u8();
    case 'i8': return c.i8();
    case 'u16': return c.u16();
    case 'i16': return c.i16();
    case 'u32': return c.u32();
    case 'i32': return c.i32();
    case 'f32': return c.f32();
    case 'f64': return c.f64();
    case 'u64': return c.u64();
    case 'i64': return c.i64();
    case 'bool': return c.u8() !== 0;
    case 'string': return c.string(what, fileSize);
  }
}

function parseHeader(bytes: Uint8Array, path: string, fileSize: number): GgufHeader {
  const fail = (reason: string): never => { throw new InvalidGgufError(path, reason); };
  const c = new Cursor(bytes, fail);
  const magic = c.u32();
  if (magic !== GGUF_MAGIC) {
    const shown = Buffer.from(bytes.subarray(0, 4)).toString('latin1').replace(/[^\x20-\x7e]/g, '?');
    fail(`it does not start with the GGUF magic bytes "GGUF" (found "${shown}")`);
  }
  const version = c.u32();
  if (version !== 2 && version !== 3) fail(`GGUF version ${version} is not supported (expected 2 or 3)`);
  // Every tensor info takes at least 8+4+8+4+8 bytes and every key-value at least 8+4+1: bound the counts by the
  // file size so a corrupt count cannot make us allocate or loop for ever.
  const tensorCount = c.count('tensor count', Math.floor(fileSize / 32));
  const kvCount = c.count('metadata key-value count', Math.floor(fileSize / 13));
  const metadata = new Map<string, GgufValue>();
  for (let i = 0; i < kvCount; i++) {
    const key = c.string(`metadata key #${i}`, fileSize);
    const code = c.u32();
    const type = SCALAR_TYPE_BY_CODE[code] ?? fail(`metadata key "${key}" has unknown value type ${code}`);
    if (type === 'array') {
      const itemCode = c.u32();
      const itemType = SCALAR_TYPE_BY_CODE[itemCode] ?? fail(`metadata array "${key}" has unknown item type ${itemCode}`);
      if (itemType === 'array') throw new InvalidGgufError(path, `metadata array "${key}" holds nested arrays, which this reader does not support`);
      const n = c.count(`item count of "${key}"`, Math.floor(fileSize / SCALAR_SIZE[itemType]));
      const items: (number | bigint | boolean | string)[] = new Array(n);
      for (let j = 0; j < n; j++) items[j] = readScalar(c, itemType, `item ${j} of "${key}"`, fileSize);
      metadata.set(key, { type: 'array', itemType, value: items });
    } else {
      metadata.set(key, { type, value: readScalar(c, type, `value of "${key}"`, fileSize) } as GgufValue);
    }
  }
  const alignValue = metadata.get('general.alignment');
  const alignment = alignValue && alignValue.type !== 'array' ? Number(alignValue.value) : GGUF_DEFAULT_ALIGNMENT;
  if (!Number.isInteger(alignment) || alignment <= 0 || alignment % 8 !== 0) {
    fail(`general.alignment is ${alignment}; expected a positive multiple of 8`);
  }
  const tensors: GgufTensorInfo[] = [];
  const names = new Set<string>();
  for (let i = 0; i < tensorCount; i++) {
    const name = c.string(`name of tensor #${i}`, fileSize);
    if (names.has(name)) fail(`tensor name "${name}" appears twice`);
    names.add(name);
    const nDims = c.u32();
    if (nDims < 1 || nDims > 4) fail(`tensor "${name}" has ${nDims} dimensions (ggml allows 1 to 4)`);
    const dims: number[] = [];
    for (let d = 0; d < nDims; d++) dims.push(c.count(`dimension ${d} of tensor "${name}"`, fileSize * 8));
    const type = c.u32();
    // Bounded later against the file size, where a too-large offset is reported as truncation.
    const offset = c.count(`data offset of tensor "${name}"`, Number.MAX_SAFE_INTEGER);
    const bytesOrError = ggmlTensorBytes(type, dims);
    if (typeof bytesOrError === 'string') fail(`tensor "${name}": ${bytesOrError}`);
    if (offset % alignment !== 0) fail(`tensor "${name}" data offset ${offset} is not a multiple of the alignment ${alignment}`);
    tensors.push({ name, dims, type, typeName: GGML_TYPES[type]![0], offset, byteLength: bytesOrError as number });
  }
  const dataOffset = alignUp(c.pos, alignment);
  for (const t of tensors) {
    const end = dataOffset + t.offset + t.byteLength;
    if (end > fileSize) {
      fail(`tensor "${t.name}" (${t.typeName} [${t.dims.join(', ')}]) needs bytes up to ${end} but the file has ` +
        `${fileSize}: the file is truncated`);
    }
  }
  return { path, version, fileSize, metadata, tensors, alignment, dataOffset };
}

async function fileSizeOf(path: string, operation: string): Promise<number> {
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new Error('not a regular file');
    return s.size;
  } catch (e) {
    throw new ModelNotFoundError(operation, path, { cause: e });
  }
}

/**
 * Read and validate the header of a GGUF file (metadata and tensor infos) without reading tensor data. Throws
 * `ModelNotFoundError` when the file is missing and `InvalidGgufError` when it is not a well-formed GGUF file.
 */
export async function readGgufHeader(path: string): Promise<GgufHeader> {
  const fileSize = await fileSizeOf(path, 'readGgufHeader');
  if (fileSize < 24) {
    throw new InvalidGgufError(path, `the file has ${fileSize} bytes, fewer than the 24-byte GGUF header`);
  }
  const fh = await open(path, 'r');
  try {
    // Headers are usually a few MB (the vocabulary); read a prefix and grow it only when parsing runs past it.
    let length = Math.min(fileSize, 1 << 22);
    for (;;) {
      const bytes = new Uint8Array(length);
      await fh.read(bytes, 0, length, 0);
      try {
        return parseHeader(bytes, path, fileSize);
      } catch (e) {
        if (!(e instanceof Truncated)) throw e;
        if (length === fileSize) {
          throw new InvalidGgufError(path, `the header runs past the end of the file (${fileSize} bytes): the file is truncated`);
        }
        length = Math.min(fileSize, length * 4);
      }
    }
  } finally {
    await fh.close();
  }
}

/** Read a whole GGUF file: validated header plus the raw bytes of every tensor. */
export async function readGguf(path: string): Promise<GgufFile> {
  const header = await readGgufHeader(path);
  const fh = await open(path, 'r');
  const bytes = new Uint8Array(header.fileSize);
  try {
    await fh.read(bytes, 0, header.fileSize, 0);
  } finally {
    await fh.close();
  }
  const tensorData = new Map<string, Uint8Array>();
  for (const t of header.tensors) {
    const start = header.dataOffset + t.offset;
    tensorData.set(t.name, bytes.subarray(start, start + t.byteLength));
  }
  return { ...header, tensorData };
}

/** The plain value of a metadata key (`undefined` when absent). */
export function ggufMetadataValue(header: Pick<GgufHeader, 'metadata'>, key: string): GgufValue['value'] | undefined {
  return header.metadata.get(key)?.value;
}

/** A tensor's values as a Float32Array (F32 copied, F16 and BF16 converted); quantized types are refused. */
export function ggufTensorToFloat32(file: GgufFile, name: string): Float32Array {
  const info = file.tensors.find((t) => t.name === name);
  const raw = file.tensorData.get(name);
  if (!info || !raw) {
    throw new InvalidGgufError(file.path, `it has no tensor named "${name}" (tensors: ${file.tensors.map((t) => t.name).slice(0, 8).join(', ')}, ...)`);
  }
  const n = info.dims.reduce((a, b) => a * b, 1);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out = new Float32Array(n);
  if (info.type === GGML_TYPE_F32) {
    for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, true);
  } else if (info.type === GGML_TYPE_F16) {
    for (let i = 0; i < n; i++) out[i] = halfToFloat(view.getUint16(2 * i, true));
  } else if (info.type === GGML_TYPE_BF16) {
    const u32 = new Uint32Array(1);
    const f32 = new Float32Array(u32.buffer);
    for (let i = 0; i < n; i++) { u32[0] = view.getUint16(2 * i, true) << 16; out[i] = f32[0]!; }
  } else {
    throw new InvalidGgufError(file.path, `tensor "${name}" is ${info.typeName}; ggufTensorToFloat32 converts only F32, F16 and BF16`);
  }
  return out;
}

/** IEEE 754 binary16 → number. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/**
 * Keys llama.cpp needs for a `llama`-architecture model, where their absence aborts the process rather than raising
 * (spec llm.md, "Writing GGUF"). Checked before loading so the user gets an error instead of a dead process.
 */
export function validateForLlamaCpp(header: GgufHeader): void {
  const fail = (reason: string): never => { throw new InvalidGgufError(header.path, reason); };
  const arch = ggufMetadataValue(header, 'general.architecture');
  if (typeof arch !== 'string') fail('metadata key general.architecture is missing');
  if (arch === 'llama') {
    for (const k of ['context_length', 'embedding_length', 'block_count', 'attention.head_count',
      'attention.layer_norm_rms_epsilon', 'feed_forward_length']) {
      if (!header.metadata.has(`llama.${k}`)) fail(`metadata key llama.${k} is required for architecture "llama"`);
    }
  }
  const tokenizer = ggufMetadataValue(header, 'tokenizer.ggml.model');
  if (typeof tokenizer !== 'string') fail('metadata key tokenizer.ggml.model is missing');
  if (tokenizer === 'none') fail('tokenizer.ggml.model is "none"; llama.cpp needs a tokenizer ("llama", "gpt2", ...)');
  const tokens = ggufMetadataValue(header, 'tokenizer.ggml.tokens');
  if (!Array.isArray(tokens) || tokens.length === 0) fail('metadata array tokenizer.ggml.tokens is missing or empty');
  if (tokenizer === 'llama') {
    const tokenList = tokens as string[];
    const present = new Set(tokenList);
    for (let b = 0; b < 256; b++) {
      const piece = `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`;
      if (!present.has(piece)) fail(`a "llama" tokenizer must contain all 256 byte tokens; ${piece} is missing`);
    }
  }
  const embd = header.tensors.find((t) => t.name === 'token_embd.weight');
  if (arch === 'llama' && !embd) fail('tensor token_embd.weight is missing');
  if (embd && embd.dims[1] !== (tokens as unknown[]).length) {
    fail(`token_embd.weight has ${embd.dims[1]} rows but the vocabulary has ${(tokens as unknown[]).length} tokens`);
  }
}
