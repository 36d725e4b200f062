import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '@adaptnet/core';
import { describe, expect, it } from 'vitest';
import { DatasetError, FASHION_MNIST_CLASSES, FASHION_MNIST_NORMALIZE } from '../src/index.js';
import { FASHION_MNIST_DIR, loadFashionMnist } from '../src/node.js';
import { sameBytes } from './helpers/reference.js';
import { tempDir } from './helpers/tmp.js';

const counts = (labels: Int32Array, k: number) => {
  const c = new Array<number>(k).fill(0);
  for (const y of labels) c[y] = (c[y] as number) + 1;
  return c;
};

describe('Fashion-MNIST (Debian dataset-fashion-mnist)', () => {
  it('test split: 10,000 28×28×1 images, 1,000 per class', async () => {
    const ds = await loadFashionMnist({ split: 'test' });
    expect([ds.name, ds.size, ds.height, ds.width, ds.channels, ds.numClasses]).toEqual(['fashion-mnist/test', 10000, 28, 28, 1, 10]);
    expect(ds.pixels.length).toBe(10000 * 784);
    expect(counts(ds.labels, 10)).toEqual(new Array(10).fill(1000));
    expect(ds.classNames).toEqual(FASHION_MNIST_CLASSES);
    expect(FASHION_MNIST_CLASSES[9]).toBe('Ankle boot');
  });

  it('train split: 60,000 images, 6,000 per class; its pixel mean and std are FASHION_MNIST_NORMALIZE', async () => {
    const ds = await loadFashionMnist();
    expect(ds.size).toBe(60000);
    expect(counts(ds.labels, 10)).toEqual(new Array(10).fill(6000));
    let sum = 0;
    let sq = 0;
    for (const p of ds.pixels) {
      sum += p / 255;
      sq += (p / 255) ** 2;
    }
    const mean = sum / ds.pixels.length;
    const std = Math.sqrt(sq / ds.pixels.length - mean * mean);
    expect(mean).toBeCloseTo(FASHION_MNIST_NORMALIZE.mean[0] as number, 3);
    expect(std).toBeCloseTo(FASHION_MNIST_NORMALIZE.std[0] as number, 3);
  });

  it('reads plain (gunzipped) copies in another folder', async () => {
    const dir = await tempDir('fashion');
    await mkdir(dir, { recursive: true });
    const { gunzipSync } = await import('node:zlib');
    const { readFile, writeFile } = await import('node:fs/promises');
    for (const f of ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) {
      await writeFile(join(dir, f), gunzipSync(await readFile(join(FASHION_MNIST_DIR, `${f}.gz`))));
    }
    await copyFile(join(FASHION_MNIST_DIR, 't10k-labels-idx1-ubyte.gz'), join(dir, 't10k-labels-idx1-ubyte.gz'));
    const ds = await loadFashionMnist({ split: 'test', dir });
    const ref = await loadFashionMnist({ split: 'test' });
    expect(sameBytes(ds.pixels, ref.pixels)).toBe(true);
    expect(sameBytes(ds.labels, ref.labels)).toBe(true);
  });

  it('a missing data set names the expected path and the install command', async () => {
    const err = await loadFashionMnist({ dir: '/nonexistent/fashion' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetError);
    expect((err as DatasetError).path).toBe('/nonexistent/fashion/train-images-idx3-ubyte.gz');
    expect((err as Error).message).toMatch(
      /^Fashion-MNIST not found at \/nonexistent\/fashion\/train-images-idx3-ubyte\.gz; .*sudo apt-get install dataset-fashion-mnist/,
    );
    await expect(loadFashionMnist({ split: 'val' as 'test' })).rejects.toThrow(ConfigError);
    await expect(loadFashionMnist({ split: 'val' as 'test' })).rejects.toThrow(`split must be 'train' or 'test', got "val"`);
  });
});
