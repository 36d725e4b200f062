import { ConfigError } from '@adaptnet/core';
import { expectClose, testBackends, useBackend } from '@adaptnet/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { BatchStream, createImageDataset, type ImageDataset, type MultiResolutionBatch } from '../src/index.js';
import {
  collect,
  countingSource,
  normalizeRef,
  padCropRef,
  type RefImage,
  refImage,
  resizeAlignCornersRef,
  syntheticDataset,
} from './helpers/reference.js';

const BACKENDS = await testBackends();
afterAll(() => useBackend('cpu'));

async function firstBatch(stream: BatchStream, epoch = 0): Promise<MultiResolutionBatch> {
  for await (const b of stream.epoch(epoch)) return b;
  throw new Error('no batch');
}

/** Image k of a [n, r, r, c] tensor as a float64 RefImage. */
function imageOf(t: tf.Tensor4D, k: number): RefImage {
  const [, h, w, c] = t.shape;
  const per = h * w * c;
  return { h, w, c, data: Float64Array.from(t.dataSync().subarray(k * per, (k + 1) * per)) };
}

describe.each(BACKENDS)('crops on %s', (backend) => {
  it('pad-crop at the source resolution returns the exact shifted, zero-padded (and flipped) pixels', async () => {
    await useBackend(backend);
    const ds = syntheticDataset(16, 6, 6, 2, 7);
    const stream = new BatchStream(ds, { batchSize: 8, augment: { kind: 'pad-crop', padding: 2, flip: true }, prefetch: 0 });
    const shifts = new Set<string>();
    let flips = 0;
    for (const epoch of [0, 1, 2]) {
      for await (const batch of stream.epoch(epoch)) {
        const x6 = batch.images(6);
        expect(x6.shape).toEqual([8, 6, 6, 2]);
        batch.crops.forEach((crop, k) => {
          const dy = crop.top;
          const dx = crop.left;
          expect(Number.isInteger(dy) && Math.abs(dy) <= 2 && Number.isInteger(dx) && Math.abs(dx) <= 2).toBe(true);
          expect([crop.bottom - crop.top, crop.right - crop.left]).toEqual([5, 5]);
          shifts.add(`${dy},${dx}`);
          flips += crop.flip ? 1 : 0;
          const expected = padCropRef(refImage(ds, batch.indices[k] as number), dy, dx, crop.flip);
          expectClose(imageOf(x6, k).data, expected.data, 1e-5);
        });
        batch.dispose();
      }
    }
    expect(shifts.size).toBeGreaterThan(10); // 25 possible shifts, 48 draws
    expect(flips).toBeGreaterThan(8);
    expect(flips).toBeLessThan(40);
  });

  it('resizing the crop to other resolutions equals an align-corners bilinear resize of it (float64 reference)', async () => {
    await useBackend(backend);
    const ds = syntheticDataset(8, 6, 6, 3, 11);
    const normalize = { mean: [0.5, 0.4, 0.3], std: [0.25, 0.2, 0.5] };
    const stream = new BatchStream(ds, { batchSize: 8, augment: { kind: 'pad-crop', padding: 2, flip: true }, normalize });
    const batch = await firstBatch(stream);
    for (const r of [4, 9, 2]) {
      const x = batch.images(r);
      batch.crops.forEach((crop, k) => {
        // Reference recipe: pad with black, crop, flip, normalise, then resize (align_corners).
        const cropped = normalizeRef(
          padCropRef(refImage(ds, batch.indices[k] as number), crop.top, crop.left, crop.flip),
          normalize.mean,
          normalize.std,
        );
        expectClose(imageOf(x, k).data, resizeAlignCornersRef(cropped, r).data, 2e-5);
      });
    }
    batch.dispose();
  });

  it('every resolution samples the same random-resized crop (a linear ramp makes bilinear exact)', async () => {
    await useBackend(backend);
    const side = 32;
    const pixels = new Uint8Array(4 * side * side);
    for (let k = 0; k < 4; k++)
      for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) pixels[(k * side + y) * side + x] = 4 * y + 3 * x;
    const ds = createImageDataset({
      name: 'ramp',
      height: side,
      width: side,
      channels: 1,
      classNames: ['a'],
      pixels,
      labels: new Int32Array(4),
    });
    const stream = new BatchStream(ds, { batchSize: 4, augment: { kind: 'random-resized-crop', flip: true }, seed: 3 });
    let flipped = 0;
    for (const epoch of [0, 1, 2]) {
      const batch = await firstBatch(stream, epoch);
      for (const r of [side, 20, 7]) {
        const x = batch.images(r);
        batch.crops.forEach((c, k) => {
          const expected = new Float64Array(r * r);
          for (let i = 0; i < r; i++) {
            for (let j = 0; j < r; j++) {
              const yy = c.top + (i * (c.bottom - c.top)) / (r - 1);
              const t = (j * (c.right - c.left)) / (r - 1);
              const xx = c.flip ? c.right - t : c.left + t;
              expected[i * r + j] = (4 * yy + 3 * xx) / 255;
            }
          }
          expectClose(imageOf(x, k).data, expected, 1e-5);
        });
      }
      flipped += batch.crops.filter((c) => c.flip).length;
      // and the small resolution is the large one resized, as MutualNet computes it
      const down = tf.image.resizeBilinear(batch.images(side), [7, 7], true);
      expectClose(down, batch.images(7), 1e-5);
      down.dispose();
      batch.dispose();
    }
    expect(flipped).toBeGreaterThan(0);
    expect(flipped).toBeLessThan(12);
  });

  it('evaluation: cropFraction 1 resizes the whole image; 0.875 takes the centred 87.5% square', async () => {
    await useBackend(backend);
    const ds = syntheticDataset(3, 32, 32, 1, 5);
    const whole = new BatchStream(ds, { batchSize: 3, eval: { kind: 'center-crop', cropFraction: 1 } });
    const b1 = await firstBatch(whole);
    expect(Array.from(b1.indices)).toEqual([0, 1, 2]);
    for (let k = 0; k < 3; k++) expectClose(imageOf(b1.images(16), k).data, resizeAlignCornersRef(refImage(ds, k), 16).data, 1e-5);
    b1.dispose();

    const centre = new BatchStream(ds, { batchSize: 3, eval: { kind: 'center-crop', cropFraction: 0.875 } });
    const b2 = await firstBatch(centre);
    expect(b2.crops[0]).toEqual({ top: 2, left: 2, bottom: 29, right: 29, flip: false }); // 28 px centred in 32
    for (let k = 0; k < 3; k++) {
      const full = refImage(ds, k);
      const expected = new Float64Array(28 * 28);
      for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) expected[y * 28 + x] = full.data[(y + 2) * 32 + x + 2] as number;
      expectClose(imageOf(b2.images(28), k).data, expected, 1e-5);
    }
    b2.dispose();
  });
});

