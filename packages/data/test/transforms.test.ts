import { Rng } from '@adaptnet/core';
import { describe, expect, it } from 'vitest';
import { centerCropBox, defaultEvalTransform, padCropBox, randomResizedCropRect } from '../src/index.js';

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))] as number;

describe('randomResizedCropRect', () => {
  it('defaults: area fraction in [0.08, 1], aspect in [3/4, 4/3], inside the image', () => {
    const rng = new Rng(1);
    const H = 600;
    const W = 800;
    for (let i = 0; i < 3000; i++) {
      const r = randomResizedCropRect(rng, H, W);
      expect(Number.isInteger(r.top) && Number.isInteger(r.left) && Number.isInteger(r.height) && Number.isInteger(r.width)).toBe(true);
      expect(r.top >= 0 && r.left >= 0 && r.top + r.height <= H && r.left + r.width <= W).toBe(true);
      // rounding w and h to integers moves area and aspect by at most ~1 px per side
      const area = (r.height * r.width) / (H * W);
      expect(area).toBeGreaterThanOrEqual(0.08 * (1 - 2 / Math.sqrt(0.08 * H * W)) - 1e-9);
      expect(area).toBeLessThanOrEqual(1);
      const aspect = r.width / r.height;
      expect(aspect).toBeGreaterThanOrEqual(0.75 - 1.5 / r.height);
      expect(aspect).toBeLessThanOrEqual(4 / 3 + 1.5 / r.height);
    }
  });

  it('draws the aspect log-uniformly and the area uniformly (no rejections when everything fits)', () => {
    const rng = new Rng(2);
    const logs: number[] = [];
    const areas: number[] = [];
    for (let i = 0; i < 4000; i++) {
      const r = randomResizedCropRect(rng, 2000, 2000, [0.1, 0.2], [0.5, 2]);
      logs.push(Math.log(r.width / r.height));
      areas.push((r.width * r.height) / 4e6);
    }
    // log-uniform on [log 0.5, log 2] = [−0.693, 0.693]: quartiles at −0.347, 0, 0.347
    expect(quantile(logs, 0.25)).toBeCloseTo(-Math.log(2) / 2, 1);
    expect(quantile(logs, 0.5)).toBeCloseTo(0, 1);
    expect(quantile(logs, 0.75)).toBeCloseTo(Math.log(2) / 2, 1);
    expect(Math.abs(quantile(logs, 0.25) + Math.log(2) / 2)).toBeLessThan(0.03);
    expect(quantile(areas, 0.5)).toBeCloseTo(0.15, 2);
    expect(Math.min(...areas)).toBeGreaterThan(0.099);
    expect(Math.max(...areas)).toBeLessThan(0.201);
  });

  it('places the crop uniformly', () => {
    const rng = new Rng(3);
    const lefts: number[] = [];
    for (let i = 0; i < 3000; i++) {
      const r = randomResizedCropRect(rng, 100, 1000, [0.09, 0.09], [1, 1]); // always 95×95 (round(√9000) = 95)
      expect([r.height, r.width]).toEqual([95, 95]);
      lefts.push(r.left);
    }
    expect(Math.max(...lefts)).toBeLessThanOrEqual(905);
    expect(quantile(lefts, 0.5)).toBeGreaterThan(452 - 40);
    expect(quantile(lefts, 0.5)).toBeLessThan(452 + 40);
  });

  it('falls back after 10 failed tries to the centred crop with the aspect clamped into ratio (torchvision)', () => {
    const rng = new Rng(4);
    // scale > 1 never fits: every try fails
    expect(randomResizedCropRect(rng, 100, 300, [2, 3])).toEqual({ top: 0, left: 83, height: 100, width: 133 }); // w = round(100·4/3)
    expect(randomResizedCropRect(rng, 300, 100, [2, 3])).toEqual({ top: 83, left: 0, height: 133, width: 100 }); // h = round(100/(3/4))
    expect(randomResizedCropRect(rng, 50, 60, [2, 3])).toEqual({ top: 0, left: 0, height: 50, width: 60 }); // 1.2 within ratio
    // exactly 10 tries of 2 draws each (area, aspect), no placement draw, then no more draws
    const a = new Rng(9);
    randomResizedCropRect(a, 10, 10, [2, 3]);
    const b = new Rng(9);
    for (let i = 0; i < 20; i++) b.next();
    expect(a.next()).toBe(b.next());
  });
});

describe('padCropBox and centerCropBox', () => {
  it('pad-crop shifts uniformly in [−P, P]² and flips half the time', () => {
    const rng = new Rng(5);
    const counts = new Map<number, number>();
    let flips = 0;
    const n = 5000;
    for (let i = 0; i < n; i++) {
      const b = padCropBox(rng, 28, 28, 2, true);
      expect([b.bottom - b.top, b.right - b.left]).toEqual([27, 27]);
      counts.set(b.top, (counts.get(b.top) ?? 0) + 1);
      flips += b.flip ? 1 : 0;
    }
    expect([...counts.keys()].sort()).toEqual([-1, -2, 0, 1, 2].sort());
    for (const c of counts.values()) expect(Math.abs(c / n - 0.2)).toBeLessThan(0.03);
    expect(Math.abs(flips / n - 0.5)).toBeLessThan(0.03);
    expect(padCropBox(new Rng(0), 28, 28, 2, false).flip).toBe(false);
  });

  it('centre crop: the centred square of cropFraction · shorter side', () => {
    expect(centerCropBox(256, 256, 0.875)).toEqual({ top: 16, left: 16, bottom: 239, right: 239, flip: false }); // 224 px
    expect(centerCropBox(28, 28, 1)).toEqual({ top: 0, left: 0, bottom: 27, right: 27, flip: false });
    expect(centerCropBox(256, 384, 0.875)).toEqual({ top: 16, left: 80, bottom: 239, right: 303, flip: false });
    expect(centerCropBox(5, 5, 0.1)).toEqual({ top: 2, left: 2, bottom: 2, right: 2, flip: false }); // under one pixel: the centre
  });

  it('default evaluation transform depends on the source size', () => {
    expect(defaultEvalTransform({ height: 32, width: 32 }).cropFraction).toBe(1);
    expect(defaultEvalTransform({ height: 224, width: 224 }).cropFraction).toBe(0.875);
    expect(defaultEvalTransform({}).cropFraction).toBe(0.875);
  });
});
