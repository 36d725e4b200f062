import { readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/** Temp files of the atomic write (`@adaptnet/core`'s `writeFileAtomic`): `.<name>.<12 hex>.tmp` next to the target. */
export const TEMP_FILE_PATTERN = /^\..+\.[0-9a-f]{12}\.tmp$/;

/**
 * Removes temp files an interrupted atomic write left in `dir` and its sub-folders (to `depth`
 * levels). Only call it while holding the folder's lock: a live writer's temp file looks the same.
 */
export async function removeOrphanedTempFiles(dir: string, depth = 2): Promise<string[]> {
  const removed: string[] = [];
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return removed;
  }
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isFile() && TEMP_FILE_PATTERN.test(e.name)) {
      await unlink(path);
      removed.push(path);
    } else if (e.isDirectory() && depth > 0) {
      removed.push(...(await removeOrphanedTempFiles(path, depth - 1)));
    }
  }
  return removed;
}
