import { describe, expect, it } from 'vitest';
import { assignTargets, centerness, decodeLtrb, defaultSizeRanges, encodeLtrb, iou, levelPoints } from '../src/index.js';

describe('box coding', () => {
  it('round-trips random boxes through ltrb distances at every stride', () => {
    let seed = 1;
    const rand = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    for (let i = 0; i < 200; i++) {
      const x1 = rand() * 100;
      const y1 = rand() * 100;
      const box = [x1, y1, x1 + 1 + rand() * 80, y1 + 1 + rand() * 80] as const;
      const stride = [4, 8, 16, 32][i % 4] as number;
      const px = x1 + rand() * (box[2] - x1);
      const py = y1 + rand() * (box[3] - y1);
      const back = decodeLtrb(px, py, encodeLtrb(px, py, box, stride), stride);
      back.forEach((v, k) => expect(v).toBeCloseTo(box[k] as number, 9));
    }
  });

  it('encodes a hand-worked case: point (12, 20) in [4, 8, 36, 24] at stride 8', () => {
    expect(encodeLtrb(12, 20, [4, 8, 36, 24], 8)).toEqual([1, 1.5, 3, 0.5]);
    // centre-ness √(min(1,3)/max(1,3) · min(1.5,0.5)/max(1.5,0.5)) = √(1/9) = 1/3
    expect(centerness([1, 1.5, 3, 0.5])).toBeCloseTo(1 / 3, 12);
  });

  it('places level points at cell centres, row-major', () => {
    expect(Array.from(levelPoints(2, 3, 8))).toEqual([4, 4, 12, 4, 20, 4, 4, 12, 12, 12, 20, 12]);
  });

  it('IoU of hand-worked boxes', () => {
    expect(iou([0, 0, 10, 10], [5, 0, 15, 10])).toBeCloseTo(50 / 150, 12);
    expect(iou([0, 0, 10, 10], [20, 20, 30, 30])).toBe(0);
  });
});

describe('FCOS target assignment', () => {
  const levels = [
    { stride: 8, height: 8, width: 8 },
    { stride: 16, height: 4, width: 4 },
  ];

  it('size ranges follow FCOS (4s, 8s] per level', () => {
    expect(defaultSizeRanges([8, 16, 32, 64, 128])).toEqual([
      [0, 64],
      [64, 128],
      [128, 256],
      [256, 512],
      [512, Number.POSITIVE_INFINITY],
    ]);
  });

  it('a small box lands on the fine level only, at the points inside it and near its centre, with ltrb and centre-ness', () => {
    const t = assignTargets([{ box: [0, 0, 24, 24], label: 3 }], levels, {
      sizeRanges: [
        [0, 32],
        [32, Number.POSITIVE_INFINITY],
      ],
      centerRadius: 1.5,
    });
    // Fine level: points at 4, 12, 20 in x and y are inside; the centre 12 ± 12 excludes none of them (|4−12| = 8 < 12).
    const positives = [...t.labels.keys()].filter((q) => (t.labels[q] as number) >= 0);
    expect(positives).toEqual([0, 1, 2, 8, 9, 10, 16, 17, 18]);
    expect(t.numPositive).toBe(9);
    expect([...t.labels].filter((l) => l === 3)).toHaveLength(9);
    // Point 9 = (12, 12): ltrb (12, 12, 12, 12) / 8.
    expect(Array.from(t.ltrb.subarray(36, 40))).toEqual([1.5, 1.5, 1.5, 1.5]);
    expect(t.centerness[9]).toBeCloseTo(1, 12);
    // Point 0 = (4, 4): ltrb (4, 4, 20, 20)/8, centre-ness 4/20.
    expect(t.centerness[0]).toBeCloseTo(0.2, 6);
  });

  it('overlapping candidates go to the smaller box; centre sampling narrows the positives', () => {
    const objs = [
      { box: [0, 0, 60, 60] as const, label: 1 },
      { box: [8, 8, 24, 24] as const, label: 2 },
    ];
    const t = assignTargets(objs, levels, {
      sizeRanges: [
        [0, 1000],
        [1000, 2000],
      ],
      centerRadius: 0,
    });
    // (12, 12) and (20, 20) lie in both boxes: the smaller (label 2) wins.
    expect(t.labels[9]).toBe(2);
    expect(t.labels[18]).toBe(2);
    expect(t.labels[0]).toBe(1);
    const narrow = assignTargets(objs, levels, {
      sizeRanges: [
        [0, 1000],
        [1000, 2000],
      ],
      centerRadius: 0.5,
    });
    // Radius 4 px around (30, 30) for the big box: only points within 4 px of it in x and y (28 is).
    expect(narrow.labels[0]).toBe(-1);
    expect(narrow.labels[3 * 8 + 3]).toBe(1);
  });
});
