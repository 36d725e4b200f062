// kill -9 of `adaptnet-detect train` inside a checkpoint write and inside the final weights'
// write, then `--resume`: the run's files equal an uninterrupted run's, no temp or lock files
// remain; and a second writer on a locked run folder is refused. (The classify suite covers the
// shared RunFolder more widely; this checks the detection app uses it the same way.)
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { differences, leftovers, runChild, snapshotRun } from '@adaptnet/testing/node';
import { TEMP_FILE_PATTERN } from '@adaptnet/train/node';
import { beforeAll, describe, expect, it } from 'vitest';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.js');
// An individually trained detector at width 0.25, size 32: 2 steps of 4 images, a checkpoint after each.
const TRAIN = ['--strategy', 'individual', '--width', '0.25', '--size', '32', '--sizes', '32', '--batch-size', '4', '--epochs', '1'];
const TAIL = ['--checkpoint-every', '1', '--progress', 'none'];

describe.skipIf(!existsSync(CLI))('fault injection on detection runs', () => {
  let root: string;
  let data: string;
  let reference: Map<string, string>;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'detect-fault-'));
    data = join(root, 'data');
    const made = runChild(CLI, [
      'make-data',
      '--out',
      data,
      '--train',
      '8',
      '--val',
      '2',
      '--min-canvas',
      '48',
      '--max-canvas',
      '48',
      '--max-side',
      '32',
    ]);
    expect((await made.exited).code).toBe(0);
    const dir = join(root, 'reference');
    const t = await runChild(CLI, ['train', '--out', dir, '--data', data, ...TRAIN, ...TAIL]).exited;
    expect(t.code, t.stderr).toBe(0);
    reference = await snapshotRun(dir);
    expect(reference.has('model/model.json')).toBe(true);
  }, 600_000);

  for (const point of ['train-state/weights@2', 'model/weights']) {
    it(`killed inside the write of ${point}, resumed: identical files, nothing left over`, async () => {
      const dir = join(root, `kill-${point.replace(/\W/g, '-')}`);
      const run = runChild(CLI, ['train', '--out', dir, '--data', data, ...TRAIN, ...TAIL], point);
      expect(await run.paused).toBe(true);
      run.child.kill('SIGKILL');
      expect((await run.exited).signal).toBe('SIGKILL');
      const resumed = await runChild(CLI, ['train', '--out', dir, '--data', data, '--resume', ...TRAIN, ...TAIL]).exited;
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(differences(await snapshotRun(dir), reference)).toEqual([]);
      expect(await leftovers(dir, TEMP_FILE_PATTERN)).toEqual([]);
    }, 600_000);
  }

  it('a second writer on a run folder in use is refused, naming the owner', async () => {
    const dir = join(root, 'collide');
    const holder = runChild(CLI, ['train', '--out', dir, '--data', data, ...TRAIN, ...TAIL], 'train-state/weights@1');
    expect(await holder.paused).toBe(true);
    const second = await runChild(CLI, ['train', '--out', dir, '--data', data, '--resume', ...TRAIN, ...TAIL]).exited;
    expect(second.code, second.stderr).toBe(2);
    expect(second.stderr).toMatch(new RegExp(`in use by process ${holder.child.pid} on `));
    holder.child.kill('SIGKILL');
    await holder.exited;
  }, 600_000);
});
