import { initBackend } from '@adaptnet/core/node';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DetectionBatch, DetectionData, type DetectionSample, inputShapeFor, resizedSize } from '../src/index.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu', log: false });
});

/** A grey image with one white rectangle (the object) on black. */
function sample(imageId: number, width: number, height: number, box: [number, number, number, number]): DetectionSample {
  const pixels = new Uint8Array(width * height);
  for (let y = box[1]; y < box[3]; y++) for (let x = box[0]; x < box[2]; x++) pixels[y * width + x] = 255;
  return { imageId, pixels, width, height, channels: 1, objects: [{ box, label: 2 }] };
}

describe('detection batches at several sizes', () => {
  it('resizedSize: shorter side to s, longer side capped at 5/3·s', () => {
    expect(resizedSize(150, 100, 50)).toEqual({ width: 75, height: 50 });
    expect(resizedSize(200, 100, 50)).toEqual({ width: 83, height: 42 }); // 100 > 83.3: the cap wins
    expect(resizedSize(400, 100, 60)).toEqual({ width: 100, height: 25 }); // 240 > 100: the cap wins
    expect(() => resizedSize(10, 10, 0)).toThrow('size must be a positive integer, got 0');
    // 64×48 at 32: 43×32, padded to 64×32 — what DetectionBatch builds (checked below for other sizes).
    expect(inputShapeFor(64, 48, 32)).toEqual([1, 32, 64, 1]);
  });

  it('the same images at every size: resized, padded to the stride multiple, boxes scaled with them', () => {
    const batch = new DetectionBatch([sample(1, 80, 60, [20, 10, 60, 40]), sample(2, 60, 90, [0, 0, 30, 30])], {
      normalize: { mean: [0], std: [1] },
      sizeDivisor: 16,
    });
    for (const s of [60, 30]) {
      const x = batch.images(s);
      const geo = batch.geometry(s);
      const dims = [resizedSize(80, 60, s), resizedSize(60, 90, s)];
      expect(x.shape).toEqual([
        2,
        Math.ceil(Math.max(dims[0]!.height, dims[1]!.height) / 16) * 16,
        Math.ceil(Math.max(dims[0]!.width, dims[1]!.width) / 16) * 16,
        1,
      ]);
      expect(geo[0]?.scaleX).toBeCloseTo(dims[0]!.width / 80, 12);
      const b = batch.objects(s)[0]?.[0]?.box as readonly number[];
      expect(b).toEqual([20 * geo[0]!.scaleX, 10 * geo[0]!.scaleY, 60 * geo[0]!.scaleX, 40 * geo[0]!.scaleY]);
      // The object is where the scaled box says: bright inside, black outside and in the padding.
      const img = x.arraySync() as number[][][][];
      const cy = Math.floor((b[1]! + b[3]!) / 2);
      const cx = Math.floor((b[0]! + b[2]!) / 2);
      expect(img[0]?.[cy]?.[cx]?.[0]).toBeCloseTo(1, 5);
      expect(img[0]?.[Math.floor(b[3]! + 2)]?.[cx]?.[0]).toBeCloseTo(0, 5);
      expect(img[0]?.[x.shape[1] - 1]?.[x.shape[2] - 1]?.[0]).toBe(0);
      expect(batch.images(s)).toBe(x); // built once per size
    }
    const before = tf.memory().numTensors;
    batch.dispose();
    expect(tf.memory().numTensors).toBe(before - 3); // two sizes + the labels
  });

  it('inputShapeFor is the shape a one-image batch builds', () => {
    for (const [w, h, s] of [
      [80, 60, 30],
      [60, 90, 48],
      [200, 64, 40],
    ] as const) {
      const batch = new DetectionBatch([sample(1, w, h, [0, 0, 4, 4])], { normalize: { mean: [0], std: [1] } });
      expect(batch.images(s).shape).toEqual(inputShapeFor(w, h, s));
      batch.dispose();
    }
  });

  it('bad input: channel counts that disagree, a normalisation for the wrong channel count', () => {
    const grey = sample(1, 8, 8, [0, 0, 4, 4]);
    const rgb = { ...grey, imageId: 2, channels: 3, pixels: new Uint8Array(8 * 8 * 3) };
    expect(() => new DetectionBatch([grey, rgb], { normalize: { mean: [0], std: [1] } })).toThrow('image 2 has 3 channels, the batch 1');
    expect(() => new DetectionBatch([rgb], { normalize: { mean: [0], std: [1] } })).toThrow(
      'normalize has 1 mean(s) and 1 std(s), the images 3 channel(s)',
    );
  });

  it('DetectionData: deterministic shuffled epochs, resumable from a batch', async () => {
    const samples = [1, 2, 3, 4, 5].map((i) => sample(i, 16, 16, [0, 0, 8, 8]));
    const data = new DetectionData(samples, { batchSize: 2, normalize: { mean: [0], std: [1] }, seed: 3 });
    expect(data.batchesPerEpoch).toBe(2);
    const ids = async (epoch: number, startBatch = 0) => {
      const out: number[][] = [];
      for await (const b of data.epoch(epoch, { startBatch })) {
        out.push(b.samples.map((s) => s.imageId));
        b.dispose();
      }
      return out;
    };
    const e0 = await ids(0);
    expect(await ids(0)).toEqual(e0);
    expect(await ids(0, 1)).toEqual(e0.slice(1));
    expect(await ids(1)).not.toEqual(e0);
  });
});
