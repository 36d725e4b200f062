import { chmod, copyFile, mkdir, symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '@adaptnet/core';
import { useBackend } from '@adaptnet/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DatasetError, VideoStream } from '../src/index.js';
import { FfmpegMissingError, loadVideoFiles, loadVideoFolder, type VideoFolderSource } from '../src/node.js';
import { runTool } from '../src/video/ffmpeg.js';
import { channelMeans, hasFfmpeg, ppmFrame, testClipsDir } from './helpers/clips.js';
import { tempDir } from './helpers/tmp.js';

const CLIPS = testClipsDir();
const FFMPEG = hasFfmpeg();

describe.runIf(CLIPS !== undefined && FFMPEG)('video folder on real clips (opencv-doc)', () => {
  const clips = CLIPS as string;
  let dir: string;
  let keep: VideoFolderSource;
  /** Megamind and tree only: vtest's 795 large frames are slow to decode deep into. */
  let pair: string;

  beforeAll(async () => {
    await useBackend('cpu');
    dir = await tempDir('video');
    // Class order is by name: 'crowd' (vtest) < 'movie' (Megamind, tree: sorted by file name).
    await mkdir(join(dir, 'movie'));
    await mkdir(join(dir, 'crowd'));
    await symlink(join(clips, 'Megamind.avi'), join(dir, 'movie', 'Megamind.avi'));
    await symlink(join(clips, 'tree.avi'), join(dir, 'movie', 'tree.avi'));
    await symlink(join(clips, 'vtest.avi'), join(dir, 'crowd', 'vtest.avi'));
    await writeFile(join(dir, 'movie', 'notes.txt'), 'not a video');
    keep = await loadVideoFolder({ dir, side: 'keep' });
    pair = await tempDir('video-pair');
    await mkdir(join(pair, 'a'), { recursive: true });
    await mkdir(join(pair, 'b'));
    await symlink(join(clips, 'Megamind.avi'), join(pair, 'a', 'Megamind.avi'));
    await symlink(join(clips, 'tree.avi'), join(pair, 'b', 'tree.avi'));
  });

  it('lists classes and clips; ffprobe frame counts and sizes', () => {
    expect(keep.classNames).toEqual(['crowd', 'movie']);
    expect(keep.files.map((f) => f.slice(dir.length + 1))).toEqual(['crowd/vtest.avi', 'movie/Megamind.avi', 'movie/tree.avi']);
    expect(Array.from(keep.labels)).toEqual([0, 1, 1]);
    expect(keep.skipped).toEqual([join(dir, 'movie', 'notes.txt')]);
    // Frames as stored: tree.avi's header claims 444 frames, but only 68 are coded (the rest are AVI drop frames).
    expect(Array.from(keep.frameCounts)).toEqual([795, 270, 68]);
    expect(keep.probes.map((p) => [p.width, p.height, p.codec])).toEqual([
      [768, 576, 'msmpeg4v3'],
      [720, 528, 'mpeg4'],
      [320, 240, 'cinepak'],
    ]);
    expect(keep.height).toBeUndefined();
  });

  it('decodes exactly the pixels ffmpeg writes to a PPM for the same frames, in the requested order', async () => {
    const clip = await keep.readClip(2, [30, 0, 67, 30]);
    expect([clip.frames, clip.height, clip.width, clip.pixels.length]).toEqual([4, 240, 320, 4 * 240 * 320 * 3]);
    const frameBytes = 240 * 320 * 3;
    const tmp = await tempDir('ppm');
    for (const [j, n] of [
      [0, 30],
      [1, 0],
      [2, 67],
      [3, 30],
    ] as const) {
      const ref = ppmFrame(join(clips, 'tree.avi'), n, join(tmp, `tree-${n}.ppm`));
      expect(Buffer.from(clip.pixels.subarray(j * frameBytes, (j + 1) * frameBytes)).equals(Buffer.from(ref.pixels))).toBe(true);
    }
  });

  it('pixel statistics of known frames match the hand-recorded values', async () => {
    // Per-channel means recorded once from ffmpeg's PPM export of these frames.
    const cases: [number, number, number[]][] = [
      [2, 0, [162.714, 171.375, 152.592]],
      [2, 30, [162.409, 171.111, 152.311]],
      [1, 100, [47.898, 28.868, 16.757]],
      [0, 10, [120.393, 125.288, 88.783]],
    ];
    for (const [clip, frame, means] of cases) {
      const { pixels } = await keep.readClip(clip, [frame]);
      channelMeans(pixels).forEach((m, c) => expect(m).toBeCloseTo(means[c] as number, 2));
    }
    // A different frame has different statistics (the check can fail).
    const other = channelMeans((await keep.readClip(1, [101])).pixels);
    expect(Math.abs((other[0] as number) - 47.898)).toBeGreaterThan(0.01);
  });

  it('resizes the shorter side on decode; the area filter keeps the frame mean', async () => {
    const small = await loadVideoFolder({ dir, side: 64 });
    expect([small.probes.length, small.height]).toEqual([3, undefined]);
    const clip = await small.readClip(0, [10]);
    expect([clip.height, clip.width]).toEqual([64, 85]); // 576×768 → 64×round(85.33)
    const full = channelMeans((await keep.readClip(0, [10])).pixels);
    channelMeans(clip.pixels).forEach((m, c) => expect(Math.abs(m - (full[c] as number))).toBeLessThan(1.5));
  });

  it('a VideoStream centre-crops every frame of a clip; at the crop size it returns the PPM pixels exactly', async () => {
    const tree = await loadVideoFolder({ dir: join(dir, 'movie'), side: 'keep', extensions: ['.avi'] }).catch(() => undefined);
    expect(tree).toBeUndefined(); // movie/ has no class sub-folders: it is one class, not a set
    const source = await loadVideoFolder({ dir: pair, side: 'keep' });
    const stream = new VideoStream(source, { batchSize: 2, frames: 4, stride: 5, eval: { kind: 'center-crop', cropFraction: 1 } });
    const batches = [];
    for await (const b of stream.epoch(0)) batches.push(b);
    expect(batches).toHaveLength(1);
    const batch = batches[0] as (typeof batches)[number];
    // Centred windows: start ⌊(L − 16)/2⌋.
    expect(batch.frameIndices.map((f) => Array.from(f))).toEqual([
      [127, 132, 137, 142],
      [26, 31, 36, 41],
    ]);
    const x = batch.clips(240);
    expect(x.shape).toEqual([2, 4, 240, 240, 3]);
    const data = x.dataSync();
    const tmp = await tempDir('crop');
    const ref = ppmFrame(join(clips, 'tree.avi'), 31, join(tmp, 'tree-31.ppm'));
    // Sample 1 (tree), frame 1 = source frame 31: the centred 240×240 square is columns 40..279.
    const per = 240 * 240 * 3;
    let worst = 0;
    for (let y = 0; y < 240; y++) {
      for (let xx = 0; xx < 240; xx++) {
        for (let c = 0; c < 3; c++) {
          const got = data[4 * per + per + (y * 240 + xx) * 3 + c] as number;
          const want = (ref.pixels[(y * 320 + 40 + xx) * 3 + c] as number) / 255;
          worst = Math.max(worst, Math.abs(got - want));
        }
      }
    }
    expect(worst).toBeLessThan(1e-4);
    // Temporal downsampling picks frames uniformly over the clip: 3 of 4 → 0, 1, 3.
    const x3 = batch.clips(32, 3);
    const x4 = batch.clips(32, 4);
    expect(x3.shape).toEqual([2, 3, 32, 32, 3]);
    const picked = tf.tidy(() => tf.gather(x4, [0, 1, 3], 1));
    expect(Array.from(x3.dataSync())).toEqual(Array.from(picked.dataSync()));
    picked.dispose();
    batch.dispose();
  });

  it('short clips: pad repeats the last frame, loop wraps around, error names the file', async () => {
    const only = await loadVideoFolder({ dir: pair, side: 16, extensions: ['.avi'] });
    const frames = (shortClip: 'pad' | 'loop') =>
      new VideoStream(only, { batchSize: 2, frames: 12, stride: 8, shortClip, prefetch: 0 }).epoch(0).next();
    const pad = (await frames('pad')).value;
    expect(Array.from(pad.frameIndices[0])).toEqual([90, 98, 106, 114, 122, 130, 138, 146, 154, 162, 170, 178]); // Megamind fits: centred, ⌊(270 − 89)/2⌋
    expect(Array.from(pad.frameIndices[1])).toEqual([0, 8, 16, 24, 32, 40, 48, 56, 64, 67, 67, 67]);
    pad.dispose();
    const loop = (await frames('loop')).value;
    expect(Array.from(loop.frameIndices[1])).toEqual([0, 8, 16, 24, 32, 40, 48, 56, 64, 4, 12, 20]);
    loop.dispose();
    expect(() => new VideoStream(only, { batchSize: 1, frames: 12, stride: 8, shortClip: 'error' })).toThrow(
      /clip .*tree.avi has 68 frames, fewer than the 12×8 window needs \(89\)/,
    );
    try {
      new VideoStream(only, { batchSize: 1, frames: 12, stride: 8, shortClip: 'error' });
    } catch (e) {
      expect(e).toBeInstanceOf(DatasetError);
      expect((e as DatasetError).reason).toBe('too-short');
    }
  });

  it('loadVideoFiles: given files, any extension, the same frames as the folder decodes', async () => {
    const renamed = join(await tempDir('video-files'), 'tree.clip');
    await copyFile(join(clips, 'tree.avi'), renamed);
    const files = await loadVideoFiles([renamed, join(clips, 'Megamind.avi')], { side: 'keep' });
    expect([files.size, files.classNames, Array.from(files.labels), Array.from(files.frameCounts)]).toEqual([
      2,
      ['unlabelled'],
      [0, 0],
      [68, 270],
    ]);
    const fromFiles = await files.readClip(0, [5, 40]);
    const fromFolder = await keep.readClip(2, [5, 40]);
    expect(Buffer.from(fromFiles.pixels).equals(Buffer.from(fromFolder.pixels))).toBe(true);
    const labelled = await loadVideoFiles([renamed], { classNames: ['a', 'b'], labels: [1], side: 64 });
    expect([labelled.labels[0], labelled.numClasses, labelled.height, labelled.width]).toEqual([1, 2, 64, 85]);
  });

  it('a clip whose header has the wrong frame rate (Megamind_bugy.avi) is read by its coded frames', async () => {
    const root = await tempDir('video-bugy');
    await mkdir(join(root, 'a'));
    await symlink(join(clips, 'Megamind_bugy.avi'), join(root, 'a', 'Megamind_bugy.avi'));
    const source = await loadVideoFolder({ dir: root, side: 16 });
    expect(source.frameCounts[0]).toBe(270);
    const last = await source.readClip(0, [269]);
    expect([last.frames, last.height, last.width]).toEqual([1, 16, 22]); // 528×720 → 16×round(21.8)
  });

  it('training windows are random but seeded; out-of-range frames are a ConfigError', async () => {
    const small = await loadVideoFolder({ dir: pair, side: 16 });
    const starts = async (seed: number) => {
      const stream = new VideoStream(small, {
        batchSize: 2,
        frames: 4,
        stride: 2,
        seed,
        augment: { kind: 'pad-crop', padding: 0, flip: false },
      });
      const out: number[][] = [];
      for await (const b of stream.epoch(0)) {
        out.push(...b.frameIndices.map((f) => Array.from(f)));
        b.dispose();
      }
      return out;
    };
    const a = await starts(1);
    expect(await starts(1)).toEqual(a);
    expect(await starts(2)).not.toEqual(a);
    await expect(small.readClip(1, [68])).rejects.toThrow(ConfigError);
    await expect(small.readClip(1, [68])).rejects.toThrow(/frame 68 is out of range .*tree.avi \(68 frames\); allowed: integers 0..67/);
  });
});

describe.runIf(FFMPEG)('video folder: bad input', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await tempDir('video-bad');
  });

  async function folderWith(name: string, files: Record<string, string | Uint8Array>): Promise<string> {
    const root = join(dir, name);
    for (const [rel, content] of Object.entries(files)) {
      await mkdir(join(root, rel, '..'), { recursive: true });
      await writeFile(join(root, rel), content);
    }
    return root;
  }

  it('an unreadable file fails at load with its path', async () => {
    const root = await folderWith('garbage', { 'a/clip.avi': 'this is not a video' });
    const err = await loadVideoFolder({ dir: root }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetError);
    expect((err as DatasetError).reason).toBe('unreadable');
    expect((err as DatasetError).message).toMatch(new RegExp(`cannot read video ${join(root, 'a', 'clip.avi')}: .*Invalid data`));
  });

  it('loadVideoFiles: an unreadable or missing file is named; labels must fit', async () => {
    const root = await folderWith('files', { 'not-a-video.mp4': 'text' });
    await expect(loadVideoFiles([join(root, 'not-a-video.mp4')])).rejects.toThrow(
      new RegExp(`cannot read video ${join(root, 'not-a-video.mp4')}: .*Invalid data`),
    );
    await expect(loadVideoFiles([join(root, 'missing.mp4')])).rejects.toThrow(/cannot read .*missing\.mp4: ENOENT/);
    await expect(loadVideoFiles([])).rejects.toThrow('loadVideoFiles: no files given');
    await expect(loadVideoFiles([join(root, 'x.mp4')], { labels: [2], classNames: ['a', 'b'] })).rejects.toThrow(
      'loadVideoFiles: label 2 is not an index into the 2 class names',
    );
  });

  it('a folder without class sub-folders, or a class without videos', async () => {
    const flat = await folderWith('flat', { 'clip.avi': 'x' });
    await expect(loadVideoFolder({ dir: flat })).rejects.toThrow(`${flat} has no class sub-folders; expected ${flat}/<class>/<video>`);
    const empty = await folderWith('empty-class', { 'a/readme.txt': 'x' });
    await expect(loadVideoFolder({ dir: empty })).rejects.toThrow(/class folder .*empty-class\/a has no videos with extensions .avi/);
    await expect(loadVideoFolder({ dir: join(dir, 'nowhere') })).rejects.toThrow(/video folder .*nowhere does not exist/);
  });

  it('ffmpeg/ffprobe missing: the error names the apt command', async () => {
    const root = await folderWith('tools', { 'a/clip.avi': 'x' });
    const err = await loadVideoFolder({ dir: root, ffprobe: '/nonexistent/ffprobe' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FfmpegMissingError);
    expect((err as Error).message).toBe(
      '/nonexistent/ffprobe was not found; decoding videos needs ffmpeg and ffprobe: install them with: sudo apt-get install ffmpeg',
    );
  });

  it('inputs must be regular files within the size cap', async () => {
    const root = await folderWith('special', { 'a/big.avi': new Uint8Array(5000) });
    await expect(loadVideoFolder({ dir: root, maxFileBytes: 4096 })).rejects.toThrow(
      `${join(root, 'a', 'big.avi')} has 5000 bytes, more than maxFileBytes (4096)`,
    );
    const dev = join(dir, 'device');
    await mkdir(join(dev, 'a'), { recursive: true });
    await symlink('/dev/zero', join(dev, 'a', 'endless.avi'));
    const err = await loadVideoFolder({ dir: dev }).catch((e: unknown) => e);
    expect((err as DatasetError).reason).toBe('unreadable');
    expect((err as Error).message).toBe(`${join(dev, 'a', 'endless.avi')} is not a regular file; videos must be regular files`);
  });

  it.runIf(CLIPS !== undefined)('a clip damaged after loading: the decode names the file and how many frames came out', async () => {
    const root = join(dir, 'damaged');
    await mkdir(join(root, 'a'), { recursive: true });
    const path = join(root, 'a', 'Megamind.avi');
    await copyFile(join(CLIPS as string, 'Megamind.avi'), path);
    await chmod(path, 0o644);
    const source = await loadVideoFolder({ dir: root, side: 16 });
    expect(source.frameCounts[0]).toBe(270);
    await truncate(path, 300_000); // about 63 frames left
    const err = await source.readClip(0, [10, 200]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetError);
    expect((err as DatasetError).reason).toBe('corrupt');
    expect((err as Error).message).toBe(
      `${path}: decoded 1 of the 2 frames requested (up to frame 200); the file is damaged, truncated or changed since it was probed`,
    );
  });
});

