import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { colourOf, drawDetections, formatDetection } from '../src/index.js';

const hex = (c: string) => [1, 3, 5].map((i) => Number.parseInt(c.slice(i, i + 2), 16));

async function decode(png: Buffer) {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  return {
    info,
    at: (x: number, y: number) => Array.from(data.subarray((y * info.width + x) * info.channels, (y * info.width + x + 1) * info.channels)),
  };
}

describe('drawDetections', () => {
  it('outlines each box in its class colour on its edges and leaves inside and outside untouched', async () => {
    const width = 96;
    const height = 80;
    const pixels = new Uint8Array(width * height).fill(40);
    const boxes = [
      { bbox: [10, 30, 30, 20] as const, label: 2, score: 0.9 },
      { bbox: [50, 40, 40, 36] as const, label: 7, score: 0.55 },
    ];
    const png = await drawDetections({ pixels, width, height, channels: 1 }, boxes, ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
    const { info, at } = await decode(png);
    expect([info.width, info.height, info.channels]).toEqual([width, height, 3]);
    for (const { bbox, label } of boxes) {
      const [x, y, w, h] = bbox;
      const colour = hex(colourOf(label));
      const mx = x + Math.floor(w / 2);
      const my = y + Math.floor(h / 2);
      // The 2-px stroke lies just inside the box: its first and last pixel rows and columns.
      expect(at(x, my)).toEqual(colour);
      expect(at(x + w - 1, my)).toEqual(colour);
      expect(at(mx, y + h - 1)).toEqual(colour);
      expect(at(mx, my)).toEqual([40, 40, 40]);
      expect(at(x + w + 1, my)).toEqual([40, 40, 40]);
    }
    expect(colourOf(2)).not.toBe(colourOf(7));
  });

  it('keeps an RGB image and prints detections in image pixels', async () => {
    const width = 40;
    const height = 30;
    const pixels = new Uint8Array(width * height * 3);
    for (let i = 0; i < width * height; i++) pixels.set([200, 10, 30], i * 3);
    const png = await drawDetections({ pixels, width, height, channels: 3 }, [], []);
    const { at } = await decode(png);
    expect(at(20, 15)).toEqual([200, 10, 30]);
    expect(formatDetection({ bbox: [1, 2.25, 3, 4], label: 1, score: 0.876 }, ['T-shirt/top', 'Trouser'])).toBe(
      'Trouser 0.88 [1.0 2.3 3.0 4.0]',
    );
  });
});
