import { open, stat } from 'node:fs/promises';
import { RunFolderError } from './errors.js';

/** Size caps of files the CLIs read from users. */
export const INPUT_LIMITS = {
  /** Images given to `predict` (a 8000 × 8000 RGBA PNG is far below this). */
  imageBytes: 64 * 1024 * 1024,
  /** Config files (YAML / JSON) and run manifests. */
  configBytes: 1024 * 1024,
  /** Query tables: rows plus the BN statistics of the frontier configurations. */
  tableBytes: 256 * 1024 * 1024,
} as const;

function mib(bytes: number): string {
  return bytes < 1024 * 1024 ? `${bytes} bytes` : `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
}

/** Refuses anything but a regular file of at most `maxBytes` (devices, FIFOs, folders, huge files). */
export async function checkInputFile(path: string, maxBytes: number, what = 'input'): Promise<number> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new RunFolderError('bad-input', `cannot read ${what} ${path}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  if (!info.isFile())
    throw new RunFolderError('bad-input', `${what} ${path} is not a regular file (a device, pipe or folder cannot be read as one)`);
  if (info.size > maxBytes) {
    throw new RunFolderError('bad-input', `${what} ${path} has ${mib(info.size)}, more than the ${mib(maxBytes)} allowed`);
  }
  return info.size;
}

/** Reads a regular file of at most `maxBytes`; never reads more than that even if the file grows meanwhile. */
export async function readInputFile(path: string, maxBytes: number, what = 'input'): Promise<Buffer> {
  const size = await checkInputFile(path, maxBytes, what);
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(Math.min(size, maxBytes) + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length === buffer.length) throw new RunFolderError('bad-input', `${what} ${path} grew while being read`);
    }
    return buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
}
