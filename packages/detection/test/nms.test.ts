import { describe, expect, it } from 'vitest';
import { type Box, classwiseNms, iou, nms } from '../src/index.js';

/** Brute force: repeatedly take the highest-scoring remaining box, drop every remaining box overlapping it. */
function bruteForce(boxes: Box[], scores: number[], thr: number): number[] {
  const alive = new Set(boxes.map((_, i) => i));
  const out: number[] = [];
  while (alive.size > 0) {
    let best = -1;
    for (const i of alive)
      if (best < 0 || (scores[i] as number) > (scores[best] as number) || (scores[i] === scores[best] && i < best)) best = i;
    out.push(best);
    alive.delete(best);
    for (const i of [...alive]) if (iou(boxes[i] as Box, boxes[best] as Box) > thr) alive.delete(i);
  }
  return out;
}

function randomCase(seed: number, n: number): { boxes: Box[]; scores: number[]; labels: number[] } {
  let s = seed;
  const r = () => {
    s = (s * 48271) % 2147483647;
    return s / 2147483647;
  };
  const boxes: Box[] = [];
  const scores: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = r() * 50;
    const y = r() * 50;
    boxes.push([x, y, x + 5 + r() * 30, y + 5 + r() * 30]);
    scores.push(Math.round(r() * 20) / 20); // ties on purpose
    labels.push(Math.floor(r() * 3));
  }
  return { boxes, scores, labels };
}

describe('NMS against brute force', () => {
  it('single class: same kept set and order on 50 random cases', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const { boxes, scores } = randomCase(seed, 40);
      for (const thr of [0.3, 0.5, 0.7]) expect(nms(boxes, scores, thr)).toEqual(bruteForce(boxes, scores, thr));
    }
  });

  it('class-wise: boxes of different classes never suppress each other; maxKeep keeps the best', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const { boxes, scores, labels } = randomCase(seed, 60);
      const expected = [0, 1, 2]
        .flatMap((c) => {
          const idx = labels.flatMap((l, i) => (l === c ? [i] : []));
          return bruteForce(
            idx.map((i) => boxes[i] as Box),
            idx.map((i) => scores[i] as number),
            0.5,
          ).map((k) => idx[k] as number);
        })
        .sort((a, b) => (scores[b] as number) - (scores[a] as number) || a - b);
      expect(classwiseNms(boxes, scores, labels, 0.5)).toEqual(expected);
      expect(classwiseNms(boxes, scores, labels, 0.5, 7)).toEqual(expected.slice(0, 7));
    }
  });

  it('two identical boxes of two classes are both kept; of one class only the better', () => {
    const b: Box[] = [
      [0, 0, 10, 10],
      [0, 0, 10, 10],
    ];
    expect(classwiseNms(b, [0.9, 0.8], [0, 1], 0.5)).toEqual([0, 1]);
    expect(classwiseNms(b, [0.9, 0.8], [0, 0], 0.5)).toEqual([0]);
  });
});
