import { ConfigError } from '@adaptnet/core';
import { expectClose, useBackend } from '@adaptnet/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  averageViews,
  createImageDataset,
  type DecodedClip,
  movingFashionActions,
  subsampleFrames,
  type VideoBatch,
  type VideoSource,
  VideoStream,
  viewStarts,
  windowFrames,
} from '../src/index.js';

/**
 * A tiny clip set whose pixel (clip c, frame f, y, x) encodes all four numbers, so every output
 * sample can be traced back to its source: value = 100·c + 10·f + (y + x) mod 10, one channel.
 */
function codedSource(clips: number, frames: number, side: number): VideoSource & { reads: number } {
  const counter = { reads: 0 };
  const source = {
    name: 'coded',
    size: clips,
    channels: 1,
    numClasses: 2,
    classNames: ['even', 'odd'],
    labels: Int32Array.from({ length: clips }, (_, c) => c % 2),
    frameCounts: new Int32Array(clips).fill(frames),
    height: side,
    width: side,
    clipName: (i: number) => `coded#${i}`,
    get reads() {
      return counter.reads;
    },
    readClip: async (index: number, frameIndices: ArrayLike<number>): Promise<DecodedClip> => {
      counter.reads++;
      const pixels = new Uint8Array(frameIndices.length * side * side);
      for (let j = 0; j < frameIndices.length; j++) {
        for (let y = 0; y < side; y++) {
          for (let x = 0; x < side; x++)
            pixels[(j * side + y) * side + x] = (index * 20 + (frameIndices[j] as number) * 2 + ((y + x) % 2)) % 256;
        }
      }
      return { pixels, frames: frameIndices.length, height: side, width: side };
    },
  };
  return source;
}

async function first(stream: VideoStream, epoch = 0): Promise<VideoBatch> {
  for await (const b of stream.epoch(epoch)) return b;
  throw new Error('no batch');
}

describe('temporal sampling', () => {
  it('MutualNet §4.2: t of T frames picked uniformly over the whole clip', () => {
    // ⌊linspace(0, 7, t)⌋ by hand: 0, 3.5, 7 → 0, 3, 7; 0, 1.75, 3.5, 5.25, 7 → 0, 1, 3, 5, 7.
    expect(Array.from(subsampleFrames(8, 3))).toEqual([0, 3, 7]);
    expect(Array.from(subsampleFrames(8, 5))).toEqual([0, 1, 3, 5, 7]);
    expect(Array.from(subsampleFrames(8, 8))).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(Array.from(subsampleFrames(16, 6))).toEqual([0, 3, 6, 9, 12, 15]);
    expect(Array.from(subsampleFrames(16, 9))).toEqual([0, 1, 3, 5, 7, 9, 11, 13, 15]);
    expect(Array.from(subsampleFrames(16, 1))).toEqual([7]);
    expect(() => subsampleFrames(8, 9)).toThrow("frames must be an integer in 1..8 (the clip's frames), got 9");
  });

  it('windows, views and the short-clip policies', () => {
    expect(Array.from(windowFrames(100, 10, 4, 8, 'pad'))).toEqual([10, 18, 26, 34]);
    expect(Array.from(windowFrames(20, 0, 4, 8, 'pad'))).toEqual([0, 8, 16, 19]);
    expect(Array.from(windowFrames(20, 0, 4, 8, 'loop'))).toEqual([0, 8, 16, 4]);
    // 3 views of a 25-frame window in 100 frames: slack 75, starts ⌊75·(2k+1)/6⌋.
    expect(viewStarts(100, 25, 3)).toEqual([12, 37, 62]);
    expect(viewStarts(100, 25, 1)).toEqual([37]);
    expect(viewStarts(10, 25, 2)).toEqual([0, 0]);
  });
});

