import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '@adaptnet/core';
import type { ImageDataset } from '@adaptnet/data';
import { loadFashionMnist } from '@adaptnet/data/node';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cocoFolder, composeScene, makeFashionDetection, nonZeroBox, readCocoDataset, resizeGrey } from '../src/node.js';

let fashion: ImageDataset;
let dir: string;
beforeAll(async () => {
  fashion = await loadFashionMnist({ split: 'test' });
  dir = await mkdtemp(join(tmpdir(), 'coco-fd-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The box of the non-zero pixels, found by scanning rows and columns (independent of nonZeroBox). */
function scanBox(pixels: Uint8Array, width: number, height: number): number[] {
  const rows = new Array<boolean>(height).fill(false);
  const cols = new Array<boolean>(width).fill(false);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if ((pixels[y * width + x] as number) > 0) {
        rows[y] = true;
        cols[x] = true;
      }
    }
  }
  const y0 = rows.indexOf(true);
  const x0 = cols.indexOf(true);
  return [x0, y0, cols.lastIndexOf(true) - x0 + 1, rows.lastIndexOf(true) - y0 + 1];
}

describe('scenes of real Fashion-MNIST items', () => {
  it('a single item without clutter: its box is exactly the non-zero pixels of the canvas', () => {
    const rng = new Rng(5);
    for (let i = 0; i < 40; i++) {
      const scene = composeScene(rng, fashion, { minObjects: 1, maxObjects: 1 });
      expect(scene.objects).toHaveLength(1);
      expect(scene.objects[0]?.bbox).toEqual(scanBox(scene.pixels, scene.width, scene.height));
    }
  });

  it('several items with clutter: every box is tight to its own pasted pixels, which survive compositing', () => {
    const rng = new Rng(6);
    for (let i = 0; i < 15; i++) {
      const scene = composeScene(rng, fashion, { clutter: 3 });
      expect(scene.objects.length).toBeGreaterThanOrEqual(1);
      expect(scene.objects.length).toBeLessThanOrEqual(6);
      for (const o of scene.objects) {
        // The item alone on a blank canvas, at the recorded position.
        const alone = new Uint8Array(scene.width * scene.height);
        for (let r = 0; r < o.side; r++)
          for (let c = 0; c < o.side; c++) alone[(o.y + r) * scene.width + o.x + c] = o.patch[r * o.side + c] as number;
        expect(o.bbox).toEqual(scanBox(alone, scene.width, scene.height));
        // Max compositing keeps each of its pixels at least as bright on the final canvas.
        for (let p = 0; p < alone.length; p++)
          if ((alone[p] as number) > (scene.pixels[p] as number)) throw new Error('an item pixel was lost');
        // The patch is the source item resized.
        const src = fashion.pixels.subarray(o.item * 784, (o.item + 1) * 784);
        expect(Buffer.compare(o.patch, resizeGrey(src, 28, 28, o.side, o.side))).toBe(0);
        expect(o.label).toBe(fashion.labels[o.item]);
      }
    }
  });

  it('small, medium and large boxes all occur under the COCO area ranges', () => {
    const rng = new Rng(7);
    const counts = { small: 0, medium: 0, large: 0 };
    for (let i = 0; i < 150; i++) {
      for (const o of composeScene(rng, fashion).objects) {
        const area = o.bbox[2] * o.bbox[3];
        if (area < 32 ** 2) counts.small++;
        else if (area <= 96 ** 2) counts.medium++;
        else counts.large++;
      }
    }
    const total = counts.small + counts.medium + counts.large;
    for (const n of Object.values(counts)) expect(n / total).toBeGreaterThan(0.08);
  });

  it('nonZeroBox agrees with a row/column scan and is undefined for a blank image', () => {
    const img = new Uint8Array(7 * 5);
    expect(nonZeroBox(img, 7, 5)).toBeUndefined();
    img[1 * 7 + 2] = 3;
    img[3 * 7 + 5] = 1;
    expect(nonZeroBox(img, 7, 5)).toEqual([2, 1, 4, 3]);
    expect(scanBox(img, 7, 5)).toEqual([2, 1, 4, 3]);
  });
});

async function digest(root: string): Promise<string> {
  const h = createHash('sha256');
  for (const sub of ['annotations', 'images']) {
    for (const f of (await readdir(join(root, sub))).sort()) h.update(f).update(await readFile(join(root, sub, f)));
  }
  return h.digest('hex');
}

describe('makeFashionDetection writes a COCO folder', () => {
  it('is deterministic by seed, readable by the loader, and its PNGs hold the boxes', async () => {
    const a = await makeFashionDetection({ out: join(dir, 'a'), train: 6, val: 4, seed: 1 });
    await makeFashionDetection({ out: join(dir, 'b'), train: 6, val: 4, seed: 1 });
    await makeFashionDetection({ out: join(dir, 'c'), train: 0, val: 4, seed: 2 });
    expect(await digest(join(dir, 'a'))).toBe(await digest(join(dir, 'b')));
    const valJson = (name: string) => readFile(join(dir, name, 'annotations', 'instances_val.json'), 'utf8');
    expect(await valJson('c')).not.toBe(await valJson('a'));
    expect(a.splits.train.images).toBe(6);
    const val = await readCocoDataset(join(dir, 'a', 'annotations', 'instances_val.json'));
    expect(val.images).toHaveLength(4);
    expect(val.categories.map((c) => c.name)).toEqual([...fashion.classNames]);
    const folder = cocoFolder(val, join(dir, 'a', 'images'));
    for (const id of val.imageIds) {
      // Stored as 1-channel grey PNGs.
      const file = join(dir, 'a', 'images', val.image(id).fileName);
      const meta = await sharp(file).metadata();
      expect([meta.format, meta.channels, meta.space]).toEqual(['png', 1, 'b-w']);
      const img = await folder.load(id, { channels: 1 });
      // Every box edge touches a non-zero pixel of the decoded image, and no non-zero pixel lies outside all boxes.
      const boxes = val.annotationsOf(id).map((x) => x.bbox);
      for (const [x, y, w, h] of boxes) {
        const at = (px: number, py: number) => img.pixels[py * img.width + px] as number;
        const edge = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i)).some((v) => v > 0);
        expect(
          edge(w, (i) => at(x + i, y)) &&
            edge(w, (i) => at(x + i, y + h - 1)) &&
            edge(h, (i) => at(x, y + i)) &&
            edge(h, (i) => at(x + w - 1, y + i)),
        ).toBe(true);
      }
      let outside = 0;
      for (let py = 0; py < img.height; py++) {
        for (let px = 0; px < img.width; px++) {
          if (
            (img.pixels[py * img.width + px] as number) > 0 &&
            !boxes.some(([x, y, w, h]) => px >= x && px < x + w && py >= y && py < y + h)
          )
            outside++;
        }
      }
      expect(outside).toBe(0);
    }
  });

  it('refuses an existing folder and leaves it untouched', async () => {
    const before = await digest(join(dir, 'a'));
    await expect(makeFashionDetection({ out: join(dir, 'a'), train: 1, val: 1 })).rejects.toThrow(/already exists/);
    expect(await digest(join(dir, 'a'))).toBe(before);
    expect((await readdir(dir)).filter((f) => f.includes('partial'))).toEqual([]);
  });
});
