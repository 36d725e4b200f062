import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { AdaptNetError } from '@adaptnet/core';
import { describe, expect, it } from 'vitest';
import { DatasetError, parseIdx } from '../src/index.js';
import { loadMnistIdx, readIdx } from '../src/node.js';
import { idxBytes, tempDir } from './helpers/tmp.js';

const dir = await tempDir('idx');

// 3 images of 2×3: image k, pixel p = 10k + p
const PIXELS = Array.from({ length: 18 }, (_, i) => 10 * Math.floor(i / 6) + (i % 6));
const IMAGES = idxBytes([3, 2, 3], PIXELS);
const LABELS = idxBytes([3], [2, 0, 1]);

async function write(name: string, bytes: Uint8Array): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
}

describe('IDX parsing', () => {
  it('reads gzipped and plain files alike', async () => {
    const plain = await write('plain-images-idx3-ubyte', IMAGES);
    const gz = await write('gz-images-idx3-ubyte.gz', gzipSync(IMAGES));
    for (const path of [plain, gz]) {
      const idx = await readIdx(path);
      expect(idx.dims).toEqual([3, 2, 3]);
      expect(Array.from(idx.data)).toEqual(PIXELS);
    }
  });

  it('loads images and labels into an ImageDataset', async () => {
    const ds = await loadMnistIdx({
      images: await write('a-images.gz', gzipSync(IMAGES)),
      labels: await write('a-labels', LABELS),
      name: 'tiny',
      classNames: ['x', 'y', 'z'],
    });
    expect([ds.name, ds.size, ds.height, ds.width, ds.channels, ds.numClasses]).toEqual(['tiny', 3, 2, 3, 1, 3]);
    expect(Array.from(ds.labels)).toEqual([2, 0, 1]);
    expect(Array.from(ds.pixels.subarray(6, 12))).toEqual([10, 11, 12, 13, 14, 15]);
    expect(ds.classNames).toEqual(['x', 'y', 'z']);
    const unnamed = await loadMnistIdx({ images: join(dir, 'a-images.gz'), labels: join(dir, 'a-labels') });
    expect(unnamed.classNames).toHaveLength(10);
  });

  it('rejects a wrong magic number, naming the file', async () => {
    const bad = IMAGES.slice();
    bad[0] = 0x1a;
    const path = await write('bad-magic', bad);
    const err = await readIdx(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetError);
    expect(err).toBeInstanceOf(AdaptNetError);
    expect(err).toMatchObject({ reason: 'corrupt', path, code: 'E_DATASET' });
    expect((err as Error).message).toBe(
      `${path} is not a valid IDX file: magic number 0x1a000803 does not start with 0x0000 (expected 0x00000801 for labels, 0x00000803 for images)`,
    );
    const float = IMAGES.slice();
    float[2] = 0x0d;
    await expect(readIdx(await write('float', float))).rejects.toThrow(/data type 0x0d; only 0x08 \(unsigned byte\) is supported/);
  });

  it('rejects truncated files (plain, gzipped, cut gzip stream) and trailing bytes', async () => {
    const cut = await write('cut-images', IMAGES.subarray(0, IMAGES.length - 5));
    await expect(readIdx(cut)).rejects.toThrow(
      `${cut} is not a valid IDX file: dimensions [3, 2, 3] need 18 data bytes after the header, got 13 (truncated)`,
    );
    const cutGz = await write('cut-images.gz', gzipSync(IMAGES.subarray(0, 10)));
    await expect(readIdx(cutGz)).rejects.toThrow(/shorter than its 16-byte header \(truncated\)/);
    const gz = gzipSync(IMAGES);
    const brokenGz = await write('broken.gz', gz.subarray(0, gz.length - 8));
    const err = await readIdx(brokenGz).catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: 'corrupt', path: brokenGz });
    expect((err as Error).message).toMatch(/is not a valid gzip file .*truncated/);
    const extra = await write('extra', Uint8Array.from([...IMAGES, 1, 2]));
    await expect(readIdx(extra)).rejects.toThrow(/got 20 \(2 extra\)/);
    await expect(readIdx(await write('tiny', Uint8Array.from([0, 0])))).rejects.toThrow(/2 bytes, shorter than the 4-byte magic number/);
    expect(() => parseIdx(idxBytes([0, 5], []), 'zero')).toThrow(/dimensions \[0, 5\] contain a zero/);
  });

  it('checks ranks and counts between the two files', async () => {
    const images = await write('c-images', IMAGES);
    await expect(loadMnistIdx({ images, labels: images })).rejects.toThrow(/declares 3 dimensions, expected 1/);
    const fewer = await write('c-labels', idxBytes([2], [0, 1]));
    await expect(loadMnistIdx({ images, labels: fewer })).rejects.toThrow(`${fewer} holds 2 labels but ${images} holds 3 images`);
    const labels = await write('d-labels', LABELS);
    await expect(loadMnistIdx({ images: labels, labels })).rejects.toThrow(/an images file needs \[N, H, W\] or \[N, H, W, C\]/);
    await expect(loadMnistIdx({ images, labels, classNames: ['a', 'b'] })).rejects.toThrow(/contains label 2 but only 2 class names/);
  });

  it('a missing file is a DatasetError naming the path', async () => {
    const path = join(dir, 'nope.gz');
    const err = await readIdx(path, { missingHint: 'get it somewhere' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: 'missing', path, message: `${path} does not exist; get it somewhere` });
  });
});
