// End to end on a tiny generated set: make-data → train → eval → table → query → predict, the
// CLI's bad-input errors, and tensor leaks of the evaluation and prediction loops.
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
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

// 48 training scenes of 64–96 px, sizes 96/64, batches of 8: 12 MutualNet steps.
const DATA = [
  '--train',
  '48',
  '--val',
  '12',
  '--min-canvas',
  '64',
  '--max-canvas',
  '96',
  '--min-side',
  '16',
  '--max-side',
  '64',
  '--max-objects',
  '2',
];
const TRAIN = ['--sizes', '96,64', '--batch-size', '8', '--epochs', '2', '--progress', 'none'];
const QUICK = ['--calibration-samples', '16'];

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
    expect(made.stdout).toMatch(/^train: 48 images, \d+ boxes/m);
    const t = await cli('train', '--out', run, '--data', data, ...TRAIN);
    expect(t.code, t.stderr).toBe(0);
    expect(t.stderr).toMatch(
      /\[train\] mutualnet detector on .* \(48 images, 6 batches of 8 per epoch\), widths \[0.25, 1\], sizes 96\/64, 2 epoch\(s\) = 12 steps/,
    );
    expect(t.stderr).toMatch(/done: 12 steps/);
  }, 240_000);

  it("eval prints pycocotools' 12 lines and writes results JSON that evaluate to the same numbers", async () => {
    const e = await cli('eval', '--run', run, '--width', '0.5', '--size', '64', ...QUICK);
    expect(e.code, e.stderr).toBe(0);
    const lines = e.stdout.split('\n');
    expect(lines[0]).toMatch(/^width 0.5 size 64: [0-9.]+ MFLOPs, \d+ params, 12 images, \d+ detections$/);
    const summary = lines.slice(1, 13);
    expect(summary[0]).toMatch(/^ Average Precision {2}\(AP\) @\[ IoU=0\.50:0\.95 \| area= {3}all \| maxDets=100 \] = -?[0-9]\.[0-9]{3}$/);
    expect(summary[11]).toMatch(/^ Average Recall {5}\(AR\) @\[ IoU=0\.50:0\.95 \| area= large \| maxDets=100 \] = /);
    const resultsPath = (lines[13] as string).replace(/^results: /, '');
    const gt = CocoDataset.fromJson(JSON.parse(await readFile(join(data, 'annotations', 'instances_val.json'), 'utf8')));
    const again = evaluateCoco(gt, parseResults(JSON.parse(await readFile(resultsPath, 'utf8')), gt));
    expect(again.summarize()).toBe(summary.join('\n'));
  }, 120_000);

  it('table → query → predict', async () => {
    const table = await cli('table', '--run', run, '--width-step', '0.25', ...QUICK);
    expect(table.code, table.stderr).toBe(0);
    // Frontier lines: width, size, MFLOPs, params, AP, AP50, AP75; MFLOPs ascending, AP strictly increasing.
    const rows = table.stdout
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter((c) => c.length === 7 && /^[0-9.]+$/.test(c[0] as string))
      .map((c) => ({ width: Number(c[0]), size: Number(c[1]), mflops: Number(c[2]), ap: Number(c[4]) }));
    expect(rows.length).toBeGreaterThan(0);
    for (let i = 1; i < rows.length; i++) {
      expect((rows[i] as { mflops: number }).mflops).toBeGreaterThan((rows[i - 1] as { mflops: number }).mflops);
      expect((rows[i] as { ap: number }).ap).toBeGreaterThan((rows[i - 1] as { ap: number }).ap);
    }
    expect((await readFile(join(run, 'table.svg'), 'utf8')).startsWith('<svg')).toBe(true);
    const saved = JSON.parse(await readFile(join(run, 'table.json'), 'utf8')) as { rows: { key: string; macs: number; stats: number[] }[] };
    expect(saved.rows).toHaveLength(8); // widths 0.25, 0.5, 0.75, 1 × sizes 96, 64

    // A budget of exactly a frontier row's MACs picks that row (the budget is inclusive).
    const sorted = [...saved.rows].sort((a, b) => a.macs - b.macs || (b.stats[0] as number) - (a.stats[0] as number));
    const frontier = sorted.filter((r, i) => sorted.slice(0, i).every((c) => (c.stats[0] as number) < (r.stats[0] as number)));
    const target = frontier[Math.min(1, frontier.length - 1)] as { key: string; macs: number };
    const q = await cli('query', '--run', run, '--max-mflops', String(target.macs / 1e6), '--json');
    expect(q.code, q.stderr).toBe(0);
    expect((JSON.parse(q.stdout) as { key: string }).key).toBe(target.key);
    const below = await cli('query', '--run', run, '--max-mflops', String((sorted[0] as { macs: number }).macs / 2e6));
    expect(below.code).toBe(2);
    expect(below.errors).toHaveLength(1);
    expect(below.errors[0]).toMatch(/no configuration fits .*: the cheapest is width [0-9.]+ size \d+ at /);

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
    for (const line of plines.slice(1, -1)) {
      const m = /^(.+) ([0-9.]+) \[([0-9.]+) ([0-9.]+) ([0-9.]+) ([0-9.]+)\]$/.exec(line);
      expect(m, line).not.toBeNull();
      const label = classNames.indexOf((m as RegExpExecArray)[1] as string);
      expect(label).toBeGreaterThanOrEqual(0);
    }
  }, 240_000);

  it('bad input: one clear line and exit code 2', async () => {
    // A colour image for a grey detector.
    const colour = join(root, 'colour.png');
    const px = new Uint8Array(32 * 32 * 3);
    for (let i = 0; i < 32 * 32; i++) px.set([200, 30, 30], i * 3);
    await sharp(px, { raw: { width: 32, height: 32, channels: 3 } })
      .png()
      .toFile(colour);
    const c = await cli('predict', colour, '--run', run, '--width', '1', '--size', '96');
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
    const noData = await cli('train', '--out', join(root, 'x'));
    expect(noData.code).toBe(2);
    expect(noData.errors[0]).toMatch(/--data is required/);
    const badStrategy = await cli('train', '--out', join(root, 'y'), '--data', data, '--strategy', 'rsnet');
    expect(badStrategy.code).toBe(2);
    expect(badStrategy.stderr).toMatch(/argument 'rsnet' is invalid. Allowed choices are mutualnet, usnet, individual/);
    const untrained = await cli('eval', '--run', run, '--size', '80');
    expect(untrained.code).toBe(2);
    expect(untrained.errors[0]).toMatch(/--size 80 was not trained \(trained: 96, 64\)/);
  }, 60_000);

  it('evaluation and prediction do not leak tensors', async () => {
    const image = join(data, 'images', 'val_000002.png');
    const steps = [
      () => cli('eval', '--run', run, '--width', '0.25', '--size', '64', ...QUICK, '--max-images', '4'),
      () => cli('predict', image, '--run', run, '--width', '0.25', '--size', '64', '--out', join(root, 'leak.png'), ...QUICK),
    ];
    for (const step of steps) {
      expect((await step()).code).toBe(0);
      const before = tf.memory().numTensors;
      expect((await step()).code).toBe(0);
      expect((await step()).code).toBe(0);
      expect(tf.memory().numTensors).toBe(before);
    }
  }, 120_000);

  it('--help lists every subcommand', async () => {
    const h = await cli('--help');
    expect(h.code).toBe(0);
    for (const c of ['make-data', 'train', 'eval', 'table', 'query', 'predict', 'flops', 'compare'])
      expect(h.stdout).toMatch(new RegExp(`\\n\\s+${c}\\b`));
  });
});

export { hex, colourOf };
