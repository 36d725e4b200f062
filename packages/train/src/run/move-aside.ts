import { rename } from 'node:fs/promises';
import { pathExists } from './path-exists.js';

/** The current UTC time as `20261202T010203Z`: sortable, and valid in file names on every system. */
export function utcStamp(): string {
  return new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

/**
 * A free name beside `path` for moving it aside: `<path>.<label>-<UTC time>`, then `-2`, `-3`, …
 * while that name is taken (`rename` replaces an existing file, so two moves within one second
 * would otherwise lose the first).
 */
export async function asideName(path: string, label: string): Promise<string> {
  const base = `${path.replace(/[/\\]+$/, '')}.${label}-${utcStamp()}`;
  let name = base;
  for (let i = 2; await pathExists(name); i++) name = `${base}-${i}`;
  return name;
}

/** Moves the file or folder `path` to `asideName(path, label)`, deleting nothing; returns the new path. */
export async function moveAside(path: string, label = 'stale'): Promise<string> {
  const target = await asideName(path, label);
  await rename(path, target);
  return target;
}
