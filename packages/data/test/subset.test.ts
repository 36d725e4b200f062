import { ConfigError, ShapeError } from '@adaptnet/core';
import { describe, expect, it } from 'vitest';
import {
  asImageSource,
  calibrationImages,
  createImageDataset,
  isImageDataset,
  randomSample,
  randomSplit,
  subset,
  takePerClass,
  toImageDataset,
} from '../src/index.js';
import { syntheticDataset } from './helpers/reference.js';

const ds = syntheticDataset(30, 2, 2, 3, 4); // labels i mod 3
const img = (d: { pixels: Uint8Array }, k: number) => Array.from(d.pixels.subarray(k * 12, (k + 1) * 12));

describe('subsets', () => {
  it('subset copies the chosen images and labels in order', () => {
    const s = subset(ds, [7, 2, 7], 'three');
    expect([s.name, s.size, s.height, s.width, s.channels, s.numClasses]).toEqual(['three', 3, 2, 2, 3, 3]);
    expect(Array.from(s.labels)).toEqual([1, 2, 1]);
    expect(img(s, 0)).toEqual(img(ds, 7));
    expect(img(s, 1)).toEqual(img(ds, 2));
    expect(() => subset(ds, [30])).toThrow(/index 30 is out of range for synthetic-30 \(size 30\)/);
  });

  it('subsets of lazy sources read through to the parent', async () => {
    const lazy = subset(asImageSource(ds), [5, 9]);
    expect(isImageDataset(lazy)).toBe(false);
    expect(Array.from(lazy.labels)).toEqual([2, 0]);
    const [a, b] = await lazy.read([1, 0]);
    expect(Array.from(a!.pixels)).toEqual(img(ds, 9));
    expect(Array.from(b!.pixels)).toEqual(img(ds, 5));
    expect(img(await toImageDataset(lazy), 0)).toEqual(img(ds, 5));
  });

  it('calibrationImages: a fixed, seeded set of distinct images', () => {
    const a = calibrationImages(ds, 20, 1);
    const b = calibrationImages(ds, 20, 1);
    const c = calibrationImages(ds, 20, 2);
    expect(a.size).toBe(20);
    expect(a.pixels).toEqual(b.pixels);
    expect(a.pixels).not.toEqual(c.pixels);
    const keys = new Set(Array.from({ length: 20 }, (_, k) => img(a, k).join()));
    expect(keys.size).toBe(20);
    expect(calibrationImages(syntheticDataset(3000, 1, 1, 1)).size).toBe(2000); // the US-Net default
    expect(() => randomSample(ds, 31)).toThrow(ConfigError);
  });

  it('randomSplit partitions; takePerClass takes the first n of each class', () => {
    const [x, y] = randomSplit(ds, 12, 3);
    expect([x.size, y.size]).toEqual([12, 18]);
    const all = new Set([
      ...Array.from({ length: 12 }, (_, k) => img(x, k).join()),
      ...Array.from({ length: 18 }, (_, k) => img(y, k).join()),
    ]);
    expect(all.size).toBe(30);
    const firsts = takePerClass(ds, 2);
    expect(Array.from(firsts.labels)).toEqual([0, 1, 2, 0, 1, 2]);
    expect(img(firsts, 3)).toEqual(img(ds, 3));
    expect(() => takePerClass(ds, 11)).toThrow('class 0 (class0) of synthetic-30 has 10 images, fewer than perClass=11');
  });

  it('createImageDataset checks sizes and labels', () => {
    const base = { name: 'n', height: 2, width: 2, channels: 1, classNames: ['a', 'b'] };
    expect(() => createImageDataset({ ...base, pixels: new Uint8Array(7), labels: new Int32Array(2) })).toThrow(ShapeError);
    expect(() => createImageDataset({ ...base, pixels: new Uint8Array(8), labels: Int32Array.from([0, 2]) })).toThrow(
      'n: label 2 of image 1 is outside 0..1 (2 classes)',
    );
  });
});