describe('VideoStream', () => {
  beforeAll(() => useBackend('cpu'));

  it('every (resolution, frames) of a batch is the same crop of the same frames, subsampled uniformly', async () => {
    const src = codedSource(4, 12, 6);
    const stream = new VideoStream(src, {
      batchSize: 4,
      frames: 8,
      stride: 1,
      augment: { kind: 'pad-crop', padding: 1, flip: false },
      seed: 3,
    });
    const batch = await first(stream);
    const full = batch.clips(6);
    expect(full.shape).toEqual([4, 8, 6, 6, 1]);
    const fullData = full.arraySync();
    for (let s = 0; s < 4; s++) {
      const window = Array.from(batch.frameIndices[s] as Int32Array);
      const start = window[0] as number;
      expect(window).toEqual(Array.from({ length: 8 }, (_, j) => start + j));
      expect(start).toBeGreaterThanOrEqual(0);
      expect(start).toBeLessThanOrEqual(4);
      const crop = batch.crops[s] as { top: number; left: number };
      for (let j = 0; j < 8; j++) {
        // At the source size, a pad-crop is the frame shifted by (top, left) with zeros outside.
        for (let y = 0; y < 6; y++) {
          for (let x = 0; x < 6; x++) {
            const sy = y + crop.top;
            const sx = x + crop.left;
            const inside = sy >= 0 && sy < 6 && sx >= 0 && sx < 6;
            const clip = batch.indices[s] as number;
            const want = inside ? (clip * 20 + (window[j] as number) * 2 + ((sy + sx) % 2)) / 255 : 0;
            expect(fullData[s]?.[j]?.[y]?.[x]?.[0]).toBeCloseTo(want, 5);
          }
        }
      }
    }
    // Fewer frames: the frames subsampleFrames picks, at every resolution.
    for (const [r, t] of [
      [6, 3],
      [4, 5],
      [3, 8],
    ] as const) {
      const x = batch.clips(r, t);
      expect(x.shape).toEqual([4, t, r, r, 1]);
      const picked = tf.tidy(() => tf.gather(batch.clips(r, 8), Array.from(subsampleFrames(8, t)), 1));
      expectClose(x, picked, 0);
      picked.dispose();
    }
    expect(batch.clips(4, 5)).toBe(batch.clips(4, 5)); // cached
    expect(() => batch.clips(4, 9)).toThrow(ConfigError);
    expect(() => batch.clips(0)).toThrow('resolution must be a positive integer, got 0');
    batch.dispose();
    expect(() => batch.clips(4)).toThrow('clips() called on a disposed batch');
  });

  it('inputs(size), the batch interface shared with image batches, is clips(resolution, frames), all frames by default', async () => {
    const stream = new VideoStream(codedSource(2, 8, 6), { batchSize: 2, frames: 8, seed: 1 });
    const batch = await first(stream);
    expect(batch.inputs({ resolution: 4, frames: 3 })).toBe(batch.clips(4, 3));
    expect(batch.inputs({ resolution: 6 })).toBe(batch.clips(6, 8));
    expect(() => batch.inputs({ resolution: 6, frames: 9 })).toThrow(/frames must be an integer in 1\.\.8/);
    batch.dispose();
  });

  it('is deterministic and resumable; prefetch changes nothing', async () => {
    const src = movingFashionActions(
      createImageDataset({
        name: 'dots',
        height: 4,
        width: 4,
        channels: 1,
        classNames: ['a', 'b'],
        pixels: Uint8Array.from({ length: 64 }, (_, i) => (i * 37) % 256),
        labels: Int32Array.from({ length: 4 }, (_, i) => i % 2),
      }),
      { size: 10, frames: 8, canvas: 16, seed: 2 },
    );
    const options = {
      batchSize: 3,
      frames: 4,
      stride: 2,
      seed: 9,
      augment: { kind: 'random-resized-crop', scale: [0.5, 1], flip: false },
    } as const;
    const snapshot = async (stream: VideoStream, epoch: number, startBatch = 0) => {
      const out: unknown[] = [];
      for await (const b of stream.epoch(epoch, { startBatch })) {
        out.push([Array.from(b.indices), b.frameIndices.map((f) => Array.from(f)), b.crops, Array.from(b.clips(8, 2).dataSync())]);
        b.dispose();
      }
      return out;
    };
    const full = await snapshot(new VideoStream(src, options), 1);
    expect(full).toHaveLength(3);
    expect(await snapshot(new VideoStream(src, { ...options, prefetch: 0 }), 1)).toEqual(full);
    expect(await snapshot(new VideoStream(src, { ...options, prefetch: 4 }), 1, 1)).toEqual(full.slice(1));
    expect(await snapshot(new VideoStream(src, options), 2)).not.toEqual(full);
  });

  it('evaluation views: K windows per clip, one crop, labels repeated; averageViews means each clip', async () => {
    const src = codedSource(3, 20, 4);
    const stream = new VideoStream(src, { batchSize: 2, frames: 4, stride: 2, views: 3 });
    expect(stream.batchesPerEpoch).toBe(2);
    const batch = await first(stream);
    expect([batch.size, batch.views]).toEqual([6, 3]);
    expect(Array.from(batch.indices)).toEqual([0, 0, 0, 1, 1, 1]);
    // slack 20 − 7 = 13: starts ⌊13·(2k+1)/6⌋ = 2, 6, 10.
    expect(batch.frameIndices.map((f) => f[0])).toEqual([2, 6, 10, 2, 6, 10]);
    expect(Array.from(batch.labels.dataSync())).toEqual([0, 0, 0, 1, 1, 1]);
    expect(batch.clips(4).shape).toEqual([6, 4, 4, 4, 1]);
    batch.dispose();
    const scores = tf.tensor2d([
      [1, 2],
      [3, 4],
      [5, 9],
      [0, 0],
      [1, 1],
      [2, 5],
    ]);
    const avg = averageViews(scores, 3);
    expect(avg.shape).toEqual([2, 2]);
    expectClose(avg, [3, 5, 1, 2]);
    expect(() => averageViews(scores, 4)).toThrow('6 score rows are not a whole number of clips with 4 views each');
    tf.dispose([scores, avg]);
  });

  it('3 spatial crops per window (SlowFast 3-crop test): start, centre and end of the longer side', async () => {
    // Pixel value = the coordinate along the longer side (x for landscape, y for portrait frames).
    const along = (height: number, width: number): VideoSource => ({
      name: `along-${height}x${width}`,
      size: 2,
      channels: 1,
      numClasses: 2,
      classNames: ['a', 'b'],
      labels: Int32Array.from([1, 0]),
      frameCounts: new Int32Array(2).fill(12),
      height,
      width,
      clipName: (i: number) => `along#${i}`,
      readClip: async (_index: number, frameIndices: ArrayLike<number>): Promise<DecodedClip> => {
        const pixels = new Uint8Array(frameIndices.length * height * width);
        for (let j = 0; j < frameIndices.length; j++)
          for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) pixels[(j * height + y) * width + x] = height > width ? y : x;
        return { pixels, frames: frameIndices.length, height, width };
      },
    });
    for (const [h, w] of [
      [4, 8],
      [8, 4],
    ] as const) {
      const stream = new VideoStream(along(h, w), { batchSize: 2, frames: 2, stride: 2, views: 2, spatialCrops: 3 });
      expect(stream.spatialCrops).toBe(3);
      const batch = await first(stream);
      expect([batch.size, batch.views]).toEqual([12, 6]);
      expect(Array.from(batch.labels.dataSync())).toEqual([1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
      // Windows outer, crops inner: 12 frames, span 3, slack 9: starts ⌊9·(2k+1)/4⌋ = 2, 6.
      expect(batch.frameIndices.map((f) => f[0])).toEqual([2, 2, 2, 6, 6, 6, 2, 2, 2, 6, 6, 6]);
      // A 4×4 crop (the shorter side) at 4 px is the crop's own pixels: offsets 0, 2, 4 along the longer side.
      const clips = batch.clips(4).arraySync() as number[][][][][];
      const offsets = [0, 2, 4];
      clips.forEach((sample, s) => {
        const offset = offsets[s % 3] as number;
        for (const frame of sample)
          for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) expect(frame[y]![x]![0]! * 255).toBeCloseTo((h > w ? y : x) + offset, 3);
      });
      batch.dispose();
    }
    // Square frames: the three crops coincide (the whole frame).
    const square = await first(new VideoStream(codedSource(1, 8, 4), { batchSize: 1, frames: 2, spatialCrops: 3 }));
    const [a, b, c] = tf.split(square.clips(4), 3);
    expectClose(a!, b!);
    expectClose(a!, c!);
    tf.dispose([a!, b!, c!]);
    square.dispose();
    expect(() => new VideoStream(codedSource(1, 8, 4), { batchSize: 1, frames: 2, spatialCrops: 2 })).toThrow(
      'spatialCrops must be 1 or 3, got 2',
    );
    expect(
      () =>
        new VideoStream(codedSource(1, 8, 4), {
          batchSize: 1,
          frames: 2,
          spatialCrops: 3,
          augment: { kind: 'pad-crop', padding: 0, flip: false },
        }),
    ).toThrow('spatialCrops must be 1 in training (augment set), got 3');
  });

  it('creates no lingering tensors across batches, configurations, epochs and early exits', async () => {
    const src = codedSource(6, 10, 8);
    const stream = new VideoStream(src, { batchSize: 2, frames: 6, augment: { kind: 'pad-crop', padding: 2, flip: false } });
    const before = tf.memory().numTensors;
    for (let epoch = 0; epoch < 3; epoch++) {
      for await (const b of stream.epoch(epoch)) {
        b.clips(8);
        b.clips(6, 3);
        b.clips(5, 4);
        tf.tidy(() => {
          tf.sum(b.clips(8, 2)); // a consumer's step: intermediates die with the tidy, the cached clip stays
        });
        b.dispose();
      }
    }
    for await (const b of stream.epoch(0)) {
      b.clips(4);
      b.dispose();
      break;
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects bad options with ConfigError naming the value', () => {
    const src = codedSource(4, 10, 4);
    const bad: [object, RegExp | string][] = [
      [{ batchSize: 0, frames: 4 }, 'batchSize must be a positive integer, got 0'],
      [{ batchSize: 2, frames: 0 }, 'frames must be a positive integer, got 0'],
      [{ batchSize: 2, frames: 4, stride: 1.5 }, 'stride must be a positive integer, got 1.5'],
      [{ batchSize: 2, frames: 4, views: 0 }, 'views must be a positive integer, got 0'],
      [
        { batchSize: 2, frames: 4, views: 2, augment: { kind: 'pad-crop', padding: 0, flip: false } },
        'views must be 1 in training (augment set), got 2',
      ],
      [{ batchSize: 2, frames: 4, shortClip: 'wrap' }, `shortClip must be one of pad, loop, error, got "wrap"`],
      [{ batchSize: 8, frames: 4, dropLast: true }, 'coded has 4 clips: no full batch of 8 (dropLast is on)'],
    ];
    for (const [options, message] of bad) {
      expect(() => new VideoStream(src, options as never)).toThrow(ConfigError);
      expect(() => new VideoStream(src, options as never)).toThrow(message);
    }
  });
});
