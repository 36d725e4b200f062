// Fault injection on run folders (issue #14): kill -9 at seeded points of `train` and `table`
// (mid-write via ADAPTNET_FAULT_PAUSE_IN_WRITE, or after a random delay), then resume and compare
// with an uninterrupted run; two processes on one folder; a full disk during checkpoint and table
// writes; truncated, bit-flipped and swapped files of every artefact type.
//
// ADAPTNET_FAULT_KILLS sets the number of kill points (default 4, ~1-2 minutes on 2 cores; the
// issue's target of 20 runs with ADAPTNET_FAULT_KILLS=20), ADAPTNET_FAULT_SEED the seed (default 14).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  differences,
  dirBytes,
  fillDisk as fill,
  leftovers as leftoverFiles,
  mulberry32,
  runChild as runCli,
  snapshotRun as snapshot,
} from '@adaptnet/testing/node';
import { TEMP_FILE_PATTERN } from '@adaptnet/train/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main, type Output } from '../src/index.js';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.js');
const KILLS = Number(process.env.ADAPTNET_FAULT_KILLS ?? 4);
const SEED = Number(process.env.ADAPTNET_FAULT_SEED ?? 14);

// US-Net at half width on 96 images, batches of 32: 3 steps, a checkpoint after each; its table is 2 rows.
const TRAIN = ['--strategy', 'usnet', '--train-subset', '96', '--batch-size', '32', '--epochs', '1', '--width-max', '0.5'];
const TRAIN_TAIL = ['--resolutions', '16', '--checkpoint-every', '1', '--progress', 'none'];
const TABLE = ['--width-step', '0.25', '--calibration-samples', '32', '--max-batches', '1'];

function capture(): Output & { infos: string[] } {
  const infos: string[] = [];
  return { infos, result: () => undefined, info: (t) => infos.push(t) };
}

async function cli(...argv: string[]) {
  const out = capture();
  const code = await main(argv, out);
  return { code, stderr: out.infos.join('\n'), errors: out.infos.filter((l) => l.startsWith('adaptnet-classify: error')) };
}

const runChild = (args: readonly string[], pauseIn?: string) => runCli(CLI, args, pauseIn);
const leftovers = (dir: string) => leftoverFiles(dir, TEMP_FILE_PATTERN);

const killPoints: string[] = [];
const summary = { kills: 0, killsMidWrite: 0, killsNotReached: 0, collisions: 0, diskFull: 0, corruption: 0, differences: 0, leftovers: 0 };

