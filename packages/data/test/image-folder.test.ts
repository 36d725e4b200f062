import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { initBackend } from '@adaptnet/core/node';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { BatchStream, DatasetError, toImageDataset } from '../src/index.js';
import { loadImageFolder } from '../src/node.js';
import { bytes, collect } from './helpers/reference.js';
import { tempDir } from './helpers/tmp.js';

await initBackend({ backend: 'cpu', log: false });
const root = await tempDir('folder');

async function png(path: string, w: number, h: number, channels: 1 | 3 | 4, seed: number): Promise<Uint8Array> {
  const raw = bytes(w * h * channels, seed);
  await sharp(Buffer.from(raw), { raw: { width: w, height: h, channels } })
    .png()
    .toFile(path);
  return raw;
}

// dir/cat: 2 PNGs 6×4 (one greyscale); dir/ant: 1 JPEG 6×4 + 1 PNG with alpha + a text file
const dir = join(root, 'pets');
await mkdir(join(dir, 'cat'), { recursive: true });
await mkdir(join(dir, 'ant'), { recursive: true });
const catA = await png(join(dir, 'cat', 'a.png'), 6, 4, 3, 1);
const catGrey = await png(join(dir, 'cat', 'b.PNG'), 6, 4, 1, 2);
const antAlpha = await png(join(dir, 'ant', 'z.png'), 6, 4, 4, 3);
await sharp(Buffer.from(bytes(6 * 4 * 3, 4)), { raw: { width: 6, height: 4, channels: 3 } })
  .jpeg()
  .toFile(join(dir, 'ant', 'x.jpg'));
await writeFile(join(dir, 'ant', 'notes.txt'), 'not an image');
await writeFile(join(dir, 'ant', '.DS_Store'), 'hidden');

describe('image folder', () => {
  it('one class per sorted sub-folder, images sorted, non-images skipped and listed', async () => {
    const src = await loadImageFolder({ dir });
    expect(src.classNames).toEqual(['ant', 'cat']);
    expect(src.files.map((f) => f.slice(dir.length + 1))).toEqual(['ant/x.jpg', 'ant/z.png', 'cat/a.png', 'cat/b.PNG']);
    expect(Array.from(src.labels)).toEqual([0, 0, 1, 1]);
    expect(src.skipped).toEqual([join(dir, 'ant', 'notes.txt')]);
    expect([src.size, src.numClasses, src.channels, src.height, src.width, src.side]).toEqual([4, 2, 3, 4, 6, 'keep']);
  });

  it('decodes PNG exactly, expands greyscale to RGB and drops alpha', async () => {
    const src = await loadImageFolder({ dir });
    const [jpg, alpha, rgb, grey] = await src.read([0, 1, 2, 3]);
    expect([jpg!.height, jpg!.width, jpg!.pixels.length]).toEqual([4, 6, 72]);
    expect(Array.from(rgb!.pixels)).toEqual(Array.from(catA));
    expect(Array.from(grey!.pixels)).toEqual(Array.from(catGrey).flatMap((v) => [v, v, v]));
    expect(Array.from(alpha!.pixels)).toEqual(Array.from(antAlpha).filter((_, i) => i % 4 !== 3));
    const mono = await loadImageFolder({ dir, channels: 1 });
    const [g] = await mono.read([3]);
    expect(Array.from(g!.pixels)).toEqual(Array.from(catGrey));
  });

  it('images of different sizes: resized to a shorter side of 256 by default, or to `side`; batches still work', async () => {
    const mixed = join(root, 'mixed');
    await mkdir(join(mixed, 'b'), { recursive: true });
    await mkdir(join(mixed, 'a'), { recursive: true });
    await png(join(mixed, 'a', '1.png'), 30, 20, 3, 5);
    await png(join(mixed, 'b', '2.png'), 16, 16, 3, 6);
    await png(join(mixed, 'b', '3.png'), 10, 40, 3, 7);
    const big = await loadImageFolder({ dir: mixed });
    expect([big.side, big.height, big.width]).toEqual([256, undefined, undefined]);
    expect((await big.read([0, 1, 2])).map((d) => [d.height, d.width])).toEqual([
      [256, 384],
      [256, 256],
      [1024, 256],
    ]);
    const small = await loadImageFolder({ dir: mixed, side: 8 });
    expect((await small.read([0, 2])).map((d) => [d.height, d.width])).toEqual([
      [8, 12],
      [32, 8],
    ]);
    const stream = new BatchStream(small, { batchSize: 3, augment: { kind: 'random-resized-crop', flip: true }, prefetch: 1 });
    const [batch] = await collect(stream.epoch(0));
    expect(batch!.images(8).shape).toEqual([3, 8, 8, 3]);
    batch!.crops.forEach((c, k) => {
      const [h, w] = [
        [8, 12],
        [8, 8],
        [32, 8],
      ][batch!.indices[k] as number]!;
      expect(c.top >= 0 && c.left >= 0 && c.bottom <= h! - 1 && c.right <= w! - 1).toBe(true);
    });
    batch!.dispose();
    await expect(toImageDataset(small)).rejects.toThrow(/images differ in size/);
  });

  it('materialises a uniform folder as an ImageDataset', async () => {
    const ds = await toImageDataset(await loadImageFolder({ dir }), { chunk: 3 });
    expect([ds.size, ds.height, ds.width, ds.channels]).toEqual([4, 4, 6, 3]);
    expect(Array.from(ds.pixels.subarray(2 * 72, 3 * 72))).toEqual(Array.from(catA));
  });

  it('errors name the path: missing folder, no classes, empty class, undecodable image', async () => {
    const missing = join(root, 'missing');
    await expect(loadImageFolder({ dir: missing })).rejects.toMatchObject({ reason: 'missing', path: missing });
    const flat = join(root, 'flat');
    await mkdir(flat);
    await expect(loadImageFolder({ dir: flat })).rejects.toThrow(`${flat} has no class sub-folders; expected ${flat}/<class>/<image>`);
    await mkdir(join(flat, 'empty'));
    await expect(loadImageFolder({ dir: flat })).rejects.toThrow(/class folder .*empty has no images with extensions .jpg, .jpeg, .png/);
    const broken = join(root, 'broken');
    await mkdir(join(broken, 'x'), { recursive: true });
    await writeFile(join(broken, 'x', 'bad.png'), 'this is not a png');
    const err = await loadImageFolder({ dir: broken }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetError);
    expect(err).toMatchObject({ reason: 'unreadable', path: join(broken, 'x', 'bad.png') });
    expect((err as Error).message).toMatch(new RegExp(`^cannot decode image ${join(broken, 'x', 'bad.png')}: `));
    // a file broken after loading fails at read time, named too
    const later = join(root, 'later');
    await mkdir(join(later, 'x'), { recursive: true });
    await png(join(later, 'x', 'ok.png'), 4, 4, 3, 8);
    const src = await loadImageFolder({ dir: later });
    await writeFile(join(later, 'x', 'ok.png'), 'gone bad');
    await expect(src.read([0])).rejects.toMatchObject({ reason: 'unreadable', path: join(later, 'x', 'ok.png') });
    await expect(src.read([1])).rejects.toThrow(/index 1 is out of range for .* \(size 1\)/);
  });
});
