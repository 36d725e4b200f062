// Node-only test helpers: run a CLI in a child process with fault injection, and compare run folders.
import { type ChildProcess, spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface ChildRun {
  readonly child: ChildProcess;
  /** Resolves true when the child paused inside an atomic write (it is then still running). */
  readonly paused: Promise<boolean>;
  readonly exited: Promise<{ code: number | null; signal: string | null; stderr: string }>;
}

/**
 * Runs `node cli args` in a child process. With `pauseIn` (e.g. `'train-state/weights@2'`), the
 * child's atomic writes (`ADAPTNET_FAULT_PAUSE_IN_WRITE` of `@adaptnet/core/node`) stop inside that
 * write and `paused` resolves true, so the test can `kill -9` it mid-write.
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
 * Every file under `dir` (relative path → base64 content), normalised where runs legitimately
 * differ: wall-clock fields of metrics.jsonl, table.json's createdAt; train-state/model.json
 * (elapsed seconds) is left out, its weights file is compared.
 */
export async function snapshotRun(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const rel = path.slice(dir.length + 1);
    if (rel === 'train-state/model.json' || entry.name === '.lock') continue;
    let text = (await readFile(path)).toString('base64');
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

/** Relative paths whose content differs between two snapshots (or that only one has). */
export function snapshotDifferences(a: Map<string, string>, b: Map<string, string>): string[] {
  return [...new Set([...a.keys(), ...b.keys()])].sort().filter((k) => a.get(k) !== b.get(k));
}

/** Temp files of interrupted atomic writes and lock files left under `dir`. */
export async function leftoverFiles(dir: string, tempPattern: RegExp): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (tempPattern.test(entry.name) || entry.name === '.lock') found.push(join(entry.parentPath, entry.name));
  }
  return found;
}
