import { access, readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { DatasetError } from './errors.js';

const gunzipAsync = promisify(gunzip);

export async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** The first of `candidates` that exists, or undefined. */
export async function firstExisting(candidates: readonly string[]): Promise<string | undefined> {
  for (const path of candidates) if (await exists(path)) return path;
  return undefined;
}

/** Reads a file, gunzipping it when it starts with the gzip magic bytes (so `.gz` and plain files both work). */
export async function readMaybeGzip(path: string, missingHint?: string): Promise<Uint8Array> {
  let raw: Buffer;
  try {
    raw = await readFile(path);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new DatasetError('missing', path, `${path} does not exist${missingHint ? `; ${missingHint}` : ''}`, { cause });
    }
    throw new DatasetError('unreadable', path, `cannot read ${path}: ${(cause as Error).message}`, { cause });
  }
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      const out = await gunzipAsync(raw);
      return new Uint8Array(out.buffer, out.byteOffset, out.length);
    } catch (cause) {
      throw new DatasetError('corrupt', path, `${path} is not a valid gzip file (${(cause as Error).message}); it may be truncated`, {
        cause,
      });
    }
  }
  return new Uint8Array(raw.buffer, raw.byteOffset, raw.length);
}
