/**
 * GGUF on-disk constants, from the format description in ggml's `docs/gguf.md`: metadata value type codes and the
 * block layout (elements per block, bytes per block) of every ggml tensor type, used to bound-check tensor data.
 */

export const GGUF_MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
export const GGUF_DEFAULT_ALIGNMENT = 32;

/** Metadata value types and their u32 codes. */
export const GGUF_VALUE_TYPES = {
  u8: 0, i8: 1, u16: 2, i16: 3, u32: 4, i32: 5, f32: 6, bool: 7, string: 8, array: 9, u64: 10, i64: 11, f64: 12,
} as const;
export type GgufScalarType = Exclude<keyof typeof GGUF_VALUE_TYPES, 'array'>;

/** A metadata value with its exact on-disk type, so a read → write round trip keeps every byte. */
export type GgufValue =
  | { type: 'u8' | 'i8' | 'u16' | 'i16' | 'u32' | 'i32' | 'f32' | 'f64'; value: number }
  | { type: 'u64' | 'i64'; value: bigint }
  | { type: 'bool'; value: boolean }
  | { type: 'string'; value: string }
  | { type: 'array'; itemType: GgufScalarType; value: (number | bigint | boolean | string)[] };

export const gguf = {
  u32: (value: number): GgufValue => ({ type: 'u32', value }),
  i32: (value: number): GgufValue => ({ type: 'i32', value }),
  f32: (value: number): GgufValue => ({ type: 'f32', value }),
  u64: (value: number | bigint): GgufValue => ({ type: 'u64', value: BigInt(value) }),
  bool: (value: boolean): GgufValue => ({ type: 'bool', value }),
  str: (value: string): GgufValue => ({ type: 'string', value }),
  arr: (itemType: GgufScalarType, value: (number | bigint | boolean | string)[]): GgufValue =>
    ({ type: 'array', itemType, value }),
};

export const SCALAR_TYPE_BY_CODE: Record<number, GgufScalarType | 'array'> = Object.fromEntries(
  Object.entries(GGUF_VALUE_TYPES).map(([name, code]) => [code, name as GgufScalarType | 'array']),
);

/** ggml tensor types: code → [name, elements per block, bytes per block] (ggml.c `type_traits`). */
export const GGML_TYPES: Record<number, readonly [string, number, number]> = {
  0: ['F32', 1, 4], 1: ['F16', 1, 2], 2: ['Q4_0', 32, 18], 3: ['Q4_1', 32, 20], 6: ['Q5_0', 32, 22],
  7: ['Q5_1', 32, 24], 8: ['Q8_0', 32, 34], 9: ['Q8_1', 32, 36], 10: ['Q2_K', 256, 84], 11: ['Q3_K', 256, 110],
  12: ['Q4_K', 256, 144], 13: ['Q5_K', 256, 176], 14: ['Q6_K', 256, 210], 15: ['Q8_K', 256, 292],
  16: ['IQ2_XXS', 256, 66], 17: ['IQ2_XS', 256, 74], 18: ['IQ3_XXS', 256, 98], 19: ['IQ1_S', 256, 50],
  20: ['IQ4_NL', 32, 18], 21: ['IQ3_S', 256, 110], 22: ['IQ2_S', 256, 82], 23: ['IQ4_XS', 256, 136],
  24: ['I8', 1, 1], 25: ['I16', 1, 2], 26: ['I32', 1, 4], 27: ['I64', 1, 8], 28: ['F64', 1, 8],
  29: ['IQ1_M', 256, 56], 30: ['BF16', 1, 2], 34: ['TQ1_0', 256, 54], 35: ['TQ2_0', 256, 66], 39: ['MXFP4', 32, 17],
};
export const GGML_TYPE_F32 = 0;
export const GGML_TYPE_F16 = 1;
export const GGML_TYPE_BF16 = 30;

/** Bytes taken by a tensor of `elements` elements of ggml type `type`, or an error text when it cannot be stored. */
export function ggmlTensorBytes(type: number, dims: readonly number[]): number | string {
  const traits = GGML_TYPES[type];
  if (!traits) return `unknown ggml tensor type ${type}`;
  const [name, blockSize, blockBytes] = traits;
  if (dims.length === 0) return 'tensor has no dimensions';
  if ((dims[0] ?? 0) % blockSize !== 0) return `first dimension ${dims[0]} is not a multiple of the ${name} block size ${blockSize}`;
  let elements = 1;
  for (const d of dims) elements *= d;
  return (elements / blockSize) * blockBytes;
}

export function alignUp(offset: number, alignment: number): number {
  return Math.ceil(offset / alignment) * alignment;
}
