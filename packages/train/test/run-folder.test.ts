import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  checkInputFile,
  jsonDifferences,
  LOCK_FILE,
  RunFolder,
  RunFolderError,
  type RunFolderSpec,
  RunLock,
  readInputFile,
  StaleArtefactError,
} from '../src/node.js';

const spec: RunFolderSpec<{ lr: number; data: { subset: number }; every: number }> = {
  format: 'test-run',
  version: 1,
  schema: z.object({ lr: z.number().positive(), data: z.object({ subset: z.number().int() }), every: z.number().int() }),
  tool: 'test-cli',
};
const recipe = { lr: 0.1, data: { subset: 128 }, every: 5 };

/** A pid that is certainly not running: a child that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

describe('RunFolder', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'run-folder-'));
  });

  it('creates run.json only after the recipe validates, and locks the folder while open', async () => {
    const dir = join(root, 'run');
    await expect(RunFolder.create(dir, { ...recipe, lr: -1 }, spec)).rejects.toThrow(/the recipe: lr: Number must be greater than 0/);
    await expect(readdir(dir)).rejects.toThrow(/ENOENT/);
    const folder = await RunFolder.create(dir, recipe, spec);
    expect(JSON.parse(await readFile(join(dir, 'run.json'), 'utf8'))).toEqual({ format: 'test-run', version: 1, ...recipe });
    const lock = JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8')) as { pid: number; host: string };
    expect(lock).toMatchObject({ pid: process.pid, host: hostname() });
    await expect(RunFolder.open(dir, spec, { lock: true })).rejects.toThrow(
      new RegExp(`in use by process ${process.pid} on ${hostname()}`),
    );
    await folder.close();
    expect(await readdir(dir)).toEqual(['run.json']);
  });

  it('refuses a non-empty folder; --resume needs the identical recipe and names the differing field', async () => {
    const dir = join(root, 'run');
    await (await RunFolder.create(dir, recipe, spec)).close();
    await expect(RunFolder.create(dir, recipe, spec)).rejects.toThrow(
      /--out .* is not empty \(run\.json\); continue that run with --resume/,
    );
    const e = await RunFolder.create(dir, { ...recipe, lr: 0.2 }, spec, { resume: true }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RunFolderError);
    expect((e as RunFolderError).reason).toBe('recipe-differs');
    expect((e as Error).message).toMatch(/^--resume: recipe field lr differs: run has 0\.1, given 0\.2;/);
    await expect(RunFolder.create(dir, { ...recipe, data: { subset: 64 } }, spec, { resume: true })).rejects.toThrow(
      /recipe field data\.subset differs: run has 128, given 64/,
    );
    // A field allowed to change: accepted, and run.json keeps the recorded value.
    const resumed = await RunFolder.create(dir, { ...recipe, every: 1 }, spec, { resume: true, resumeMayChange: ['every'] });
    expect(resumed.recipe.every).toBe(5);
    await resumed.close();
  });

  it('--force moves the old contents aside and deletes nothing', async () => {
    const dir = join(root, 'run');
    const first = await RunFolder.create(dir, recipe, spec);
    await first.commit('weights.bin', 'old weights');
    await first.close();
    const logs: string[] = [];
    const second = await RunFolder.create(dir, { ...recipe, lr: 0.3 }, spec, { force: true, log: (l) => logs.push(l) });
    const backup = /moved to (\S+)$/.exec(logs.join('\n'))?.[1] as string;
    expect(await readFile(join(backup, 'weights.bin'), 'utf8')).toBe('old weights');
    expect((await readdir(backup)).sort()).toEqual(['run.json', 'weights.bin']);
    expect((await readdir(dir)).sort()).toEqual([LOCK_FILE, 'run.json']);
    await second.close();
  });

  it('--force refuses the folder it runs in (or one above it) before anything is written', async () => {
    const dir = join(root, 'here');
    await (await RunFolder.create(dir, recipe, spec)).close();
    const before = (await readdir(dir)).sort();
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      for (const target of ['.', dir, root]) {
        await expect(RunFolder.create(target, recipe, spec, { force: true })).rejects.toThrow(
          /holds the current folder, which --force cannot move aside; run from outside it/,
        );
      }
    } finally {
      process.chdir(cwd);
    }
    expect((await readdir(dir)).sort()).toEqual(before);
  });

  it('a file for the folder, or a folder without run.json on resume, is refused before anything is written', async () => {
    const file = join(root, 'file');
    await writeFile(file, 'x');
    await expect(RunFolder.create(file, recipe, spec)).rejects.toThrow(/^--out .*file is a file, not a folder$/);
    const other = join(root, 'other');
    await mkdir(other);
    await writeFile(join(other, 'notes.txt'), 'mine');
    await expect(RunFolder.create(other, recipe, spec, { resume: true })).rejects.toThrow(/holds files but no run\.json/);
    expect(await readdir(other)).toEqual(['notes.txt']);
  });

  it('takes over the lock of a dead process, and removes orphaned temp files on open', async () => {
    const dir = join(root, 'run');
    await (await RunFolder.create(dir, recipe, spec)).close();
    const pid = deadPid();
    await writeFile(join(dir, LOCK_FILE), JSON.stringify({ pid, host: hostname(), command: 'train', since: 'then' }));
    await mkdir(join(dir, 'model'));
    const orphans = [join(dir, '.table.json.0123456789ab.tmp'), join(dir, 'model', '.weights.bin.ba9876543210.tmp')];
    for (const o of orphans) await writeFile(o, 'half');
    await writeFile(join(dir, 'keep.tmp'), 'not ours');
    const logs: string[] = [];
    const folder = await RunFolder.open(dir, spec, { lock: true, log: (l) => logs.push(l) });
    expect(logs.join('\n')).toMatch(new RegExp(`removing the stale lock of process ${pid}`));
    expect(logs.join('\n')).toMatch(/removed 2 temp file/);
    expect((await readdir(dir)).sort()).toEqual([LOCK_FILE, 'keep.tmp', 'model', 'run.json']);
    expect(await readdir(join(dir, 'model'))).toEqual([]);
    await folder.close();
  });

  it('a lock from another host is never taken over', async () => {
    const dir = join(root, 'run');
    await (await RunFolder.create(dir, recipe, spec)).close();
    await writeFile(join(dir, LOCK_FILE), JSON.stringify({ pid: deadPid(), host: 'elsewhere', command: 'table', since: 'then' }));
    await expect(RunLock.acquire(dir, 'test')).rejects.toThrow(/in use by process \d+ on elsewhere \(table, since then\).*delete .*\.lock/);
  });

  it('artefact records: a modified file, or one made from replaced inputs, is a named stale error', async () => {
    const dir = join(root, 'run');
    const folder = await RunFolder.create(dir, recipe, spec);
    await folder.record('model', { sha256: 'a'.repeat(64) });
    await folder.record('table.json', { sha256: 'b'.repeat(64), from: { model: 'a'.repeat(64) } });
    await expect(folder.verifyArtefact('table.json', 'b'.repeat(64), 'test-cli table')).resolves.toBeDefined();
    const edited = await folder.verifyArtefact('table.json', 'c'.repeat(64), 'test-cli table').catch((e: unknown) => e);
    expect(edited).toBeInstanceOf(StaleArtefactError);
    expect((edited as StaleArtefactError).file).toBe('table.json');
    expect((edited as Error).message).toMatch(/table\.json was modified after it was written.*; rebuild it with: test-cli table$/);
    await folder.record('model', { sha256: 'd'.repeat(64) });
    await expect(folder.verifyArtefact('table.json', 'b'.repeat(64), 'test-cli table')).rejects.toThrow(
      /table\.json is stale: it was made from model aaaaaaaaaaaa…, but the run's model is now dddddddddddd…/,
    );
    // The record file is sealed: a hand edit is caught.
    const path = join(dir, 'artefacts.json');
    await writeFile(path, (await readFile(path, 'utf8')).replace('d'.repeat(64), 'e'.repeat(64)));
    await expect(folder.artefacts()).rejects.toThrow(/artefacts\.json fails its sha256 check/);
    await folder.close();
  });

  it("another app's run is refused by name, with the tool that reads it", async () => {
    const dir = join(root, 'other-app');
    await mkdir(dir);
    await writeFile(join(dir, 'run.json'), JSON.stringify({ format: 'adaptnet-classify-run', version: 1, ...recipe }));
    await expect(RunFolder.open(dir, spec)).rejects.toThrow(
      `${dir} is a run of adaptnet-classify (run.json format adaptnet-classify-run), not of test-cli; use adaptnet-classify on it, or give a run trained with: test-cli train`,
    );
    await writeFile(join(dir, 'run.json'), JSON.stringify({ format: 'test-run', version: 2, ...recipe }));
    await expect(RunFolder.open(dir, spec)).rejects.toThrow(/is not a test-run v1 run manifest \(format test-run, version 2\)/);
  });

  it('readers do not lock and cannot write', async () => {
    const dir = join(root, 'run');
    await (await RunFolder.create(dir, recipe, spec)).close();
    const reader = await RunFolder.open(dir, spec);
    expect(reader.locked).toBe(false);
    await expect(reader.commit('x', 'y')).rejects.toThrow(/needs the run folder's lock/);
  });
});

describe('input files', () => {
  it('accepts regular files within the cap; refuses devices, folders and larger files', async () => {
    const root = await mkdtemp(join(tmpdir(), 'input-'));
    const file = join(root, 'a.json');
    await writeFile(file, '{"a":1}');
    expect((await readInputFile(file, 100)).toString()).toBe('{"a":1}');
    await expect(checkInputFile(file, 6, 'config')).rejects.toThrow(/config .*a\.json has 7 bytes, more than the 6 bytes allowed/);
    await expect(readInputFile('/dev/zero', 1 << 20, 'image')).rejects.toThrow(/^image \/dev\/zero is not a regular file/);
    await expect(readInputFile(root, 1 << 20)).rejects.toThrow(/is not a regular file/);
    await expect(readInputFile(join(root, 'missing'), 10, 'image')).rejects.toThrow(/cannot read image .*missing: no such file/);
  });
});

describe('jsonDifferences', () => {
  it('names nested fields, compares arrays whole, and skips ignored paths', () => {
    expect(jsonDifferences({ a: { b: 1, c: [1, 2] }, d: 'x' }, { a: { b: 2, c: [1, 2] }, d: 'x' })).toEqual([
      { field: 'a.b', run: 1, given: 2 },
    ]);
    expect(jsonDifferences({ r: [28, 24] }, { r: [28] })).toEqual([{ field: 'r', run: [28, 24], given: [28] }]);
    expect(jsonDifferences({ a: 1 }, { b: 1 }).map((d) => d.field)).toEqual(['a', 'b']);
    expect(jsonDifferences({ t: { every: 5, lr: 1 } }, { t: { every: 1, lr: 1 } }, ['t.every'])).toEqual([]);
    // Key order does not matter.
    expect(jsonDifferences({ x: { p: 1, q: 2 } }, { x: { q: 2, p: 1 } })).toEqual([]);
  });
});

describe('README', () => {
  it('the run-folder example runs against the built package', async () => {
    const readme = await readFile(join(import.meta.dirname, '..', 'README.md'), 'utf8');
    const code = /## Run folders[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1] as string;
    const dir = await mkdtemp(join(import.meta.dirname, '.readme-run-'));
    try {
      const file = join(dir, 'example.ts');
      await writeFile(file, `${code}\nexport const __result = { refused };\n`);
      const { __result } = (await import(file)) as { __result: { refused: string } };
      expect(__result.refused).toMatch(/^--resume: recipe field lr differs: run has 0\.1, given 0\.2/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
