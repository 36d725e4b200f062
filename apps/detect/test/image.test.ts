import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeFashionDetection } from '@adaptnet/coco/node';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { readImage } from '../src/index.js';

describe('readImage', () => {
  let dir: string;
  let rgb: string;
  let grey: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'detect-image-'));
    rgb = join(dir, 'colour.png');
    grey = join(dir, 'grey.png');
    const colour = new Uint8Array(8 * 6 * 3);
    for (let i = 0; i < 48; i++) colour.set([255, 0, 0], i * 3);
    await sharp(colour, { raw: { width: 8, height: 6, channels: 3 } })
      .png()
      .toFile(rgb);
    await sharp(new Uint8Array(48).fill(77), { raw: { width: 8, height: 6, channels: 1 } })
      .png()
      .toFile(grey);
  });

  it('refuses an image of the wrong channel count in one line naming the file, its channels and the flag', async () => {
    await expect(readImage(rgb, 1)).rejects.toThrow(
      /^image .*colour\.png has 3-channel \(RGB\) pixels; this detector reads 1-channel \(grey\) images: pass --convert to convert it$/,
    );
    await expect(readImage(grey, 3)).rejects.toThrow(/grey\.png has 1-channel \(grey\) pixels; this detector reads 3-channel \(RGB\)/);
  });

  it('a grey picture stored as RGB is grey (many PNG writers store grey so)', async () => {
    const stored = join(dir, 'grey-as-rgb.png');
    await sharp(new Uint8Array(8 * 6 * 3).fill(90), { raw: { width: 8, height: 6, channels: 3 } })
      .png()
      .toFile(stored);
    expect((await sharp(stored).metadata()).channels).toBe(3);
    const g = await readImage(stored, 1);
    expect([g.channels, g.pixels.length, g.pixels[0]]).toEqual([1, 48, 90]);
  });

  it("reads make-data's 1-channel grey PNGs as they are, and as RGB by repetition", async () => {
    const out = join(dir, 'made');
    await makeFashionDetection({ out, train: 0, val: 1, seed: 3 });
    const file = join(out, 'images', 'val_000001.png');
    const meta = await sharp(file).metadata();
    expect([meta.channels, meta.space]).toEqual([1, 'b-w']);
    const g = await readImage(file, 1);
    expect([g.channels, g.pixels.length]).toEqual([1, (meta.width as number) * (meta.height as number)]);
    expect(g.pixels.some((v) => v > 0)).toBe(true);
    await expect(readImage(file, 3)).rejects.toThrow(/has 1-channel \(grey\) pixels/);
    const c = await readImage(file, 3, { convert: true });
    expect(Array.from(c.pixels.filter((_, i) => i % 3 === 0))).toEqual(Array.from(g.pixels));
  });

  it('converts on request: RGB → grey by luminance, grey → RGB by repetition', async () => {
    const g = await readImage(rgb, 1, { convert: true });
    expect([g.width, g.height, g.channels, g.pixels.length]).toEqual([8, 6, 1, 48]);
    // Pure red is darker than white and brighter than black in every luminance formula.
    expect(g.pixels[0]).toBeGreaterThan(20);
    expect(g.pixels[0]).toBeLessThan(200);
    const c = await readImage(grey, 3, { convert: true });
    expect(Array.from(c.pixels.subarray(0, 6))).toEqual([77, 77, 77, 77, 77, 77]);
    const same = await readImage(grey, 1);
    expect(same.pixels.every((v) => v === 77)).toBe(true);
  });

  it('names a file that is not an image', async () => {
    await expect(readImage(join(dir, 'missing.png'), 1)).rejects.toThrow(/missing\.png/);
  });
});