describe.skipIf(!existsSync(CLI))('fault injection on run folders', () => {
  let root: string;
  let trained: string; // reference: uninterrupted train
  let tabled: string; // reference: uninterrupted train + table
  let other: string; // another run (other seed, 1 step) for swapped files
  let trainedFiles: Map<string, string>;
  let tabledFiles: Map<string, string>;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'fault-'));
    trained = join(root, 'trained');
    const t = await cli('train', '--out', trained, ...TRAIN, ...TRAIN_TAIL);
    expect(t.code, t.stderr).toBe(0);
    trainedFiles = await snapshot(trained);
    tabled = join(root, 'tabled');
    await cp(trained, tabled, { recursive: true });
    const tb = await cli('table', '--run', tabled, ...TABLE);
    expect(tb.code, tb.stderr).toBe(0);
    tabledFiles = await snapshot(tabled);
    other = join(root, 'other');
    const o = await cli('train', '--out', other, ...TRAIN.map((a) => (a === '1' ? '0.34' : a)), ...TRAIN_TAIL, '--seed', '1');
    expect(o.code, o.stderr).toBe(0);
    const ot = await cli('table', '--run', other, ...TABLE);
    expect(ot.code, ot.stderr).toBe(0);
  }, 240_000);

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
    console.log(
      `[fault-injection] kill points ${summary.kills} (${summary.killsMidWrite} mid-write, ${summary.killsNotReached} ran to completion first), collisions ${summary.collisions}, disk-full ${summary.diskFull}, corruption cases ${summary.corruption}: ${summary.differences} differences, ${summary.leftovers} leftover temp/lock files${summary.differences + summary.leftovers === 0 ? ', nothing lost' : ''}`,
    );
    if (killPoints.length > 0) console.log(`[fault-injection] kill points (seed ${SEED}): ${killPoints.join(', ')}`);
  });

  it(`kill -9 at ${KILLS} seeded points of train and table, resume: identical files, no temp files`, async () => {
    const random = mulberry32(SEED);
    const trainPoints = [
      'run.json',
      'metrics.jsonl@1',
      'metrics.jsonl@3',
      'train-state/weights@1',
      'train-state/weights@2',
      'train-state/weights@3',
      'train-state/model.json@1',
      'train-state/model.json@2',
      'model/weights',
      'model/model.json',
      'artefacts.json',
      'delay',
    ];
    const tablePoints = ['table.json@1', 'table.json@2', 'table.json@3', 'table.json@4', 'artefacts.json', 'table.svg', 'delay'];
    for (let i = 0; i < KILLS; i++) {
      const isTrain = i % 2 === 0;
      const pool = isTrain ? trainPoints : tablePoints;
      const point = pool[Math.floor(random() * pool.length)] as string;
      const dir = join(root, `kill-${i}`);
      if (!isTrain) await cp(trained, dir, { recursive: true });
      const args = isTrain ? ['train', '--out', dir, ...TRAIN, ...TRAIN_TAIL] : ['table', '--run', dir, ...TABLE];
      const run = runChild(args, point === 'delay' ? undefined : point);
      let midWrite = false;
      if (point === 'delay') {
        const ms = 1500 + Math.floor(random() * 6000);
        await Promise.race([new Promise((r) => setTimeout(r, ms)), run.exited]);
      } else {
        midWrite = await run.paused;
      }
      run.child.kill('SIGKILL');
      const killed = await run.exited;
      summary.kills++;
      killPoints.push(`${isTrain ? 'train' : 'table'}:${point}${midWrite ? '' : killed.signal === 'SIGKILL' ? '' : '(finished first)'}`);
      if (midWrite) summary.killsMidWrite++;
      if (killed.signal !== 'SIGKILL') summary.killsNotReached++;
      const resumed = runChild(isTrain ? ['train', '--out', dir, '--resume', ...TRAIN, ...TRAIN_TAIL] : args);
      const done = await resumed.exited;
      expect(done.code, `${point}: ${done.stderr}`).toBe(0);
      const diff = differences(await snapshot(dir), isTrain ? trainedFiles : tabledFiles);
      const left = await leftovers(dir);
      summary.differences += diff.length;
      summary.leftovers += left.length;
      expect(diff, `kill point ${i} (${isTrain ? 'train' : 'table'} ${point})`).toEqual([]);
      expect(left).toEqual([]);
    }
  }, 1_200_000);

  it('two processes on one run folder: the second is refused; a killed holder leaves a stale lock that is taken over', async () => {
    const dir = join(root, 'collide');
    const holder = runChild(['train', '--out', dir, ...TRAIN, ...TRAIN_TAIL], 'train-state/weights@2');
    expect(await holder.paused).toBe(true);
    for (const args of [
      ['train', '--out', dir, '--resume', ...TRAIN, ...TRAIN_TAIL],
      ['table', '--run', dir, ...TABLE],
    ]) {
      const second = runChild(args);
      const r = await second.exited;
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`in use by process ${holder.child.pid} on `));
      summary.collisions++;
    }
    holder.child.kill('SIGKILL');
    await holder.exited;
    const after = runChild(['train', '--out', dir, '--resume', ...TRAIN, ...TRAIN_TAIL]);
    const done = await after.exited;
    expect(done.code, done.stderr).toBe(0);
    expect(done.stderr).toMatch(/removing the stale lock of process/);
    expect(differences(await snapshot(dir), trainedFiles)).toEqual([]);
  }, 300_000);

  it('a full disk during checkpoint and table writes loses nothing committed', async (ctx) => {
    const mnt = join(root, 'tmpfs');
    await mkdir(mnt);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', mnt], { stdio: 'ignore' });
    } catch {
      console.log('[fault-injection] skipping disk-full cases: mount -t tmpfs is not permitted here');
      ctx.skip();
      return;
    }
    try {
      const stateBytes = (await readdir(join(trained, 'train-state'))).length > 0 ? await dirBytes(join(trained, 'train-state')) : 0;
      // Checkpoint: room for one training state (plus run.json and metrics), not for the second's temp file.
      const run = join(mnt, 'run');
      await fill(mnt, stateBytes + 64 * 1024);
      const t = await cli('train', '--out', run, ...TRAIN, ...TRAIN_TAIL);
      expect(t.code).not.toBe(0);
      expect(t.errors).toHaveLength(1);
      expect(t.stderr).toMatch(/ENOSPC|no space/i);
      const committed = await snapshot(run);
      expect(committed.has('run.json')).toBe(true);
      expect(await leftovers(run)).toEqual([]);
      await rm(join(mnt, 'filler'));
      const resumed = await cli('train', '--out', run, '--resume', ...TRAIN, ...TRAIN_TAIL);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stderr).toMatch(/resumed at step [12]\/3/);
      expect(differences(await snapshot(run), trainedFiles)).toEqual([]);
      summary.diskFull++;

      // Table: the run's files fill the disk but for a few KiB; the table's first write fails.
      const tdir = join(mnt, 'table');
      await cp(trained, tdir, { recursive: true });
      const before = await snapshot(tdir);
      await fill(mnt, 4096);
      const tb = await cli('table', '--run', tdir, ...TABLE);
      expect(tb.code).not.toBe(0);
      expect(tb.errors).toHaveLength(1);
      expect(await snapshot(tdir)).toEqual(before);
      expect(await leftovers(tdir)).toEqual([]);
      await rm(join(mnt, 'filler'));
      const again = await cli('table', '--run', tdir, ...TABLE);
      expect(again.code, again.stderr).toBe(0);
      expect(differences(await snapshot(tdir), tabledFiles)).toEqual([]);
      summary.diskFull++;
    } finally {
      execFileSync('umount', [mnt], { stdio: 'ignore' });
    }
  }, 300_000);

  it('truncated, bit-flipped or swapped files of every artefact type are named errors', async () => {
    const random = mulberry32(SEED + 1);
    const sharp = (await import('sharp')).default;
    const image = join(root, 'probe.png');
    await sharp(Buffer.alloc(28 * 28, 90), { raw: { width: 28, height: 28, channels: 1 } })
      .png()
      .toFile(image);
    const bin = async (dir: string, sub: string) =>
      join(sub, ((await readdir(join(dir, sub))).find((f) => f.endsWith('.bin')) as string) ?? 'missing.bin');
    const artefacts: { name: string; file: (dir: string) => Promise<string>; command: (dir: string) => string[]; named: RegExp }[] = [
      { name: 'run.json', file: async () => 'run.json', command: (d) => ['predict', image, '--run', d], named: /run\.json/ },
      { name: 'artefacts.json', file: async () => 'artefacts.json', command: (d) => ['query', '--run', d], named: /artefacts\.json|model/ },
      { name: 'model/model.json', file: async () => 'model/model.json', command: (d) => ['predict', image, '--run', d], named: /model/ },
      { name: 'model weights', file: (d) => bin(d, 'model'), command: (d) => ['predict', image, '--run', d], named: /model/ },
      { name: 'table.json', file: async () => 'table.json', command: (d) => ['predict', image, '--run', d], named: /table\.json/ },
      {
        name: 'train-state/model.json',
        file: async () => 'train-state/model.json',
        command: (d) => ['train', '--out', d, '--resume', ...TRAIN, ...TRAIN_TAIL],
        named: /train-state/,
      },
      {
        name: 'train-state weights',
        file: (d) => bin(d, 'train-state'),
        command: (d) => ['train', '--out', d, '--resume', ...TRAIN, ...TRAIN_TAIL],
        named: /train-state/,
      },
    ];
    let n = 0;
    for (const artefact of artefacts) {
      for (const mode of ['truncate', 'flip', 'swap'] as const) {
        const dir = join(root, `corrupt-${n++}`);
        await cp(tabled, dir, { recursive: true });
        const rel = await artefact.file(dir);
        const path = join(dir, rel);
        const bytes = await readFile(path);
        if (mode === 'truncate') await writeFile(path, bytes.subarray(0, bytes.length >> 1));
        if (mode === 'flip') {
          // JSON: not whitespace, and not table.json's createdAt (a wall-clock note outside its content hash).
          const text = bytes.toString('latin1');
          const created = text.indexOf('"createdAt"');
          const skip = rel === 'table.json' && created >= 0 ? [created, text.indexOf('\n', created)] : [-1, -1];
          const meaningful = [...bytes.keys()].filter(
            (i) => ((bytes[i] as number) > 0x20 || !rel.endsWith('.json')) && (i < (skip[0] as number) || i > (skip[1] as number)),
          );
          const at = meaningful[Math.floor(random() * meaningful.length)] as number;
          bytes[at] = (bytes[at] as number) ^ (1 << Math.floor(random() * 8));
          await writeFile(path, bytes);
        }
        if (mode === 'swap') await writeFile(path, await readFile(join(other, await artefact.file(other))));
        const r = await cli(...artefact.command(dir));
        expect(r.code, `${artefact.name} ${mode}: ${r.stderr}`).toBe(2);
        expect(r.errors, `${artefact.name} ${mode}`).toHaveLength(1);
        expect(r.errors[0], `${artefact.name} ${mode}`).toMatch(artefact.named);
        summary.corruption++;
      }
    }
  }, 300_000);
});
