import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { moveAside, utcStamp } from '../src/node.js';

describe('moveAside', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aside-'));
  });
  afterEach(async () => {
    vi.useRealTimers();
    await rm(dir, { recursive: true, force: true });
  });

  it('stamps the UTC time to the second, sortable and file-name safe', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-12-02T01:02:03.456Z'));
    expect(utcStamp()).toBe('20261202T010203Z');
  });

  it('never replaces an earlier move in the same second: -2, -3, … and every content kept', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-12-02T01:02:03Z'));
    const file = join(dir, 'compare.json');
    const moved: string[] = [];
    for (const content of ['one', 'two', 'three']) {
      await writeFile(file, content);
      moved.push(await moveAside(file));
    }
    expect(moved).toEqual([`${file}.stale-20261202T010203Z`, `${file}.stale-20261202T010203Z-2`, `${file}.stale-20261202T010203Z-3`]);
    expect(await Promise.all(moved.map((p) => readFile(p, 'utf8')))).toEqual(['one', 'two', 'three']);
    expect((await readdir(dir)).sort()).toEqual(moved.map((p) => p.slice(dir.length + 1)).sort());
  });

  it('moves a folder under the label given, trailing slash and all', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-31T23:59:59Z'));
    const run = join(dir, 'run');
    await mkdir(run);
    await writeFile(join(run, 'run.json'), '{}');
    const target = await moveAside(`${run}/`, 'replaced');
    expect(target).toBe(`${run}.replaced-20260131T235959Z`);
    expect(await readFile(join(target, 'run.json'), 'utf8')).toBe('{}');
  });
});
