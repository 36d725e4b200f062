import type { Dirent } from 'node:fs';
import { access, readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
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

export const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

async function listDir(path: string, kind: { readonly expected: string; readonly item: string }): Promise<Dirent[]> {
  try {
    return await readdir(path, { withFileTypes: true });
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new DatasetError(
      code === 'ENOENT' ? 'missing' : 'unreadable',
      path,
      code === 'ENOENT'
        ? `${kind.item} folder ${path} does not exist; expected one sub-folder of ${kind.expected} per class`
        : `cannot read ${path}: ${(cause as Error).message}`,
      { cause },
    );
  }
}

/** `fn` over `items` with at most `limit` calls in flight; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export interface ClassFolders {
  /** Sub-folder names sorted by code point (hidden ones skipped). */
  readonly classNames: string[];
  readonly files: string[];
  readonly labels: number[];
  /** Files with other extensions. */
  readonly skipped: string[];
}

/**
 * Lists `dir/<class>/<file>`: classes and files sorted by code point, hidden entries ignored, files
 * whose extension is not in `extensions` (lower case, with the dot) skipped. A folder without
 * classes, or a class without files, is a DatasetError ('empty').
 */
export async function scanClassFolders(
  dir: string,
  extensions: ReadonlySet<string>,
  kind: { readonly expected: string; readonly item: string; readonly plural: string },
): Promise<ClassFolders> {
  const { item, plural } = kind;
  const classNames = (await listDir(dir, kind))
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort(byCodePoint);
  if (classNames.length === 0) throw new DatasetError('empty', dir, `${dir} has no class sub-folders; expected ${dir}/<class>/<${item}>`);
  const files: string[] = [];
  const labels: number[] = [];
  const skipped: string[] = [];
  for (const [label, cls] of classNames.entries()) {
    const classDir = join(dir, cls);
    const entries = (await listDir(classDir, kind)).filter((e) => !e.name.startsWith('.') && (e.isFile() || e.isSymbolicLink()));
    let count = 0;
    for (const name of entries.map((e) => e.name).sort(byCodePoint)) {
      const path = join(classDir, name);
      if (!extensions.has(extname(name).toLowerCase())) {
        skipped.push(path);
        continue;
      }
      files.push(path);
      labels.push(label);
      count++;
    }
    if (count === 0)
      throw new DatasetError('empty', classDir, `class folder ${classDir} has no ${plural} with extensions ${[...extensions].join(', ')}`);
  }
  return { classNames, files, labels, skipped };
}
