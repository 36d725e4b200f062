// Fault injection on video run folders, with the helpers classify's suite uses: kill -9 at seeded
// points of `train` and `table` (mid-write via ADAPTNET_FAULT_PAUSE_IN_WRITE, or after a delay),
// resume, and compare with an uninterrupted run; a second writer on a locked folder; an edited
// table. ADAPTNET_FAULT_KILLS sets the kill points (default 2: one train, one table).
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { differences, leftovers, mulberry32, runChild, snapshotRun } from '@adaptnet/testing/node';
import { TEMP_FILE_PATTERN } from '@adaptnet/train/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './helpers.js';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.js');
const KILLS = Number(process.env.ADAPTNET_FAULT_KILLS ?? 2);
const SEED = Number(process.env.ADAPTNET_FAULT_SEED ?? 16);

// US-Net on 24 clips, batches of 8: 3 steps, a checkpoint after each; its table is 2 rows.
const TRAIN = [
  '--strategy',
  'usnet',
  '--train-clips',
  '24',
  '--test-clips',
  '8',
  '--batch-size',
  '8',
  '--epochs',
  '1',
  '--resolutions',
  '12',
  '--frames',
  '2',
  '--stride',
  '8',
  '--width-min',
  '0.5',
  '--checkpoint-every',
  '1',
  '--no-eval',
  '--progress',
  'none',
];
const TABLE = ['--width-step', '0.5', '--calibration-clips', '8'];

describe.skipIf(!existsSync(CLI))('fault injection on video run folders', () => {
  let root: string;
  let trained: string;
  let trainedFiles: Map<string, string>;
  let tabledFiles: Map<string, string>;
  const killPoints: string[] = [];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'video-fault-'));
    trained = join(root, 'trained');
    const t = await cli('train', '--out', trained, ...TRAIN);
    expect(t.code, t.stderr).toBe(0);
    trainedFiles = await snapshotRun(trained);
    const tabled = join(root, 'tabled');
    await cp(trained, tabled, { recursive: true });
    const tb = await cli('table', '--run', tabled, ...TABLE);
    expect(tb.code, tb.stderr).toBe(0);
    tabledFiles = await snapshotRun(tabled);
  }, 240_000);

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
    if (killPoints.length > 0) console.log(`[video fault-injection] kill points (seed ${SEED}): ${killPoints.join(', ')}`);
  });

  it(`kill -9 at ${KILLS} seeded points of train and table, resume: identical files, no temp files`, async () => {
    const random = mulberry32(SEED);
    const trainPoints = [
      'run.json',
      'metrics.jsonl@2',
      'train-state/weights@1',
      'train-state/weights@2',
      'train-state/model.json@2',
      'model/weights',
      'artefacts.json',
      'delay',
    ];
    const tablePoints = ['table.json@1', 'table.json@2', 'artefacts.json', 'table.svg', 'delay'];
    for (let i = 0; i < KILLS; i++) {
      const isTrain = i % 2 === 0;
      const pool = isTrain ? trainPoints : tablePoints;
      const point = pool[Math.floor(random() * pool.length)] as string;
      const dir = join(root, `kill-${i}`);
      if (!isTrain) await cp(trained, dir, { recursive: true });
      const args = isTrain ? ['train', '--out', dir, ...TRAIN] : ['table', '--run', dir, ...TABLE];
      const child = runChild(CLI, args, point === 'delay' ? undefined : point);
      if (point === 'delay') await Promise.race([new Promise((r) => setTimeout(r, 1500 + Math.floor(random() * 4000))), child.exited]);
      else await child.paused;
      child.child.kill('SIGKILL');
      const killed = await child.exited;
      killPoints.push(`${isTrain ? 'train' : 'table'}:${point}${killed.signal === 'SIGKILL' ? '' : '(finished first)'}`);
      const resumed = runChild(CLI, isTrain ? ['train', '--out', dir, '--resume', ...TRAIN] : args);
      const done = await resumed.exited;
      expect(done.code, `${point}: ${done.stderr}`).toBe(0);
      expect(differences(await snapshotRun(dir), isTrain ? trainedFiles : tabledFiles), `kill point ${i} (${point})`).toEqual([]);
      expect(await leftovers(dir, TEMP_FILE_PATTERN)).toEqual([]);
    }
  }, 600_000);

  it('a second writer is refused while train holds the folder', async () => {
    const dir = join(root, 'collide');
    const holder = runChild(CLI, ['train', '--out', dir, ...TRAIN], 'train-state/weights@2');
    expect(await holder.paused).toBe(true);
    const second = runChild(CLI, ['table', '--run', dir, ...TABLE]);
    const r = await second.exited;
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`in use by process ${holder.child.pid} on `));
    holder.child.kill('SIGKILL');
    await holder.exited;
  }, 240_000);

  it('an edited table (BN statistics) is a named error for predict and query', async () => {
    const dir = join(root, 'edited');
    await cp(join(root, 'tabled'), dir, { recursive: true });
    const path = join(dir, 'table.json');
    const text = await readFile(path, 'utf8');
    await writeFile(
      path,
      text.replace(/"mean":\s*\[\s*(-?[0-9.e-]+)/, (_m, v: string) => `"mean": [${Number(v) + 1}`),
    );
    const q = await cli('query', '--run', dir);
    expect(q.code).toBe(2);
    expect(q.errors).toHaveLength(1);
    expect(q.errors[0]).toMatch(/table\.json.*adaptnet-video table --run/);
  });
});
