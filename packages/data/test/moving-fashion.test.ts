import { ConfigError } from '@adaptnet/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createImageDataset, type ImageDataset, MOVING_ACTIONS, MOVING_ACTIONS_STEP_PX, movingFashionActions } from '../src/index.js';
import { loadMovingFashionActions } from '../src/node.js';

const S = 64;
const T = 16;

/** Frame t of a rendered clip as floats on [0, 1], mean removed. */
function centred(clip: Uint8Array, t: number): Float64Array {
  const f = Float64Array.from(clip.subarray(t * S * S, (t + 1) * S * S), (v) => v / 255);
  const mean = f.reduce((a, b) => a + b, 0) / f.length;
  return f.map((v) => v - mean);
}

/**
 * Hand-written temporal statistic for the translation classes: which one-step shift (left, right,
 * up, down) best maps each frame onto the next, summed over the clip (cross-correlation on the
 * wrap-around canvas).
 */
function translationGuess(clip: Uint8Array): number {
  const d = MOVING_ACTIONS_STEP_PX;
  const shifts: [number, number][] = [
    [-d, 0],
    [d, 0],
    [0, -d],
    [0, d],
  ];
  const scores = [0, 0, 0, 0];
  let prev = centred(clip, 0);
  for (let t = 1; t < T; t++) {
    const next = centred(clip, t);
    shifts.forEach(([dx, dy], k) => {
      let s = 0;
      for (let y = 0; y < S; y++) {
        const sy = (y - dy + S) % S;
        for (let x = 0; x < S; x++) s += (next[y * S + x] as number) * (prev[sy * S + ((x - dx + S) % S)] as number);
      }
      scores[k] = (scores[k] as number) + s;
    });
    prev = next;
  }
  return scores.indexOf(Math.max(...scores));
}

/** Mass of a single-item frame: pixels well above the noise. */
function mass(clip: Uint8Array, t: number): Float64Array {
  return Float64Array.from(clip.subarray(t * S * S, (t + 1) * S * S), (v) => Math.max(v / 255 - 0.35, 0));
}

/** Circular centre of mass on the wrap-around canvas, and the mean squared radius about it. */
function moments(m: Float64Array): { cx: number; cy: number; r2: number } {
  let sx = 0;
  let cxs = 0;
  let sy = 0;
  let cys = 0;
  let total = 0;
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      const w = m[y * S + x] as number;
      total += w;
      sx += w * Math.sin((2 * Math.PI * x) / S);
      cxs += w * Math.cos((2 * Math.PI * x) / S);
      sy += w * Math.sin((2 * Math.PI * y) / S);
      cys += w * Math.cos((2 * Math.PI * y) / S);
    }
  }
  const cx = ((Math.atan2(sx, cxs) / (2 * Math.PI)) * S + S) % S;
  const cy = ((Math.atan2(sy, cys) / (2 * Math.PI)) * S + S) % S;
  const wrap = (d: number) => ((d + 1.5 * S) % S) - S / 2;
  let r2 = 0;
  for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) r2 += (m[y * S + x] as number) * (wrap(x - cx) ** 2 + wrap(y - cy) ** 2);
  return { cx, cy, r2: r2 / Math.max(total, 1e-9) };
}

/** Correlation of `next` with `prev` rotated by `deg` about (cx, cy), nearest-pixel, wrap-around. */
function rotatedCorrelation(prev: Float64Array, next: Float64Array, cx: number, cy: number, deg: number): number {
  const a = (deg * Math.PI) / 180;
  const cos = Math.cos(a);
  const sin = Math.sin(a);
  let s = 0;
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      const ox = ((x - cx + 1.5 * S) % S) - S / 2;
      const oy = ((y - cy + 1.5 * S) % S) - S / 2;
      // The pixel of prev that a rotation by `deg` (clockwise on screen) carries to (x, y).
      const px = Math.round(cx + cos * ox + sin * oy);
      const py = Math.round(cy - sin * ox + cos * oy);
      s += (next[y * S + x] as number) * (prev[(((py % S) + S) % S) * S + (((px % S) + S) % S)] as number);
    }
  }
  return s;
}

