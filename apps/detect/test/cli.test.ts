// End to end on a tiny generated set: make-data → train → eval → table → query → predict, the
// CLI's bad-input errors, and tensor leaks of the evaluation and prediction loops.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CocoDataset, evaluateCoco, parseResults } from '@adaptnet/coco';
import type { CliOutput } from '@adaptnet/train/node';
import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { colourOf, main } from '../src/index.js';

function capture(): CliOutput & { results: string[]; infos: string[] } {
  const results: string[] = [];
  const infos: string[] = [];
  return { results, infos, result: (t) => results.push(t), info: (t) => infos.push(t) };
}

async function cli(...argv: string[]) {
  const out = capture();
  const code = await main(argv, out);
  return {
    code,
    stdout: out.results.join('\n'),
    stderr: out.infos.join('\n'),
    errors: out.infos.filter((l) => l.startsWith('adaptnet-detect: error')),
  };
}

// 16 training scenes of 48–64 px, sizes 48/32, batches of 8: 2 MutualNet steps (the pipeline, not accuracy).
const DATA = [
  '--train',
  '16',
  '--val',
  '6',
  '--min-canvas',
  '48',
  '--max-canvas',
  '64',
  '--min-side',
  '12',
  '--max-side',
  '40',
  '--max-objects',
  '2',
];
const TRAIN = ['--sizes', '48,32', '--batch-size', '8', '--epochs', '1', '--progress', 'none'];
const QUICK = ['--calibration-samples', '8'];

const hex = (c: string) => [1, 3, 5].map((i) => Number.parseInt(c.slice(i, i + 2), 16));

