/**
 * Typed arrays <-> base64, always little-endian, so model and featurizer files are byte-identical across platforms.
 */
import { endianness } from 'node:os';

type Ctor = 'f32' | 'f64' | 'i32' | 'u32';

/**
 * On a little-endian machine (x86, ARM: nearly all) the array's own bytes are the file's bytes: view them instead of
 * writing every element (a 77-class model holds ~1M floats, ~100 ms element by element). Big-endian machines take
 * the element-wise path, so the bytes are the same everywhere.
 */
const LITTLE_ENDIAN = endianness() === 'LE';

function toBytes(arr: Float32Array | Float64Array | Int32Array | Uint32Array, kind: Ctor): Buffer {
  if (LITTLE_ENDIAN) return Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength);
  const width = kind === 'f64' ? 8 : 4;
  const buf = Buffer.alloc(arr.length * width);
  for (let i = 0; i < arr.length; i++) {
    const v = arr[i]!;
    if (kind === 'f32') buf.writeFloatLE(v, i * 4);
    else if (kind === 'f64') buf.writeDoubleLE(v, i * 8);
    else if (kind === 'i32') buf.writeInt32LE(v, i * 4);
    else buf.writeUInt32LE(v, i * 4);
  }
  return buf;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function fromBase64(b64: string, width: number, what: string): Buffer {
  // Buffer.from skips characters that are not base64, so a damaged string would decode to other numbers silently.
  if (typeof b64 !== 'string' || b64.length % 4 !== 0 || !BASE64.test(b64)) {
    const bad = typeof b64 === 'string' ? /[^A-Za-z0-9+/=]/.exec(b64) : null;
    throw new Error(`${what}: not valid base64${bad ? ` (character ${JSON.stringify(bad[0])} at offset ${bad.index})` : typeof b64 === 'string' ? ` (length ${b64.length} is not a multiple of 4)` : ''}`);
  }
  const buf = Buffer.from(b64, 'base64');
  if (buf.length % width !== 0) throw new Error(`${what}: ${buf.length} bytes is not a multiple of ${width}`);
  return buf;
}

export function float32ToBase64(arr: Float32Array): string {
  return toBytes(arr, 'f32').toString('base64');
}
export function float64ToBase64(arr: Float64Array): string {
  return toBytes(arr, 'f64').toString('base64');
}
export function int32ToBase64(arr: Int32Array): string {
  return toBytes(arr, 'i32').toString('base64');
}
export function uint32ToBase64(arr: Uint32Array): string {
  return toBytes(arr, 'u32').toString('base64');
}

/** A stored NaN is a damaged file, not a number to serve (infinities round-trip: callers that need finite check). */
function checkFinite<T extends Float32Array | Float64Array>(arr: T, what: string): T {
  for (let i = 0; i < arr.length; i++) {
    if (Number.isNaN(arr[i]!)) throw new Error(`${what}: value ${i} is NaN (a damaged file)`);
  }
  return arr;
}

export function base64ToFloat32(b64: string, what = 'float32 array'): Float32Array {
  const buf = fromBase64(b64, 4, what);
  const out = new Float32Array(buf.length / 4);
  if (LITTLE_ENDIAN) new Uint8Array(out.buffer).set(buf);
  else for (let i = 0; i < out.length; i++) out[i] = buf.readFloatLE(i * 4);
  return checkFinite(out, what);
}
export function base64ToFloat64(b64: string, what = 'float64 array'): Float64Array {
  const buf = fromBase64(b64, 8, what);
  const out = new Float64Array(buf.length / 8);
  if (LITTLE_ENDIAN) new Uint8Array(out.buffer).set(buf);
  else for (let i = 0; i < out.length; i++) out[i] = buf.readDoubleLE(i * 8);
  return checkFinite(out, what);
}
export function base64ToInt32(b64: string, what = 'int32 array'): Int32Array {
  const buf = fromBase64(b64, 4, what);
  const out = new Int32Array(buf.length / 4);
  if (LITTLE_ENDIAN) new Uint8Array(out.buffer).set(buf);
  else for (let i = 0; i < out.length; i++) out[i] = buf.readInt32LE(i * 4);
  return out;
}
export function base64ToUint32(b64: string, what = 'uint32 array'): Uint32Array {
  const buf = fromBase64(b64, 4, what);
  const out = new Uint32Array(buf.length / 4);
  if (LITTLE_ENDIAN) new Uint8Array(out.buffer).set(buf);
  else for (let i = 0; i < out.length; i++) out[i] = buf.readUInt32LE(i * 4);
  return out;
}
