import { DatasetError } from './errors.js';

/** A parsed IDX file (the MNIST format): dimensions and the unsigned-byte payload. */
export interface IdxArray {
  readonly dims: readonly number[];
  readonly data: Uint8Array;
}

const UBYTE = 0x08;

/**
 * Parses IDX bytes: magic `00 00 08 rank`, `rank` big-endian uint32 dimensions, then exactly
 * ∏dims unsigned bytes. `path` only names the file in errors.
 */
export function parseIdx(bytes: Uint8Array, path: string, expectedRank?: number): IdxArray {
  const corrupt = (what: string) => new DatasetError('corrupt', path, `${path} is not a valid IDX file: ${what}`);
  if (bytes.length < 4) throw corrupt(`${bytes.length} bytes, shorter than the 4-byte magic number`);
  const magic = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join('');
  const rank = bytes[3] as number;
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw corrupt(`magic number 0x${magic} does not start with 0x0000 (expected 0x00000801 for labels, 0x00000803 for images)`);
  }
  if (bytes[2] !== UBYTE)
    throw corrupt(`magic number 0x${magic} has data type 0x${magic.slice(4, 6)}; only 0x08 (unsigned byte) is supported`);
  if (rank === 0) throw corrupt(`magic number 0x${magic} declares 0 dimensions`);
  if (expectedRank !== undefined && rank !== expectedRank) {
    throw corrupt(`magic number 0x${magic} declares ${rank} dimensions, expected ${expectedRank}`);
  }
  const header = 4 + 4 * rank;
  if (bytes.length < header) throw corrupt(`${bytes.length} bytes, shorter than its ${header}-byte header (truncated)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i, false));
  if (dims.some((d) => d === 0)) throw corrupt(`dimensions [${dims.join(', ')}] contain a zero`);
  const payload = dims.reduce((a, b) => a * b, 1);
  const got = bytes.length - header;
  if (got < payload) throw corrupt(`dimensions [${dims.join(', ')}] need ${payload} data bytes after the header, got ${got} (truncated)`);
  if (got > payload)
    throw corrupt(`dimensions [${dims.join(', ')}] need ${payload} data bytes after the header, got ${got} (${got - payload} extra)`);
  return { dims, data: bytes.subarray(header) };
}