describe('BatchStream', () => {
  it('hand-made case: a 3×3 image shifted by (1, −1), zero-padded and flipped', async () => {
    const ds = createImageDataset({
      name: 'nine',
      height: 3,
      width: 3,
      channels: 1,
      classNames: ['a'],
      pixels: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]),
      labels: new Int32Array(1),
    });
    const stream = new BatchStream(ds, { batchSize: 1, augment: { kind: 'pad-crop', padding: 1, flip: true } });
    for (let epoch = 0; epoch < 500; epoch++) {
      const batch = await firstBatch(stream, epoch);
      const c = batch.crops[0]!;
      if (c.top === 1 && c.left === -1 && c.flip) {
        // crop rows 1..3, cols −1..1 = [[0,4,5],[0,7,8],[0,0,0]], mirrored
        expectClose(
          batch.images(3).dataSync(),
          [5, 4, 0, 8, 7, 0, 0, 0, 0].map((v) => v / 255),
          1e-6,
        );
        batch.dispose();
        return;
      }
      batch.dispose();
    }
    throw new Error('no epoch drew the shift (1, −1) with a flip');
  });

  it('inputs(size), the batch interface shared with video batches, is images(resolution) and refuses frames', async () => {
    const ds = createImageDataset({
      name: 'nine',
      height: 3,
      width: 3,
      channels: 1,
      classNames: ['a'],
      pixels: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]),
      labels: new Int32Array(1),
    });
    const batch = await firstBatch(new BatchStream(ds, { batchSize: 1 }), 0);
    expect(batch.inputs({ resolution: 2 })).toBe(batch.images(2));
    expect(() => batch.inputs({ resolution: 2, frames: 4 })).toThrow(/a batch of images has no frames; got frames 4/);
    batch.dispose();
  });

  it('non-square sources: the centre crop is the centred square of the shorter side', async () => {
    const ds = syntheticDataset(2, 10, 20, 1, 3);
    const stream = new BatchStream(ds, { batchSize: 2, eval: { kind: 'center-crop', cropFraction: 1 } });
    const batch = await firstBatch(stream);
    expect(batch.crops[0]).toEqual({ top: 0, left: 5, bottom: 9, right: 14, flip: false });
    const full = refImage(ds, 1);
    const expected = new Float64Array(100);
    for (let y = 0; y < 10; y++) for (let x = 0; x < 10; x++) expected[y * 10 + x] = full.data[y * 20 + x + 5] as number;
    expectClose(imageOf(batch.images(10), 1).data, expected, 1e-5);
    batch.dispose();
  });

  it('normalises per channel, padding included (black padded pixels become −mean/std)', async () => {
    const ds = createImageDataset({
      name: 'white',
      height: 4,
      width: 4,
      channels: 2,
      classNames: ['a'],
      pixels: new Uint8Array(32).fill(255),
      labels: new Int32Array(1),
    });
    const normalize = { mean: [0.2, 0.6], std: [0.5, 0.25] };
    const stream = new BatchStream(ds, { batchSize: 1, augment: { kind: 'pad-crop', padding: 4, flip: false }, normalize });
    const seen = new Set<number>();
    for (let epoch = 0; epoch < 20; epoch++) {
      const batch = await firstBatch(stream, epoch);
      const v = batch.images(4).dataSync();
      for (let i = 0; i < v.length; i += 2) {
        // white: (1 − m)/s; padding: (0 − m)/s
        expect([1.6, -0.4].some((e) => Math.abs((v[i] as number) - e) < 1e-5)).toBe(true);
        expect([1.6, -2.4].some((e) => Math.abs((v[i + 1] as number) - e) < 1e-5)).toBe(true);
        seen.add(Math.round(v[i] as number));
      }
      batch.dispose();
    }
    expect(seen.size).toBe(2);
  });

  it('default evaluation transform: whole image for ≤ 64 px sources, 0.875 above', () => {
    expect(new BatchStream(syntheticDataset(2, 28, 28, 1), { batchSize: 1 }).evalTransform).toEqual({
      kind: 'center-crop',
      cropFraction: 1,
    });
    expect(new BatchStream(syntheticDataset(2, 80, 80, 1), { batchSize: 1 }).evalTransform).toEqual({
      kind: 'center-crop',
      cropFraction: 0.875,
    });
  });

  it('batches per epoch, dropLast and shuffle defaults, and every index once per epoch', async () => {
    const ds = syntheticDataset(10, 4, 4, 1);
    const train = new BatchStream(ds, { batchSize: 4, augment: { kind: 'pad-crop', padding: 1, flip: true } });
    expect([train.batchesPerEpoch, train.dropLast, train.shuffle]).toEqual([2, true, true]);
    const evalStream = new BatchStream(ds, { batchSize: 4 });
    expect([evalStream.batchesPerEpoch, evalStream.dropLast, evalStream.shuffle]).toEqual([3, false, false]);
    const batches = await collect(evalStream.epoch(0));
    expect(batches.map((b) => Array.from(b.indices))).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
    ]);
    expect(Array.from(batches[2]!.labels.dataSync())).toEqual([8 % 3, 9 % 3]);
    expect(batches[2]!.labels.dtype).toBe('int32');
    expect(batches[2]!.images(5).shape).toEqual([2, 5, 5, 1]);
    batches.forEach((b) => b.dispose());

    const all = new BatchStream(ds, { batchSize: 5, shuffle: true });
    const seen = (await collect(all.epoch(3))).flatMap((b) => {
      b.dispose();
      return Array.from(b.indices);
    });
    expect([...seen].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(seen).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  async function snapshot(stream: BatchStream, epoch: number, startBatch = 0): Promise<{ indices: number[]; x: number[] }[]> {
    const out: { indices: number[]; x: number[] }[] = [];
    for await (const b of stream.epoch(epoch, { startBatch })) {
      out.push({ indices: Array.from(b.indices), x: Array.from(b.images(5).dataSync()) });
      b.dispose();
    }
    return out;
  }

  it('is deterministic: same seed → same batches; resumed with startBatch → the same remaining batches; prefetch changes nothing', async () => {
    const ds = syntheticDataset(40, 6, 6, 1, 9);
    const options = { batchSize: 8, augment: { kind: 'random-resized-crop', flip: true } as const, seed: 5 };
    const full = await snapshot(new BatchStream(ds, options), 1);
    expect(full).toHaveLength(5);
    expect(await snapshot(new BatchStream(ds, { ...options, prefetch: 0 }), 1)).toEqual(full);
    expect(await snapshot(new BatchStream(ds, { ...options, prefetch: 5 }), 1)).toEqual(full);
    expect(await snapshot(new BatchStream(ds, options), 1, 3)).toEqual(full.slice(3));
    expect(await snapshot(new BatchStream(ds, options), 1, 5)).toEqual([]);

    const otherEpoch = await snapshot(new BatchStream(ds, options), 2);
    expect(otherEpoch[0]!.indices).not.toEqual(full[0]!.indices);
    const otherSeed = await snapshot(new BatchStream(ds, { ...options, seed: 6 }), 1);
    expect(otherSeed[0]!.indices).not.toEqual(full[0]!.indices);
  });

  it('the same images get different crops in different epochs (no shuffle)', async () => {
    const ds = syntheticDataset(8, 8, 8, 1);
    const stream = new BatchStream(ds, { batchSize: 8, shuffle: false, augment: { kind: 'random-resized-crop', flip: false } });
    const a = await firstBatch(stream, 0);
    const b = await firstBatch(stream, 1);
    expect(Array.from(a.indices)).toEqual(Array.from(b.indices));
    expect(a.crops).not.toEqual(b.crops);
    a.dispose();
    b.dispose();
  });

  it('prefetches exactly `prefetch` batches ahead and never more', async () => {
    const ds = syntheticDataset(48, 4, 4, 1);
    for (const prefetch of [0, 1, 3]) {
      const src = countingSource(ds, 2);
      const stream = new BatchStream(src, { batchSize: 4, prefetch });
      let consumed = 0;
      for await (const batch of stream.epoch(0)) {
        consumed++;
        // started reads = batches received + those prepared ahead
        expect(src.reads).toBe(Math.min(stream.batchesPerEpoch, consumed + prefetch));
        await new Promise((r) => setTimeout(r, 3));
        expect(src.reads).toBe(Math.min(stream.batchesPerEpoch, consumed + prefetch));
        batch.dispose();
      }
      expect(consumed).toBe(12);
    }
  });

  it('prefetching overlaps slow reads with the consumer', async () => {
    const ds = syntheticDataset(24, 4, 4, 1);
    const timed = async (prefetch: number) => {
      const stream = new BatchStream(countingSource(ds, 40), { batchSize: 4, prefetch });
      const t0 = performance.now();
      for await (const batch of stream.epoch(0)) {
        await new Promise((r) => setTimeout(r, 40));
        batch.dispose();
      }
      return performance.now() - t0;
    };
    const serial = await timed(0); // ≈ 6 × 80 ms
    const overlapped = await timed(2); // ≈ 6 × 40 + 40 ms
    expect(overlapped).toBeLessThan(0.8 * serial);
  });

  it('creates no lingering tensors across batches, epochs and early exits', async () => {
    const ds = syntheticDataset(40, 8, 8, 3);
    const stream = new BatchStream(ds, { batchSize: 4, augment: { kind: 'pad-crop', padding: 2, flip: true } });
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    for (const epoch of [0, 1]) {
      for await (const batch of stream.epoch(epoch)) {
        for (const r of [8, 6, 4]) batch.images(r);
        batch.images(6);
        batch.dispose();
        counts.push(tf.memory().numTensors);
      }
    }
    expect(new Set(counts)).toEqual(new Set([before]));
    for await (const batch of stream.epoch(2)) {
      batch.dispose();
      break;
    }
    for await (const x of stream.resolutionBatches(5, 1)) {
      expect(x.shape).toEqual([4, 5, 5, 3]);
      expect(tf.memory().numTensors).toBe(before + 5); // labels, canvas, boxes, box indices, images
    }
    for await (const _ of stream.resolutionBatches(5)) break;
    expect(tf.memory().numTensors).toBe(before);
  });

  it('caches each resolution; a batch survives tf.tidy; bad resolutions and disposed batches throw ConfigError', async () => {
    const stream = new BatchStream(syntheticDataset(4, 5, 5, 1), { batchSize: 4 });
    const batch = await firstBatch(stream);
    const inside = tf.tidy(() => {
      const x = batch.images(3);
      return tf.sum(x);
    });
    expect(batch.images(3).isDisposed).toBe(false);
    expect(batch.images(3)).toBe(batch.images(3));
    inside.dispose();
    for (const r of [0, -2, 2.5, Number.NaN]) expect(() => batch.images(r)).toThrow(ConfigError);
    expect(() => batch.images(0)).toThrow(/resolution must be a positive integer, got 0/);
    batch.dispose();
    batch.dispose();
    expect(() => batch.images(3)).toThrow(ConfigError);
  });

  it('a failing read rejects the iteration with that error', async () => {
    const ds = syntheticDataset(12, 4, 4, 1);
    const src = countingSource(ds);
    const broken = {
      ...src,
      read: async (indices: ArrayLike<number>) =>
        Array.from(indices).includes(9) ? Promise.reject(new Error('disk gone')) : src.read(indices),
    };
    const stream = new BatchStream(broken, { batchSize: 4 });
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const b of stream.epoch(0)) {
          seen.push(b.indices[0] as number);
          b.dispose();
        }
      })(),
    ).rejects.toThrow('disk gone');
    expect(seen).toEqual([0, 4]);
  });

  it('rejects bad options with ConfigError naming the value', () => {
    const ds: ImageDataset = syntheticDataset(10, 4, 4, 3);
    const bad: [object, RegExp][] = [
      [{ batchSize: 0 }, /batchSize must be a positive integer, got 0/],
      [{ batchSize: 2, prefetch: -1 }, /prefetch must be a non-negative integer, got -1/],
      [{ batchSize: 2, normalize: { mean: [0.5, 0.5], std: [1, 1] } }, /normalize.mean has 2 values; the source has 3 channels/],
      [{ batchSize: 2, normalize: { mean: [0.5], std: [0] } }, /normalize.std must be finite numbers > 0, got 0/],
      [{ batchSize: 2, eval: { kind: 'center-crop', cropFraction: 0 } }, /cropFraction must be in \(0, 1\], got 0/],
      [{ batchSize: 2, augment: { kind: 'pad-crop', padding: -1, flip: true } }, /padding must be a non-negative integer, got -1/],
      [
        { batchSize: 2, augment: { kind: 'random-resized-crop', scale: [0.5, 0.1], flip: true } },
        /scale must be \[lo, hi\] with 0 < lo <= hi, got \[0.5, 0.1\]/,
      ],
      [{ batchSize: 2, augment: { kind: 'mixup', flip: true } }, /augment.kind must be 'pad-crop' or 'random-resized-crop', got "mixup"/],
      [{ batchSize: 11, augment: { kind: 'pad-crop', padding: 1, flip: true } }, /has 10 images: no full batch of 11 \(dropLast is on\)/],
    ];
    for (const [options, message] of bad) {
      expect(() => new BatchStream(ds, options as never)).toThrow(ConfigError);
      expect(() => new BatchStream(ds, options as never)).toThrow(message);
    }
    const stream = new BatchStream(ds, { batchSize: 4 });
    expect(() => stream.epoch(-1)).toThrow(/epoch must be a non-negative integer, got -1/);
    expect(() => stream.epoch(0, { startBatch: 4 })).toThrow(/startBatch must be an integer in 0..3/);
    expect(() => stream.resolutionBatches(0)).toThrow(ConfigError);
  });
});
