import { readFileSync, writeFileSync, renameSync, existsSync } from 'node:fs';
import { Tensor, type DType, ArgumentError, MissingResourceError } from '../core/index.ts';
import { leaves } from '../autodiff/index.ts';

/**
 * Parameter trees on disk in the safetensors layout (an 8-byte little-endian header length, a JSON header mapping
 * each tensor name to {dtype, shape, data_offsets}, then the raw little-endian bytes), so files open in other
 * tools. Names are the tree paths ("blocks.0.wq.w"); `__metadata__` holds string metadata. Writes go to a
 * temporary file renamed into place, so an interrupted save never leaves a truncated checkpoint.
 */
const CODES: Record<DType, string> = { float32: 'F32', float64: 'F64', int32: 'I32' };
const DTYPES: Record<string, DType> = { F32: 'float32', F64: 'float64', I32: 'int32' };

function pathToName(path: string): string {
  return path.replace(/^\$\.?/, '').replace(/\[(\d+)\]/g, '.$1').replace(/^\./, '');
}

export function serializeParams(tree: unknown, metadata: Record<string, string> = {}): Uint8Array {
  const ls = leaves(tree);
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  const blobs: Uint8Array[] = [];
  for (const { path, value } of ls) {
    const data = value.values();
    const bytes = new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
    const name = pathToName(path) || 'value';
    header[name] = { dtype: CODES[value.dtype], shape: [...value.shape], data_offsets: [offset, offset + bytes.length] };
    blobs.push(bytes);
    offset += bytes.length;
  }
  let json = JSON.stringify(header);
  while ((json.length + 8) % 8 !== 0) json += ' ';
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let p = 8 + head.length;
  for (const b of blobs) { out.set(b, p); p += b.length; }
  return out;
}

export function saveParams(file: string, tree: unknown, metadata: Record<string, string> = {}): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, serializeParams(tree, metadata));
  renameSync(tmp, file);
}

/** Rebuilds a nested tree from names: numeric segments become array indices. */
export function deserializeParams(bytes: Uint8Array, source = 'buffer'): { params: any; metadata: Record<string, string> } {
  if (bytes.length < 8) throw new ArgumentError(`loadParams: ${source} is too short to be a safetensors file`);
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  if (n <= 0 || 8 + n > bytes.length) throw new ArgumentError(`loadParams: ${source} has a header length of ${n} bytes, beyond the file's ${bytes.length}`);
  let header: Record<string, any>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    throw new ArgumentError(`loadParams: ${source} does not start with a JSON safetensors header`, { cause: e });
  }
  const base = 8 + n;
  const root: any = {};
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const dtype = DTYPES[info.dtype];
    if (!dtype) throw new ArgumentError(`loadParams: tensor ${name} in ${source} has unsupported dtype ${info.dtype} (F32, F64, I32)`);
    const [s, e] = info.data_offsets as [number, number];
    if (!(s >= 0 && e >= s && base + e <= bytes.length)) throw new ArgumentError(`loadParams: tensor ${name} in ${source} points outside the file`);
    // Copy (Buffer.slice would alias the shared pool) so the typed array owns aligned storage.
    const raw = Uint8Array.prototype.slice.call(bytes, base + s, base + e);
    const data = dtype === 'float32' ? new Float32Array(raw.buffer) : dtype === 'float64' ? new Float64Array(raw.buffer) : new Int32Array(raw.buffer);
    const t = new Tensor(data, info.shape);
    if (t.size !== data.length) throw new ArgumentError(`loadParams: tensor ${name} in ${source} has ${data.length} values for shape [${info.shape}]`);
    const parts = name.split('.');
    let node = root;
    parts.forEach((part, i) => {
      if (i === parts.length - 1) node[part] = t;
      else node = node[part] ??= /^\d+$/.test(parts[i + 1]!) ? [] : {};
    });
  }
  return { params: root.value instanceof Tensor && Object.keys(root).length === 1 ? root.value : root, metadata: header.__metadata__ ?? {} };
}

export function loadParams(file: string): { params: any; metadata: Record<string, string> } {
  if (!existsSync(file)) throw new MissingResourceError(`loadParams: no such file ${file}`);
  return deserializeParams(readFileSync(file), file);
}
