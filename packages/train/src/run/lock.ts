import { open, readFile, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { RunFolderError } from './errors.js';

export const LOCK_FILE = '.lock';

/** What a lock file holds: who writes to the run folder. */
export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly command: string;
  readonly since: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readOwner(path: string): Promise<LockOwner | undefined> {
  try {
    const json = JSON.parse(await readFile(path, 'utf8')) as Partial<LockOwner>;
    if (typeof json.pid === 'number' && typeof json.host === 'string') {
      return { pid: json.pid, host: json.host, command: String(json.command ?? '?'), since: String(json.since ?? '?') };
    }
  } catch {
    // Unreadable or half-written (a writer killed between create and write): treated below.
  }
  return undefined;
}

/**
 * An exclusive lock on a run folder: `<dir>/.lock` created with O_EXCL, holding the PID, host and
 * command. A lock left by a dead process on this host is taken over; a live one (or one from
 * another host, which cannot be checked) is refused with the owner named.
 */
export class RunLock {
  private released = false;

  private constructor(
    readonly path: string,
    readonly owner: LockOwner,
  ) {}

  /** `log` receives a line when a stale lock is taken over. */
  static async acquire(dir: string, command: string, log?: (line: string) => void): Promise<RunLock> {
    const path = join(dir, LOCK_FILE);
    const owner: LockOwner = { pid: process.pid, host: hostname(), command, since: new Date().toISOString() };
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const handle = await open(path, 'wx');
        try {
          await handle.writeFile(`${JSON.stringify(owner)}\n`);
          await handle.sync();
        } finally {
          await handle.close();
        }
        return new RunLock(path, owner);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const held = await readOwner(path);
      if (held !== undefined && (held.host !== owner.host || alive(held.pid))) {
        throw new RunFolderError(
          'locked',
          `run folder ${dir} is in use by process ${held.pid} on ${held.host} (${held.command}, since ${held.since}); wait for it to finish, or stop it; if that process no longer exists, delete ${path}`,
        );
      }
      log?.(
        held === undefined
          ? `[run] removing an unreadable lock file ${path} (its writer died before filling it)`
          : `[run] removing the stale lock of process ${held.pid} (${held.command}), which no longer runs`,
      );
      await unlink(path).catch(() => undefined);
    }
    throw new RunFolderError('locked', `run folder ${dir}: could not take the lock ${path}; another process keeps taking it`);
  }

  /** Removes the lock file if it is still ours; `movedTo` is the folder's new path after a rename. */
  async release(movedTo?: string): Promise<void> {
    if (this.released) return;
    this.released = true;
    const path = movedTo === undefined ? this.path : join(movedTo, LOCK_FILE);
    const held = await readOwner(path);
    if (held?.pid === this.owner.pid && held.host === this.owner.host && held.since === this.owner.since)
      await unlink(path).catch(() => undefined);
  }
}