describe.runIf(FFMPEG)('ffmpeg runs are bounded', () => {
  // lavfi's test pattern: 50 frames of 64×64 rgb24 = 614 400 bytes, no input file needed.
  const pattern = [
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    'testsrc=size=64x64:rate=10',
    '-t',
    '5',
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    'pipe:1',
  ];

  it('collects exactly the output within the limit', async () => {
    const run = await runTool('ffmpeg', pattern, { maxBytes: 614_400, timeoutMs: 60_000, path: 'testsrc' });
    expect([run.code, run.received]).toEqual([0, 614_400]);
  });

  it('output beyond maxBytes kills the process: a corrupt DatasetError', async () => {
    const err = await runTool('ffmpeg', pattern, { maxBytes: 100_000, timeoutMs: 60_000, path: 'testsrc' }).catch((e: unknown) => e);
    expect((err as DatasetError).reason).toBe('corrupt');
    expect((err as Error).message).toBe('ffmpeg produced more than the 100000 bytes expected from testsrc');
  });

  it('a run past timeoutMs is killed: an unreadable DatasetError', async () => {
    // -re paces the 5-second pattern in real time.
    const slow = ['-re', ...pattern];
    const err = await runTool('ffmpeg', slow, { maxBytes: 614_400, timeoutMs: 300, path: 'testsrc' }).catch((e: unknown) => e);
    expect((err as DatasetError).reason).toBe('unreadable');
    expect((err as Error).message).toBe('ffmpeg did not finish testsrc within 300 ms');
  });
});