/** Hand-written temporal statistic for all 8 classes of single-item clips. */
function actionGuess(clip: Uint8Array): number {
  const ms = Array.from({ length: T }, (_, t) => mass(clip, t));
  const mo = ms.map(moments);
  const wrap = (d: number) => ((d + 1.5 * S) % S) - S / 2;
  let dx = 0;
  let dy = 0;
  for (let t = 1; t < T; t++) {
    dx += wrap((mo[t] as { cx: number }).cx - (mo[t - 1] as { cx: number }).cx);
    dy += wrap((mo[t] as { cy: number }).cy - (mo[t - 1] as { cy: number }).cy);
  }
  const travel = (T - 1) * MOVING_ACTIONS_STEP_PX;
  if (Math.max(Math.abs(dx), Math.abs(dy)) > travel / 2) {
    return Math.abs(dx) > Math.abs(dy) ? (dx < 0 ? 0 : 1) : dy < 0 ? 2 : 3;
  }
  const growth = Math.log((mo[T - 1] as { r2: number }).r2 / (mo[0] as { r2: number }).r2);
  if (Math.abs(growth) > Math.log(4) / 2) return growth > 0 ? 4 : 5;
  let turn = 0;
  for (let t = 1; t < T; t++) {
    const { cx, cy } = mo[t - 1] as { cx: number; cy: number };
    turn +=
      rotatedCorrelation(ms[t - 1] as Float64Array, ms[t] as Float64Array, cx, cy, 10) -
      rotatedCorrelation(ms[t - 1] as Float64Array, ms[t] as Float64Array, cx, cy, -10);
  }
  return turn > 0 ? 6 : 7;
}

/** A frame averaged over 4×4 blocks: 256 features. */
function pooled(clip: Uint8Array, t: number): Float64Array {
  const out = new Float64Array(256);
  for (let y = 0; y < S; y++)
    for (let x = 0; x < S; x++) {
      const k = (y >> 2) * 16 + (x >> 2);
      out[k] = (out[k] as number) + (clip[t * S * S + y * S + x] as number) / (16 * 255);
    }
  return out;
}

/** Nearest-class-mean classifier: fit on the first `train` rows, accuracy on the rest. */
function nearestMeanAccuracy(features: Float64Array[], labels: ArrayLike<number>, train: number, classes: number): number {
  const dim = (features[0] as Float64Array).length;
  const means = Array.from({ length: classes }, () => new Float64Array(dim));
  const counts = new Array<number>(classes).fill(0);
  for (let i = 0; i < train; i++) {
    const y = labels[i] as number;
    counts[y] = (counts[y] as number) + 1;
    const m = means[y] as Float64Array;
    (features[i] as Float64Array).forEach((v, d) => {
      m[d] = (m[d] as number) + v;
    });
  }
  means.forEach((m, y) => {
    m.forEach((v, d) => {
      m[d] = v / Math.max(counts[y] as number, 1);
    });
  });
  let correct = 0;
  for (let i = train; i < features.length; i++) {
    const f = features[i] as Float64Array;
    const dist = means.map((m) => m.reduce((a, v, d) => a + (v - (f[d] as number)) ** 2, 0));
    if (dist.indexOf(Math.min(...dist)) === labels[i]) correct++;
  }
  return correct / (features.length - train);
}

