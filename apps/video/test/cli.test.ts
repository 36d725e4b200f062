import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main as classify } from '@adaptnet/classify';
import { VideoStream } from '@adaptnet/data';
import { loadVideoDataset } from '@adaptnet/data/node';
import { loadQueryTable } from '@adaptnet/query-table/node';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTrainedRun, type Output, readRunManifest } from '../src/index.js';
import { writeClipVideo } from './clips.js';
import { capture, cli } from './helpers.js';

// A tiny but real run: 32 moving-actions clips, batches of 8, one epoch (4 steps); 2 sizes × 2 frame counts.
const TINY = [
  '--train-clips',
  '32',
  '--test-clips',
  '16',
  '--batch-size',
  '8',
  '--epochs',
  '1',
  '--resolutions',
  '16,12',
  '--frames',
  '4,2',
  '--stride',
  '4',
  '--width-min',
  '0.5',
  '--progress',
  'none',
];
const QUICK_TABLE = ['--width-step', '0.5', '--calibration-clips', '16'];

interface FrontierLine {
  width: number;
  resolution: number;
  frames: number;
  mflops: number;
  top1: number;
  step: string;
}

/** The frontier lines `table` prints: width, resolution, frames, MFLOPs, params, top-1, top-5, step. */
function frontierOf(stdout: string): FrontierLine[] {
  return stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((c) => c.length >= 7 && /^[0-9.]+$/.test(c[0] as string) && /^[0-9]+$/.test(c[2] as string))
    .map((c) => ({
      width: Number(c[0]),
      resolution: Number(c[1]),
      frames: Number(c[2]),
      mflops: Number(c[3]),
      top1: Number.parseFloat(c[5] as string),
      step: c[7] ?? '',
    }));
}

