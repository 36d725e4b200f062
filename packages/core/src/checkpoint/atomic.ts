import { randomBytes } from 'node:crypto';
import { type FileHandle, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Fault-injection hook for tests: with ADAPTNET_FAULT_PAUSE_IN_WRITE=<substring>[@<n>], the n-th
 * (default first) atomic write whose target path contains the substring writes half its data to
 * the temp file, prints `[fault] paused in write of <path>` to stderr and waits, so that a test
 * can kill the process mid-write. Unset in normal use.
 */
let faultWrites = 0;
async function faultPause(path: string, handle: FileHandle, data: Uint8Array): Promise<void> {
  const spec = process.env.ADAPTNET_FAULT_PAUSE_IN_WRITE;
  if (!spec) return;
  const at = spec.lastIndexOf('@');
  const needle = at > 0 ? spec.slice(0, at) : spec;
  const nth = at > 0 ? Number(spec.slice(at + 1)) : 1;
  if (!path.includes(needle) || ++faultWrites !== nth) return;
  await handle.write(data, 0, data.byteLength >> 1);
  await handle.sync();
  process.stderr.write(`[fault] paused in write of ${path}\n`);
  await new Promise((resolve) => setTimeout(resolve, 600_000));
  throw new Error(`fault-injection pause in the write of ${path} expired`);
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch {
    // Some file systems cannot fsync a directory; the rename is still atomic there.
  } finally {
    await handle.close();
  }
}

/**
 * Writes a file so that readers see either the old content or the new one, never a torn write,
 * and the new content survives a power loss once this resolves: temp file in the same directory,
 * fsync, rename over the target, fsync of the directory. On failure (e.g. a full disk) the temp
 * file is removed and the target is untouched.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const handle = await open(tmp, 'wx');
  try {
    await faultPause(path, handle, bytes);
    await handle.writeFile(bytes);
    await handle.sync();
  } catch (e) {
    await handle.close();
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  await handle.close();
  try {
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  await syncDir(dirname(path));
}