describe('adaptnet-detect', () => {
  let root: string;
  let data: string;
  let run: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'detect-'));
    data = join(root, 'data');
    run = join(root, 'mutualnet');
    const made = await cli('make-data', '--out', data, ...DATA);
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toMatch(/^train: 16 images, \d+ boxes/m);
    const t = await cli('train', '--out', run, '--data', data, ...TRAIN);
    expect(t.code, t.stderr).toBe(0);
    expect(t.stderr).toMatch(
      /\[train\] mutualnet detector on .* \(16 images, 2 batches of 8 per epoch\), widths \[0.25, 1\], sizes 48\/32, 1 epoch\(s\) = 2 steps/,
    );
    expect(t.stderr).toMatch(/done: 2 steps/);
  }, 600_000);

  it("eval prints pycocotools' 12 lines and writes results JSON that evaluate to the same numbers", async () => {
    const e = await cli('eval', '--run', run, '--width', '0.5', '--size', '32', ...QUICK);
    expect(e.code, e.stderr).toBe(0);
    const lines = e.stdout.split('\n');
    expect(lines[0]).toMatch(/^width 0.5 size 32: [0-9.]+ MFLOPs, \d+ params, 6 images, \d+ detections$/);
    const summary = lines.slice(1, 13);
    expect(summary[0]).toMatch(/^ Average Precision {2}\(AP\) @\[ IoU=0\.50:0\.95 \| area= {3}all \| maxDets=100 \] = -?[0-9]\.[0-9]{3}$/);
    expect(summary[11]).toMatch(/^ Average Recall {5}\(AR\) @\[ IoU=0\.50:0\.95 \| area= large \| maxDets=100 \] = /);
    const resultsPath = (lines[13] as string).replace(/^results: /, '');
    const gt = CocoDataset.fromJson(JSON.parse(await readFile(join(data, 'annotations', 'instances_val.json'), 'utf8')));
    const again = evaluateCoco(gt, parseResults(JSON.parse(await readFile(resultsPath, 'utf8')), gt));
    expect(again.summarize()).toBe(summary.join('\n'));
  }, 300_000);

  it('table → query → predict', async () => {
    const table = await cli('table', '--run', run, '--width-step', '0.75', ...QUICK);
    expect(table.code, table.stderr).toBe(0);
    // Frontier lines: width, size, MFLOPs, params, box AP %, AP50 %, step; MFLOPs ascending, AP strictly increasing.
    const rows = table.stdout
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter((c) => c.length === 7 && /^[0-9.]+$/.test(c[0] as string))
      .map((c) => ({ mflops: Number(c[2]), ap: Number.parseFloat(c[4] as string) }));
    expect(rows.length).toBeGreaterThan(0);
    for (let i = 1; i < rows.length; i++) {
      expect((rows[i] as { mflops: number }).mflops).toBeGreaterThan((rows[i - 1] as { mflops: number }).mflops);
      expect((rows[i] as { ap: number }).ap).toBeGreaterThan((rows[i - 1] as { ap: number }).ap);
    }
    expect((await readFile(join(run, 'table.svg'), 'utf8')).startsWith('<svg')).toBe(true);
    const saved = JSON.parse(await readFile(join(run, 'table.json'), 'utf8')) as {
      metric: { name: string };
      rows: { key: string; macs: number; value: number; secondary: number }[];
    };
    expect(saved.metric.name).toBe('box AP');
    expect(saved.rows.map((r) => r.key).sort()).toEqual(['w0.250-r32', 'w0.250-r48', 'w1.000-r32', 'w1.000-r48']);
    // The table's AP of a configuration is the AP eval prints for it (same calibration images, same weights).
    const e = await cli('eval', '--run', run, '--width', '0.25', '--size', '32', ...QUICK);
    const printedAp = Number(
      (/\(AP\) @\[ IoU=0\.50:0\.95 \| area= {3}all \| maxDets=100 \] = (-?[0-9.]+)/.exec(e.stdout) as RegExpExecArray)[1],
    );
    expect((saved.rows.find((r) => r.key === 'w0.250-r32') as { value: number }).value).toBeCloseTo(printedAp, 3);

    // The most accurate row, and a budget of exactly its MACs, picks the same row (the budget is inclusive).
    const best = await cli('query', '--run', run, '--json');
    expect(best.code, best.stderr).toBe(0);
    const target = JSON.parse(best.stdout) as { key: string; macs: number };
    const q = await cli('query', '--run', run, '--max-mflops', String(target.macs / 1e6), '--json');
    expect(q.code, q.stderr).toBe(0);
    expect((JSON.parse(q.stdout) as { key: string }).key).toBe(target.key);
    const sorted = [...saved.rows].sort((a, b) => a.macs - b.macs);
    const below = await cli('query', '--run', run, '--max-mflops', String((sorted[0] as { macs: number }).macs / 2e6));
    expect(below.code).toBe(2);
    expect(below.errors).toHaveLength(1);
    expect(below.errors[0]).toMatch(/below the cheapest configuration in the table: w0\.250-r32/);

    // predict on a validation scene: a PNG of the same size with every printed box drawn in its class colour.
    const image = join(data, 'images', 'val_000001.png');
    const out = join(root, 'pred.png');
    const p = await cli('predict', image, '--run', run, '--out', out, '--score-threshold', '0.05', ...QUICK);
    expect(p.code, p.stderr).toBe(0);
    const plines = p.stdout.split('\n');
    expect(plines[0]).toMatch(/^width [0-9.]+ size \d+: [0-9.]+ MFLOPs, \d+ detection\(s\) with score >= 0.05$/);
    expect(plines[plines.length - 1]).toBe(`image: ${out}`);
    const meta = await sharp(image).metadata();
    const drawn = await sharp(out).raw().toBuffer({ resolveWithObject: true });
    expect([drawn.info.width, drawn.info.height]).toEqual([meta.width, meta.height]);
    const classNames = JSON.parse(await readFile(join(run, 'run.json'), 'utf8')).data.classNames as string[];
    const found = plines.slice(1, -1).map((line) => {
      const m = /^(.+) ([0-9.]+) \[([0-9.]+) ([0-9.]+) ([0-9.]+) ([0-9.]+)\]$/.exec(line) as RegExpExecArray;
      expect(m, line).not.toBeNull();
      return { label: classNames.indexOf(m[1] as string), x: Number(m[3]), y: Number(m[4]), w: Number(m[5]), h: Number(m[6]) };
    });
    expect(found.every((d) => d.label >= 0)).toBe(true);
    const last = found[found.length - 1];
    // A box clipped to zero width at the image's edge (x = width) has no column inside it to sample.
    if (last !== undefined && last.w >= 4 && last.h >= 4) {
      // The last box is drawn on top: the pixel column just inside its left edge is its class colour (stroke or caption tab).
      const px = Math.floor(last.x) + 1;
      const py = Math.floor(last.y + last.h / 2);
      const at = (py * drawn.info.width + px) * drawn.info.channels;
      const rgb = [0, 1, 2].map((c) => drawn.data[at + c] as number);
      hex(colourOf(last.label)).forEach((v, c) => expect(Math.abs((rgb[c] as number) - v)).toBeLessThanOrEqual(2));
    }
  }, 600_000);

  it('bad input: one clear line and exit code 2', async () => {
    // A colour image for a grey detector.
    const colour = join(root, 'colour.png');
    const px = new Uint8Array(32 * 32 * 3);
    for (let i = 0; i < 32 * 32; i++) px.set([200, 30, 30], i * 3);
    await sharp(px, { raw: { width: 32, height: 32, channels: 3 } })
      .png()
      .toFile(colour);
    const c = await cli('predict', colour, '--run', run, '--width', '1', '--size', '48');
    expect(c.code).toBe(2);
    expect(c.errors).toEqual([
      `adaptnet-detect: error: image ${colour} has 3-channel (RGB) pixels; this detector reads 1-channel (grey) images: pass --convert to convert it`,
    ]);
    // A classification run.
    const classify = join(root, 'classify-run');
    await mkdir(classify);
    await writeFile(
      join(classify, 'run.json'),
      JSON.stringify({ format: 'adaptnet-classify-run', version: 1, model: {}, data: {}, train: {} }),
    );
    for (const argv of [
      ['eval', '--run', classify],
      ['query', '--run', classify],
      ['predict', colour, '--run', classify],
    ]) {
      const r = await cli(...argv);
      expect(r.code, r.stderr).toBe(2);
      expect(r.errors).toHaveLength(1);
      expect(r.errors[0]).toMatch(/is an adaptnet-classify run \(a 2D image classifier\), not a detector; .*--backbone-from/);
    }
    // predict's --out never loses a file: not the input image, not an existing file without --force.
    const image = join(data, 'images', 'val_000001.png');
    const imageBytes = await readFile(image);
    const kept = join(root, 'kept.png');
    await writeFile(kept, 'keep me');
    for (const [argv, message] of [
      [['--out', image], /is the input image/],
      [['--out', kept], /kept\.png exists; pass --force to replace it/],
      [['--out', root], /is a folder; give a \.png file/],
      [['--out', join(root, 'no', 'such', 'p.png')], /the folder .*no\/such does not exist/],
    ] as const) {
      const r = await cli('predict', image, '--run', run, '--width', '1', '--size', '48', ...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.errors).toHaveLength(1);
      expect(r.errors[0]).toMatch(message);
    }
    expect(await readFile(image)).toEqual(imageBytes);
    expect(await readFile(kept, 'utf8')).toBe('keep me');
    const forced = await cli('predict', image, '--run', run, '--width', '1', '--size', '48', '--out', kept, '--force', ...QUICK);
    expect(forced.code, forced.stderr).toBe(0);
    expect((await readFile(kept)).subarray(1, 4).toString()).toBe('PNG');
    const huge = await cli('train', '--out', join(root, 'huge'), '--data', data, '--sizes', '1000000', ...TRAIN.slice(2));
    expect(huge.code).toBe(2);
    expect(huge.errors).toEqual([
      expect.stringMatching(
        /--sizes 1000000 is too large: at most \d+ for grey scenes \(a batch of 8 must fit in min\(2 GiB, RAM\/8\) as float32\)$/,
      ),
    ]);
    expect(existsSync(join(root, 'huge'))).toBe(false);
    const noData = await cli('train', '--out', join(root, 'x'));
    expect(noData.code).toBe(2);
    expect(noData.errors[0]).toMatch(/--data is required/);
    const badStrategy = await cli('train', '--out', join(root, 'y'), '--data', data, '--strategy', 'rsnet');
    expect(badStrategy.code).toBe(2);
    expect(badStrategy.stderr).toMatch(/argument 'rsnet' is invalid. Allowed choices are mutualnet, usnet, individual/);
    const untrained = await cli('eval', '--run', run, '--size', '40');
    expect(untrained.code).toBe(2);
    expect(untrained.errors[0]).toMatch(/--size 40 was not trained \(trained: 48, 32\)/);
  }, 300_000);

  it('evaluation and prediction do not leak tensors', async () => {
    const image = join(data, 'images', 'val_000002.png');
    const steps = [
      () => cli('eval', '--run', run, '--width', '0.25', '--size', '32', ...QUICK, '--max-images', '2'),
      () => cli('predict', image, '--run', run, '--width', '0.25', '--size', '32', '--out', join(root, 'leak.png'), '--force', ...QUICK),
    ];
    for (const step of steps) {
      expect((await step()).code).toBe(0);
      const before = tf.memory().numTensors;
      expect((await step()).code).toBe(0);
      expect((await step()).code).toBe(0);
      expect(tf.memory().numTensors).toBe(before);
    }
  }, 600_000);

  it('compare reuses a finished run of the same recipe, and refuses one of another', async () => {
    // 3 epochs of 2 steps: train derives a warm-up of 1 step (a fifth of the run), which the
    // recipe compare rebuilds from the flags cannot know; it must still count as the same recipe.
    const three = TRAIN.map((a) => (a === '1' ? '3' : a));
    const cmp = join(root, 'cmp3');
    const t = await cli('train', '--out', join(cmp, 'mutualnet'), '--data', data, ...three);
    expect(t.code, t.stderr).toBe(0);
    const quick = [...QUICK, '--max-images', '2'];
    const same = await cli('compare', '--out', cmp, '--strategies', 'mutualnet', '--configs', '1:48', '--data', data, ...three, ...quick);
    expect(same.code, same.stderr).toBe(0);
    expect(same.stderr).toMatch(/using the trained weights in .*mutualnet \(same recipe\)/);
    expect(same.stderr).not.toMatch(/\[train\]/);
    // A comparison of other cells in the same folder keeps the earlier compare.json (moved aside).
    const earlier = await readFile(join(cmp, 'compare.json'), 'utf8');
    const other = await cli(
      'compare',
      '--out',
      cmp,
      '--strategies',
      'mutualnet',
      '--configs',
      '0.5:48',
      '--data',
      data,
      ...three,
      ...quick,
    );
    expect(other.code, other.stderr).toBe(0);
    expect(other.stderr).toMatch(/the earlier .*compare\.json: it holds 1 row this run does not measure \(mutualnet at 1:48\)/);
    const aside = (await readdir(cmp)).filter((f) => f.startsWith('compare.')).sort();
    expect(aside).toEqual([
      'compare.json',
      expect.stringMatching(/^compare\.json\.stale-\d{8}T\d{6}Z$/),
      'compare.svg',
      expect.stringMatching(/^compare\.svg\.stale-\d{8}T\d{6}Z$/),
    ]);
    expect(await readFile(join(cmp, aside[1] as string), 'utf8')).toBe(earlier);
    const rows = (c: string) => (JSON.parse(c) as { rows: { config: { width: number } }[] }).rows.map((r) => r.config.width);
    expect(rows(await readFile(join(cmp, 'compare.json'), 'utf8'))).toEqual([0.5]);
    const r = await cli(
      'compare',
      '--out',
      root,
      '--strategies',
      'mutualnet',
      '--configs',
      '1:48',
      '--data',
      data,
      ...TRAIN.map((a) => (a === '1' ? '2' : a)),
    );
    expect(r.code).toBe(2);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(
      /mutualnet was trained with another recipe: recipe field train\.epochs differs: run has 1, given 2; a finished run is reused only with the same recipe/,
    );
  }, 300_000);

  it('--help lists every subcommand', async () => {
    const h = await cli('--help');
    expect(h.code).toBe(0);
    // No command at all is a usage error: the help goes to stderr and the exit code is 2.
    const none = await cli();
    expect(none.code).toBe(2);
    expect(none.stdout).toBe('');
    expect(none.stderr).toMatch(/^Usage: adaptnet-detect /);
    for (const c of ['make-data', 'train', 'eval', 'table', 'query', 'predict', 'flops', 'compare'])
      expect(h.stdout).toMatch(new RegExp(`\\n\\s+${c}\\b`));
  });
});