describe('adaptnet-video end to end on a tiny clip set', () => {
  let root: string;
  let run: string;
  let train: Awaited<ReturnType<typeof cli>>;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'video-app-'));
    run = join(root, 'mutualnet');
    train = await cli('train', '--out', run, ...TINY);
  }, 300_000);
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('train prints the recipe and the full network’s test top-1', () => {
    expect(train.code, train.stderr).toBe(0);
    expect(train.stderr).toMatch(/\[train\] mutualnet slow-small on moving-fashion \(32 clips, 4 batches of 8 per epoch\)/);
    expect(train.stderr).toMatch(/sizes 16\/12, frames 4\/2 \(window 4 × stride 4\)/);
    expect(train.stderr).toMatch(/done: 4 steps in [0-9.]+ s \([0-9.]+ clips\/s, [0-9.]+ s per epoch\)/);
    expect(train.stdout).toMatch(/^trained .*mutualnet: top-1 [0-9.]+% of 16 test clips at the full configuration \(chance 12\.5%\)/);
  });

  it('table → query → predict: frontier with step dimensions, budget queries, predictions from decoded videos', async () => {
    const table = await cli('table', '--run', run, ...QUICK_TABLE);
    expect(table.code, table.stderr).toBe(0);
    const frontier = frontierOf(table.stdout);
    expect(frontier.length).toBeGreaterThan(0);
    for (let i = 1; i < frontier.length; i++) {
      const [a, b] = [frontier[i - 1] as FrontierLine, frontier[i] as FrontierLine];
      expect(b.mflops).toBeGreaterThan(a.mflops);
      expect(b.top1).toBeGreaterThan(a.top1);
      // The step names what changed from the previous frontier row.
      const changed = [
        a.width !== b.width && 'width',
        a.resolution !== b.resolution && 'spatial',
        a.frames !== b.frames && 'temporal',
      ].filter(Boolean);
      expect(b.step).toBe(changed.length === 1 ? changed[0] : 'several');
    }
    const saved = await loadQueryTable(join(run, 'table.json'));
    expect(saved.rows).toHaveLength(8); // widths 0.5, 1 × sizes 16, 12 × frames 4, 2
    expect(new Set(saved.rows.map((r) => r.config.frames))).toEqual(new Set([4, 2]));
    expect((await readFile(join(run, 'table.svg'), 'utf8')).startsWith('<svg')).toBe(true);

    // A budget of exactly a frontier row's MACs picks that row (inclusive); below the cheapest is a named error.
    const target = saved.frontier[Math.min(1, saved.frontier.length - 1)] as (typeof saved.frontier)[number];
    const q = await cli('query', '--run', run, '--max-mflops', String(target.macs / 1e6), '--json');
    expect(q.code, q.stderr).toBe(0);
    expect((JSON.parse(q.stdout) as { key: string }).key).toBe(target.key);
    const tooSmall = await cli('query', '--run', run, '--max-mflops', '0.0001');
    expect(tooSmall.code).toBe(2);
    expect(tooSmall.errors).toHaveLength(1);
    expect(tooSmall.stderr).toMatch(/cheapest/);

    // predict: a test clip written as a lossless video and decoded by ffmpeg gives the probabilities
    // of the network run directly on the rendered clip (same window, crop, configuration, BN statistics).
    const manifest = await readRunManifest(run);
    const test = await loadVideoDataset('moving-fashion', {
      split: 'test',
      actions: { size: 16, canvas: manifest.data.side, seed: 0, distractors: manifest.data.distractors ?? 3 },
    });
    const videos = join(root, 'videos');
    await mkdir(videos);
    await writeClipVideo(test, 0, join(videos, 'a.mkv'));
    await writeClipVideo(test, 1, join(videos, 'b.mkv'));
    const p = await cli('predict', join(videos, 'a.mkv'), '--run', run, '--max-mflops', String(target.macs / 1e6), '--top', '8');
    expect(p.code, p.stderr).toBe(0);
    const lines = p.stdout.split('\n');
    expect(lines[0]).toMatch(
      new RegExp(`^width ${target.config.width} resolution ${target.config.resolution} frames ${target.config.frames}: `),
    );
    const printed = new Map(lines.slice(1).map((l) => [l.trim().split(/\s+/)[1] as string, Number.parseFloat(l) / 100]));
    expect([...printed.keys()].sort()).toEqual([...test.classNames].sort());

    const { model } = await loadTrainedRun(run, manifest);
    saved.applyStatistics(model, target.config);
    const stream = new VideoStream(test, {
      batchSize: 1,
      frames: manifest.data.clipFrames,
      stride: manifest.data.stride,
      eval: { kind: 'center-crop', cropFraction: manifest.data.evalCropFraction },
      normalize: manifest.data.normalize,
    });
    for await (const batch of stream.epoch(0)) {
      const probs = tf.tidy(() =>
        tf.softmax(
          model.forward(batch.clips(target.config.resolution, target.config.frames), {
            config: target.config,
            training: false,
          }) as tf.Tensor2D,
        ),
      );
      const expected = Array.from(probs.dataSync());
      probs.dispose();
      batch.dispose();
      test.classNames.forEach((name, i) => expect(printed.get(name)).toBeCloseTo(expected[i] as number, 3));
      break;
    }
    model.dispose();

    // A folder: one block per video, in name order.
    const folder = await cli('predict', videos, '--run', run, '--top', '2');
    expect(folder.code, folder.stderr).toBe(0);
    expect(folder.stdout.split('\n').filter((l) => l.endsWith('.mkv:'))).toEqual([
      `${join(videos, 'a.mkv')}:`,
      `${join(videos, 'b.mkv')}:`,
    ]);
  }, 300_000);

  it('bad input: one line, exit code 2 — untrained frames, undecodable video, a 2D run', async () => {
    const frames = await cli('eval', '--run', run, '--frames', '3');
    expect(frames.code).toBe(2);
    expect(frames.errors).toEqual([
      'adaptnet-video: error: --frames 3: frames 3 was not trained (trained: 4, 2); pass --allow-untrained to evaluate it anyway',
    ]);
    const notVideo = join(root, 'notes.mp4');
    await writeFile(notVideo, 'this is text, not a video');
    const p = await cli('predict', notVideo, '--run', run);
    expect(p.code).toBe(2);
    expect(p.errors).toHaveLength(1);
    expect(p.errors[0]).toMatch(new RegExp(`^adaptnet-video: error: cannot read video ${notVideo}: .*Invalid data`));
    const missing = await cli('predict', join(root, 'nothing.mp4'), '--run', run);
    expect(missing.errors).toEqual([`adaptnet-video: error: cannot read video ${join(root, 'nothing.mp4')}: no such file or folder`]);

    // A real 2D run of adaptnet-classify, and this video run given to adaptnet-classify.
    const image = join(root, 'image-run');
    const quiet: Output = capture();
    const made = await classify(
      [
        'train',
        '--out',
        image,
        '--train-subset',
        '64',
        '--batch-size',
        '64',
        '--epochs',
        '1',
        '--resolutions',
        '16',
        '--width-max',
        '0.5',
        '--progress',
        'none',
      ],
      quiet,
    );
    expect(made).toBe(0);
    for (const args of [
      ['eval', '--run', image],
      ['table', '--run', image],
      ['predict', join(root, 'videos', 'a.mkv'), '--run', image],
    ]) {
      const r = await cli(...args);
      expect(r.code, args[0]).toBe(2);
      expect(r.errors).toEqual([
        `adaptnet-video: error: ${image} is a run of adaptnet-classify (run.json format adaptnet-classify-run), not of adaptnet-video; use adaptnet-classify on it, or give a run trained with: adaptnet-video train`,
      ]);
    }
    const back = capture();
    expect(await classify(['eval', '--run', run], back)).toBe(2);
    expect(back.infos).toEqual([
      `adaptnet-classify: error: ${run} is a run of adaptnet-video (run.json format adaptnet-video-run), not of adaptnet-classify; use adaptnet-video on it, or give a run trained with: adaptnet-classify train`,
    ]);
  }, 120_000);

  it('predict and eval leave no tensors behind', async () => {
    const video = join(root, 'videos', 'a.mkv');
    expect((await cli('predict', video, '--run', run)).code).toBe(0);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 2; i++) expect((await cli('predict', video, '--run', run)).code).toBe(0);
    expect((await cli('eval', '--run', run, '--frames', '2', '--resolution', '12', '--calibration-clips', '8')).code).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);

  it('compare reuses a finished run of the same recipe, and refuses one of another', async () => {
    const args = [
      'compare',
      '--out',
      root,
      '--strategies',
      'mutualnet',
      '--configs',
      '1:16:4',
      '--calibration-clips',
      '16',
      '--max-batches',
      '1',
    ];
    const same = await cli(...args, ...TINY);
    expect(same.code, same.stderr).toBe(0);
    expect(same.stderr).toMatch(/using the trained weights in .*mutualnet \(same recipe\)/);
    expect(same.stderr).not.toMatch(/\[train\]/);
    // compare.json holds the printed number, and the plot is beside it.
    const saved = JSON.parse(await readFile(join(root, 'compare.json'), 'utf8')) as { rows: { top1: number }[] };
    expect(saved.rows).toEqual([
      { strategy: 'mutualnet', config: { width: 1, resolution: 16, frames: 4 }, macs: expect.any(Number), top1: expect.any(Number) },
    ]);
    expect(same.stdout).toContain(`| ${((saved.rows[0]?.top1 ?? Number.NaN) * 100).toFixed(2)} |`);
    expect(existsSync(join(root, 'compare.svg'))).toBe(true);
    const other = await cli(...args, ...TINY.map((a, i) => (TINY[i - 1] === '--epochs' ? '2' : a)));
    expect(other.code).toBe(2);
    expect(other.stderr.trim().split('\n').at(-1)).toMatch(
      /mutualnet was trained with another recipe: recipe field train\.epochs differs: run has 1, given 2; a finished run is reused only with the same recipe/,
    );
  }, 300_000);

  it('--help on every command', async () => {
    const h = await cli('--help');
    expect(h.code).toBe(0);
    // No command at all is a usage error: the help goes to stderr and the exit code is 2.
    const none = await cli();
    expect(none.code).toBe(2);
    expect(none.stdout).toBe('');
    expect(none.stderr).toMatch(/^Usage: adaptnet-video /);
    for (const c of ['train', 'eval', 'table', 'query', 'predict', 'flops', 'compare']) {
      expect(h.stdout).toMatch(new RegExp(`\\n\\s+${c}\\b`));
      const sub = await cli(c, '--help');
      expect(sub.code, c).toBe(0);
      expect(sub.stdout, c).toMatch(new RegExp(`^Usage: adaptnet-video ${c} `));
    }
  });
});
