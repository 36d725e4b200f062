// Regression tests for the nine run-folder defects of issue #14, one `describe` block per defect.
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main, type Output } from '../src/index.js';

function capture(): Output & { results: string[]; infos: string[] } {
  const results: string[] = [];
  const infos: string[] = [];
  return { results, infos, result: (t) => results.push(t), info: (t) => infos.push(t) };
}

async function cli(...argv: string[]) {
  const out = capture();
  const code = await main(argv, out);
  return { code, stdout: out.results.join('\n'), stderr: out.infos.join('\n'), errors: out.infos.filter((l) => l.includes('error')) };
}

// 2 steps of MutualNet at half width on 128 images; tables on a 2 × 2 grid.
const recipe = [
  '--train-subset',
  '128',
  '--batch-size',
  '64',
  '--epochs',
  '1',
  '--width-max',
  '0.5',
  '--resolutions',
  '20,16',
  '--progress',
  'none',
];
const quickTable = ['--width-step', '0.25', '--calibration-samples', '64', '--max-batches', '1'];

async function snapshot(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(path.slice(dir.length), (await readFile(path)).toString('base64'));
  }
  return files;
}

describe('run-folder safety (issue #14 regressions)', () => {
  let root: string;
  let base: string; // a finished run with its table
  let image: string;
  let copies = 0;
  const copy = async () => {
    const dir = join(root, `copy-${copies++}`);
    await cp(base, dir, { recursive: true });
    return dir;
  };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'run-safety-'));
    base = join(root, 'base');
    const t = await cli('train', '--out', base, ...recipe);
    expect(t.code, t.stderr).toBe(0);
    const table = await cli('table', '--run', base, ...quickTable);
    expect(table.code, table.stderr).toBe(0);
    image = join(root, 'item.png');
    const sharp = (await import('sharp')).default;
    await sharp(Buffer.alloc(28 * 28, 128), { raw: { width: 28, height: 28, channels: 1 } })
      .png()
      .toFile(image);
  }, 120_000);
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('1: train without --resume on a finished run refuses and keeps every file', async () => {
    const run = await copy();
    const before = await snapshot(run);
    const r = await cli('train', '--out', run, '--train-subset', '64', '--batch-size', '64', '--epochs', '0.01', '--progress', 'none');
    expect(r.code).toBe(2);
    expect(r.errors).toHaveLength(1);
    expect(r.stderr).toMatch(/is not empty.*--resume.*--force/);
    expect(await snapshot(run)).toEqual(before);
  });

  it('1: --force moves the old run aside instead of deleting it', async () => {
    const run = await copy();
    const before = await snapshot(run);
    const r = await cli('train', '--out', run, '--force', ...recipe, '--seed', '3', '--epochs', '0.5');
    expect(r.code, r.stderr).toBe(0);
    const backup = r.stderr.match(/moved to (\S+)/)?.[1];
    expect(backup).toBeDefined();
    expect(await snapshot(backup as string)).toEqual(before);
    await expect(readFile(join(run, 'table.json'))).rejects.toThrow(/ENOENT/);
  }, 60_000);

  it('2: a refused train leaves run.json as it was; compare validates before creating folders', async () => {
    const run = await copy();
    const before = await readFile(join(run, 'run.json'), 'utf8');
    const bad = await cli('train', '--out', run, '--strategy', 'individual', '--width', '1.5', ...recipe);
    expect(bad.code).toBe(2);
    expect(await readFile(join(run, 'run.json'), 'utf8')).toBe(before);
    const seed = await cli('train', '--out', run, '--resume', ...recipe, '--seed', '5');
    expect(seed.code).toBe(2);
    expect(seed.stderr).toMatch(/recipe field \S*seed differs: run has 0, given 5/);
    expect(await readFile(join(run, 'run.json'), 'utf8')).toBe(before);
    const cmp = join(root, 'compare-bad');
    const c = await cli(
      'compare',
      '--out',
      cmp,
      '--configs',
      '1.5:28',
      '--train-subset',
      '128',
      '--batch-size',
      '64',
      '--progress',
      'none',
    );
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/width 1\.5 is outside the trained width range \[0\.25, 1\]/);
    await expect(readdir(cmp)).rejects.toThrow(/ENOENT/);
  });

  it('3: predict refuses foreign weights and an edited table with a named error', async () => {
    const other = join(root, 'usnet');
    const u = await cli('train', '--out', other, '--strategy', 'usnet', ...recipe);
    expect(u.code, u.stderr).toBe(0);
    const swapped = await copy();
    await rm(join(swapped, 'model'), { recursive: true });
    await cp(join(other, 'model'), join(swapped, 'model'), { recursive: true });
    const p = await cli('predict', image, '--run', swapped);
    expect(p.code).toBe(2);
    expect(p.stderr).toMatch(/model/);
    expect(p.stderr).toMatch(/adaptnet-classify (train|table)/);

    const edited = await copy();
    const path = join(edited, 'table.json');
    const table = JSON.parse(await readFile(path, 'utf8')) as {
      bnStatistics: Record<string, { layers: Record<string, { mean: number[] }> }>;
    };
    const stats = Object.values(table.bnStatistics)[0];
    const layer = Object.values(stats?.layers ?? {})[0];
    if (layer) layer.mean[0] = (layer.mean[0] ?? 0) + 1;
    await writeFile(path, JSON.stringify(table));
    const e = await cli('predict', image, '--run', edited);
    expect(e.code).toBe(2);
    expect(e.stderr).toMatch(/table\.json.*adaptnet-classify table --run/);
  }, 60_000);

  it('4: two trains into one folder: one is refused by the lock', async () => {
    const run = join(root, 'concurrent');
    const [a, b] = await Promise.all([cli('train', '--out', run, ...recipe), cli('train', '--out', run, ...recipe, '--seed', '1')]);
    expect([a.code, b.code].sort()).toEqual([0, 2]);
    expect((a.code === 2 ? a : b).stderr).toMatch(/in use by process \d+ on /);
    const metrics = (await readFile(join(run, 'metrics.jsonl'), 'utf8')).trim().split('\n');
    expect(metrics.map((l) => (JSON.parse(l) as { step: number }).step)).toEqual([1, 2]);
  }, 60_000);

  it('5: --resume with another recipe names the differing field', async () => {
    const run = await copy();
    const r = await cli('train', '--out', run, '--resume', ...recipe, '--lr', '0.2');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--resume: recipe field \S*lr differs: run has 0\.1, given 0\.2/);
    const s = await cli('train', '--out', run, '--resume', ...recipe.map((a) => (a === '128' ? '192' : a)));
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(/recipe field \S*trainSubset differs: run has 128, given 192/);
  });

  it('6: predict refuses a device or oversized input instead of reading it', async () => {
    const r = await cli('predict', '/dev/zero', '--run', base);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\/dev\/zero is not a regular file/);
    const q = await cli('query', '--run', base, '--table', '/dev/zero');
    expect(q.code).toBe(2);
  });

  it('7: bad input is one line and exit code 2', async () => {
    const res = await cli('train', '--out', join(root, 'huge'), ...recipe, '--resolutions', '100000');
    expect(res.code).toBe(2);
    expect(res.errors).toHaveLength(1);
    expect(res.stderr).toMatch(/resolution 100000 .*at most \d+/);
    const ev = await cli('eval', '--run', base, '--resolution', '100000');
    expect(ev.code).toBe(2);
    expect(ev.stderr).toMatch(/resolution 100000/);
    const untrained = await cli('eval', '--run', base, '--resolution', '1');
    expect(untrained.code).toBe(2);
    expect(untrained.stderr).toMatch(/resolution 1 was not trained \(trained: 20, 16\)/);
    const file = join(root, 'a-file');
    await writeFile(file, 'x');
    const out = await cli('train', '--out', file, ...recipe);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/--out .*a-file is a file, not a folder/);
    const commander = await cli('train', '--out', join(root, 'c'), '--epochs', 'many');
    expect(commander.code).toBe(2);
    expect(commander.stderr.split('\n')).toHaveLength(1);
    expect(commander.stderr).toMatch(/^adaptnet-classify: error: .*--epochs must be a number > 0, got 'many' \(see --help\)$/);
    const yaml = join(root, 'bad.yaml');
    await writeFile(yaml, 'epochs: [1,\n  lr: {\n');
    const y = await cli('train', '--out', join(root, 'y'), '--config', yaml);
    expect(y.code).toBe(2);
    expect(y.stderr.split('\n')).toHaveLength(1);
    expect(y.stderr).toMatch(/bad\.yaml is not valid YAML/);
  });

  it('8: orphaned temp files of an interrupted write are removed on the next open', async () => {
    const run = await copy();
    const orphans = [join(run, '.table.json.0123456789ab.tmp'), join(run, 'model', '.model.json.0123456789ab.tmp')];
    for (const o of orphans) await writeFile(o, 'partial');
    const r = await cli('table', '--run', run, ...quickTable);
    expect(r.code, r.stderr).toBe(0);
    for (const o of orphans) await expect(readFile(o)).rejects.toThrow(/ENOENT/);
  }, 60_000);

  it('9: --checkpoint-every is a flag, and the default checkpoints within an epoch on small data', async () => {
    const run = join(root, 'every');
    await mkdir(run);
    const r = await cli('train', '--out', run, ...recipe, '--checkpoint-every', '1', '--epochs', '0.5');
    expect(r.code, r.stderr).toBe(0);
    const manifest = JSON.parse(await readFile(join(run, 'run.json'), 'utf8')) as { train: { checkpointEvery: number } };
    expect(manifest.train.checkpointEvery).toBe(1);
    const d = join(root, 'every-default');
    const def = await cli('train', '--out', d, ...recipe, '--epochs', '0.5');
    expect(def.code, def.stderr).toBe(0);
    const dm = JSON.parse(await readFile(join(d, 'run.json'), 'utf8')) as { train: { checkpointEvery: number } };
    expect(dm.train.checkpointEvery).toBeGreaterThan(0);
    expect(dm.train.checkpointEvery).toBeLessThanOrEqual(2); // 2 batches per epoch here
  }, 60_000);
});