describe('moving Fashion-MNIST actions', () => {
  let items: ImageDataset;
  beforeAll(async () => {
    const source = await loadMovingFashionActions({ size: 8, split: 'test' });
    expect(source.name).toBe('moving-fashion/test');
    // A fixed pool of 500 real Fashion-MNIST test items keeps the tests fast.
    const [{ loadFashionMnist }, { subset }] = await Promise.all([import('../src/node.js'), import('../src/index.js')]);
    items = subset(
      await loadFashionMnist({ split: 'test' }),
      Array.from({ length: 500 }, (_, i) => i),
    );
  });

  it('is deterministic by seed; frames read in any order are the rendered frames', async () => {
    const a = movingFashionActions(items, { size: 24, seed: 5 });
    const b = movingFashionActions(items, { size: 24, seed: 5 });
    const c = movingFashionActions(items, { size: 24, seed: 6 });
    expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
    for (const i of [0, 7, 23]) expect(Buffer.from(a.render(i)).equals(Buffer.from(b.render(i)))).toBe(true);
    expect(Buffer.from(a.render(3)).equals(Buffer.from(c.render(3)))).toBe(false);
    const all = a.render(7);
    const some = await a.readClip(7, [15, 0, 15]);
    expect([some.frames, some.height, some.width]).toEqual([3, S, S]);
    expect(Buffer.from(some.pixels.subarray(0, S * S)).equals(Buffer.from(all.subarray(15 * S * S)))).toBe(true);
    expect(Buffer.from(some.pixels.subarray(S * S, 2 * S * S)).equals(Buffer.from(all.subarray(0, S * S)))).toBe(true);
    // The frame-shuffled control holds the same frames in another order.
    const shuffled = movingFashionActions(items, { size: 24, seed: 5, shuffleFrames: true }).render(7);
    const frames = (clip: Uint8Array) =>
      Array.from({ length: T }, (_, t) => Buffer.from(clip.subarray(t * S * S, (t + 1) * S * S)).toString('hex')).sort();
    expect(frames(shuffled)).toEqual(frames(all));
    expect(Buffer.from(shuffled).equals(Buffer.from(all))).toBe(false);
  });

  it('a clip read frame by frame (only those frames drawn) equals the same frames of the whole rendered clip', async () => {
    const cases = [
      { options: { size: 12, seed: 2 }, frames: [4, 1, 9] },
      { options: { size: 12, seed: 2, shuffleFrames: true }, frames: [3, 9, 1, 3] },
      { options: { size: 12, seed: 3, canvas: 9, frames: 7 }, frames: [5, 2] }, // an odd number of pixels per frame
      { options: { size: 12, seed: 3, noise: 0 }, frames: [15] },
    ];
    for (const { options, frames } of cases) {
      const src = movingFashionActions(items, options);
      const side = src.canvas;
      for (const i of [0, 5, 11]) {
        const all = src.render(i);
        const some = await src.readClip(i, frames);
        frames.forEach((f, j) => {
          const got = Buffer.from(some.pixels.subarray(j * side * side, (j + 1) * side * side));
          expect(
            got.equals(Buffer.from(all.subarray(f * side * side, (f + 1) * side * side))),
            `${JSON.stringify(options)} clip ${i} frame ${f}`,
          ).toBe(true);
        });
      }
    }
  });

  it('labels are balanced and shuffled', () => {
    const src = movingFashionActions(items, { size: 83, seed: 1 });
    const counts = new Array<number>(8).fill(0);
    for (const y of src.labels) counts[y] = (counts[y] as number) + 1;
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(83);
    expect(src.classNames).toEqual(MOVING_ACTIONS);
    expect(Array.from(src.labels.subarray(0, 8))).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('one frame is at chance, the order of frames gives the direction, shuffled frames are at chance again', () => {
    const size = 240;
    const src = movingFashionActions(items, { size, seed: 11 });
    const control = movingFashionActions(items, { size, seed: 11, shuffleFrames: true });
    const clips = Array.from({ length: size }, (_, i) => src.render(i));
    // A single frame at a random time: nearest-class-mean on 16×16 pooled pixels, 160 train / 80 test clips.
    const single = clips.map((clip, i) => pooled(clip, (i * 7) % T));
    const frameAccuracy = nearestMeanAccuracy(single, src.labels, 160, 8);
    expect(frameAccuracy).toBeLessThan(0.25); // chance 0.125; the sd of 80 test clips is 0.037
    // The frame-to-frame shift recovers left/right/up/down despite three distractors.
    const translation = Array.from({ length: size }, (_, i) => i).filter((i) => (src.labels[i] as number) < 4);
    const accuracy = (render: (i: number) => Uint8Array) =>
      translation.filter((i) => translationGuess(render(i)) === src.labels[i]).length / translation.length;
    const ordered = accuracy((i) => clips[i] as Uint8Array);
    const shuffled = accuracy((i) => control.render(i));
    console.log(`moving actions: single-frame accuracy ${frameAccuracy}, translation statistic ${ordered} ordered, ${shuffled} shuffled`);
    expect(ordered).toBeGreaterThan(0.8); // chance 0.25
    expect(shuffled).toBeLessThan(0.45); // chance 0.25 over ~120 clips
  });

  it('without distractors, hand-written temporal statistics tell all 8 actions apart', () => {
    const src = movingFashionActions(items, { size: 96, seed: 3, distractors: 0 });
    let correct = 0;
    const confusion: number[][] = Array.from({ length: 8 }, () => new Array<number>(8).fill(0));
    for (let i = 0; i < src.size; i++) {
      const guess = actionGuess(src.render(i));
      const row = confusion[src.labels[i] as number] as number[];
      row[guess] = (row[guess] as number) + 1;
      if (guess === src.labels[i]) correct++;
    }
    console.log(`moving actions without distractors: 8-way statistic accuracy ${correct / src.size}`, JSON.stringify(confusion));
    expect(correct / src.size, JSON.stringify(confusion)).toBeGreaterThan(0.85);
  });

  it('rejects bad options with ConfigError naming the value', () => {
    expect(() => movingFashionActions(items, { distractors: 4 })).toThrow('distractors must be an integer in 0..3, got 4');
    expect(() => movingFashionActions(items, { frames: 1 })).toThrow(ConfigError);
    expect(() => movingFashionActions(items, { noise: -1 })).toThrow('noise must be a non-negative number, got -1');
    const rgb = createImageDataset({
      name: 'rgb',
      height: 2,
      width: 2,
      channels: 3,
      classNames: ['a'],
      pixels: new Uint8Array(12),
      labels: Int32Array.of(0),
    });
    expect(() => movingFashionActions(rgb)).toThrow('rgb: moving actions need greyscale items (1 channel), got 3');
    expect(() => movingFashionActions(items, { size: 4 }).render(4)).toThrow(/clip 4 is out of range/);
  });
});
