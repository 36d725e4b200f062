// Helpers of the run-folder fault-injection suites of the apps (kill -9 at seeded points, resume,
// compare with an uninterrupted run). Node only.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A small seeded generator (mulberry32): the same kill points for the same seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface ChildRun {
  readonly child: ChildProcess;
  /** Resolves true when the child paused inside an atomic write (it is then still running). */
  readonly paused: Promise<boolean>;
  readonly exited: Promise<{ code: number | null; signal: string | null; stderr: string }>;
}

/**
 * Runs a built CLI (`node cli.js args…`) as a child process. With `pauseIn`, the child's atomic
 * writes pause inside the write of that file (`ADAPTNET_FAULT_PAUSE_IN_WRITE`, e.g.
 * `'train-state/weights@2'`) and `paused` resolves true once it is there, ready for a kill.
 */
export function runChild(cli: string, args: readonly string[], pauseIn?: string): ChildRun {
  const env = { ...process.env };
  if (pauseIn === undefined) delete env.ADAPTNET_FAULT_PAUSE_IN_WRITE;
  else env.ADAPTNET_FAULT_PAUSE_IN_WRITE = pauseIn;
  const child = spawn(process.execPath, [cli, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  let onPause: (v: boolean) => void = () => undefined;
  const paused = new Promise<boolean>((resolve) => {
    onPause = resolve;
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (stderr.includes('[fault] paused in write of')) onPause(true);
  });
  const exited = new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve) => {
    child.on('exit', (code, signal) => {
      onPause(false);
      resolve({ code, signal, stderr });
    });
  });
  return { child, paused, exited };
}

/**
 * The files under a run folder, normalised where two runs of the same recipe legitimately differ:
 * wall-clock fields only (`train-state/model.json` is skipped: its weights file is compared;
 * `metrics.jsonl` without `time` and `imagesPerSecond`; `table.json` without `createdAt`).
 */
export async function snapshotRun(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const rel = path.slice(dir.length + 1);
    let text = (await readFile(path)).toString('base64');
    if (rel === 'train-state/model.json' || entry.name === '.lock') continue;
    if (rel === 'metrics.jsonl') {
      text = (await readFile(path, 'utf8'))
        .trim()
        .split('\n')
        .map((l) => {
          const { time: _t, imagesPerSecond: _i, ...rest } = JSON.parse(l) as Record<string, unknown>;
          return JSON.stringify(rest);
        })
        .join('\n');
    }
    if (rel === 'table.json') {
      const { createdAt: _c, ...rest } = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
      text = JSON.stringify(rest);
    }
    files.set(rel, text);
  }
  return files;
}

/** Temp files of interrupted writes (names matching `tempPattern`) and lock files left under `dir`. */
export async function leftovers(dir: string, tempPattern: RegExp, lockFile = '.lock'): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (tempPattern.test(entry.name) || entry.name === lockFile) found.push(join(entry.parentPath, entry.name));
  }
  return found;
}

/** The relative paths whose normalised contents differ between two snapshots (or exist in one only). */
export function differences(a: Map<string, string>, b: Map<string, string>): string[] {
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort();
  return keys.filter((k) => a.get(k) !== b.get(k));
}

/** Bytes of the files directly in `dir`. */
export async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  for (const f of await readdir(dir)) total += (await stat(join(dir, f))).size;
  return total;
}

/** Fills the file system of `dir` with `<dir>/filler` until `leave` bytes are free. */
export async function fillDisk(dir: string, leave: number): Promise<void> {
  const free = Number(execFileSync('df', ['--output=avail', '-B1', dir]).toString().trim().split('\n').pop());
  await writeFile(join(dir, 'filler'), Buffer.alloc(Math.max(0, free - leave)));
}
