import { describe, expect, it } from 'vitest';
import { boxIou, evaluateCoco } from '../src/index.js';
import { det, groundTruth } from './helpers/build.js';

// Values derived by hand from the COCO protocol. Precision carries pycocotools' tp / (tp + fp + eps),
// so "1" is 1 - 2.2e-16: compare to 12 digits.
const close = (actual: number, expected: number) => expect(actual).toBeCloseTo(expected, 12);
/** AP when the precision envelope is p up to recall r (recall points 0, .01, ..., r) and 0 above. */
const apUpTo = (recall: number, precision: number) => ((Math.round(recall * 100) + 1) * precision) / 101;

describe('box IoU (pycocotools bbIou)', () => {
  it('regular and crowd union', () => {
    const d = [[55, 55, 10, 10]];
    const g = [[50, 50, 40, 40]];
    close(boxIou(d, g, [0])[0] as number, 100 / 1600);
    close(boxIou(d, g, [1])[0] as number, 1); // crowd: intersection / detection area
    close(boxIou([[85, 85, 10, 10]], g, [1])[0] as number, 25 / 100);
    expect(boxIou([[0, 0, 10, 10]], [[10, 0, 10, 10]], [0])[0]).toBe(0); // touching edges
    close(boxIou([[0, 0, 100, 62.6]], [[0, 0, 100, 100]], [0])[0] as number, 0.626);
  });
});

describe('hand-checked COCOeval cases', () => {
  it('ties in score keep the results order within an image (stable sort)', () => {
    const gt = groundTruth([{ bbox: [0, 0, 10, 10] }, { bbox: [20, 0, 10, 10] }]);
    const tp = det([0, 0, 10, 10], 0.5);
    const fp = det([300, 300, 10, 10], 0.5);
    // TP first: precision 1 up to recall .5.
    close(evaluateCoco(gt, [tp, fp]).stats[0] as number, apUpTo(0.5, 1));
    // FP first: precision .5 up to recall .5.
    close(evaluateCoco(gt, [fp, tp]).stats[0] as number, apUpTo(0.5, 0.5));
  });

  it('ties across images are broken by ascending image id, not file order', () => {
    // Image 2's ground truth is found by a detection tied with image 1's false positive.
    const gt = groundTruth([{ image: 2, bbox: [0, 0, 10, 10] }], { images: 2 });
    const ap = (dets: ReturnType<typeof det>[]) => evaluateCoco(gt, dets).stats[0] as number;
    const fpImage1 = det([100, 100, 10, 10], 0.5, 1);
    const tpImage2 = det([0, 0, 10, 10], 0.5, 2);
    close(ap([tpImage2, fpImage1]), 0.5); // image 1's FP ranks first either way
    close(ap([fpImage1, tpImage2]), 0.5);
    const gt2 = groundTruth([{ image: 1, bbox: [0, 0, 10, 10] }], { images: 2 });
    close(evaluateCoco(gt2, [det([100, 100, 10, 10], 0.5, 2), det([0, 0, 10, 10], 0.5, 1)]).stats[0] as number, 1);
  });

  it('crowd regions: detections inside are ignored, any number of them; without the flag they are false positives', () => {
    const boxes = [{ bbox: [0, 0, 10, 10] as [number, number, number, number] }];
    const dets = [det([0, 0, 10, 10], 0.9), det([55, 55, 10, 10], 0.8), det([70, 70, 10, 10], 0.7)];
    const crowd = evaluateCoco(groundTruth([...boxes, { bbox: [50, 50, 40, 40], iscrowd: 1 }]), dets);
    close(crowd.stats[0] as number, 1);
    close(crowd.stats[8] as number, 1); // the crowd is not a ground truth to recall
    const regular = evaluateCoco(groundTruth([...boxes, { bbox: [50, 50, 40, 40] }]), dets);
    close(regular.stats[0] as number, apUpTo(0.5, 1));
    close(regular.stats[8] as number, 0.5);
    // A detection mostly outside the crowd (25 % of it inside) is a false positive ranked first.
    const partly = evaluateCoco(groundTruth([...boxes, { bbox: [50, 50, 40, 40], iscrowd: 1 }]), [det([85, 85, 10, 10], 0.95), dets[0]!]);
    close(partly.stats[0] as number, 0.5);
  });

  it('a crowd alone has no ground truth to find: -1', () => {
    const r = evaluateCoco(groundTruth([{ bbox: [50, 50, 40, 40], iscrowd: 1 }]), [det([55, 55, 10, 10], 0.8)]);
    expect(r.stats[0]).toBe(-1);
  });

  it('several categories: per-category AP, -1 for a category without ground truth, mean over the others', () => {
    const gt = groundTruth(
      [
        { bbox: [0, 0, 50, 50], category: 1 },
        { bbox: [100, 100, 50, 50], category: 2 },
      ],
      { categories: [1, 2, 3] },
    );
    const r = evaluateCoco(gt, [
      det([0, 0, 50, 50], 0.9, 1, 1), // perfect, category 1
      det([0, 0, 50, 50], 0.8, 1, 2), // on category 1's box but labelled 2: a false positive
      det([300, 300, 20, 20], 0.7, 1, 3), // category 3 has no ground truth
    ]);
    expect(r.perCategoryAP().map((c) => c.categoryId)).toEqual([1, 2, 3]);
    close(r.categoryAP(1), 1);
    expect(r.categoryAP(2)).toBe(0);
    expect(r.categoryAP(3)).toBe(-1);
    close(r.stats[0] as number, 0.5);
  });

  it('an image without detections lowers recall', () => {
    const gt = groundTruth(
      [
        { image: 1, bbox: [0, 0, 40, 40] },
        { image: 2, bbox: [0, 0, 40, 40] },
      ],
      { images: 2 },
    );
    const r = evaluateCoco(gt, [det([0, 0, 40, 40], 0.9, 1)]);
    close(r.stats[0] as number, apUpTo(0.5, 1));
    close(r.stats[8] as number, 0.5);
  });

  it('more than 100 detections: only the 100 best per image count', () => {
    const gt = groundTruth([{ bbox: [0, 0, 40, 40] }]);
    const fps = (n: number) =>
      Array.from({ length: n }, (_, i) => det([200 + (i % 10) * 20, 200 + Math.floor(i / 10) * 10, 5, 5], 0.9 - i * 1e-3));
    const at100 = evaluateCoco(gt, [...fps(99), det([0, 0, 40, 40], 0.5), ...fps(50).map((d) => ({ ...d, score: 0.1 }))]);
    close(at100.stats[0] as number, 0.01); // recall 1 reached at rank 100: precision 1/100 everywhere
    expect(at100.stats[6]).toBe(0); // AR@1
    expect(at100.stats[7]).toBe(0); // AR@10
    expect(at100.stats[8]).toBe(1); // AR@100
    const at101 = evaluateCoco(gt, [...fps(100), det([0, 0, 40, 40], 0.5)]);
    expect(at101.stats[0]).toBe(0);
    expect(at101.stats[8]).toBe(0);
  });

  it('greedy by score: the higher-scored detection takes the ground truth even when a later one overlaps more', () => {
    const gt = groundTruth([{ bbox: [0, 0, 100, 100] }]);
    // IoU .62 scored .9, IoU .92 scored .8: thresholds .50-.60 → [TP, FP]; .65-.90 → [FP, TP]; .95 → nothing.
    const r = evaluateCoco(gt, [det([0, 0, 100, 62], 0.9), det([0, 0, 100, 92], 0.8)]);
    close(r.stats[0] as number, (3 * 1 + 6 * 0.5 + 0) / 10);
    close(r.stats[1] as number, 1);
    close(r.stats[2] as number, 0.5);
  });

  it('a detection outside the area range is ignored only if unmatched', () => {
    // Medium ground truth (40×40 = 1600); a 30×30 detection (900, a small area) overlaps it with IoU .5625.
    const gt = groundTruth([{ bbox: [0, 0, 40, 40] }]);
    const r = evaluateCoco(gt, [det([0, 0, 30, 30], 0.9)]);
    // APm: matched at .50 and .55 (a true positive despite its small area); above, unmatched and out of range → ignored.
    close(r.stats[4] as number, 2 / 10);
    close(r.stats[10] as number, 2 / 10);
    // An unmatched medium-sized false positive does not hurt APs/APm of other ranges but hurts AP(all).
    const gt2 = groundTruth([{ bbox: [0, 0, 50, 50] }]);
    const r2 = evaluateCoco(gt2, [det([300, 300, 10, 10], 0.95), det([0, 0, 50, 50], 0.9)]);
    close(r2.stats[4] as number, 1); // the 10×10 false positive is out of the medium range
    close(r2.stats[0] as number, 0.5);
  });

  it('area ranges are inclusive: a 32×32 box is small and medium; the area field decides, not w·h', () => {
    const gt = groundTruth([{ bbox: [0, 0, 32, 32] }]);
    const r = evaluateCoco(gt, [det([0, 0, 32, 32], 0.9)]);
    close(r.stats[3] as number, 1);
    close(r.stats[4] as number, 1);
    expect(r.stats[5]).toBe(-1);
    const byField = evaluateCoco(groundTruth([{ bbox: [0, 0, 100, 100], area: 500 }]), [det([0, 0, 100, 100], 0.9)]);
    close(byField.stats[3] as number, 1); // area 500: small, although the box is 100×100
    expect(byField.stats[5]).toBe(-1);
  });

  it("the file's ignore flag is not used (pycocotools sets ignore = iscrowd for bbox)", () => {
    const r = evaluateCoco(groundTruth([{ bbox: [0, 0, 40, 40], ignore: 1 }]), [det([0, 0, 40, 40], 0.9)]);
    close(r.stats[0] as number, 1);
  });

  it('AR@1 counts one detection per image', () => {
    const gt = groundTruth([{ bbox: [0, 0, 40, 40] }, { bbox: [100, 100, 40, 40] }]);
    const r = evaluateCoco(gt, [det([0, 0, 40, 40], 0.9), det([100, 100, 40, 40], 0.8)]);
    close(r.stats[6] as number, 0.5);
    close(r.stats[7] as number, 1);
  });

  it('a ground truth with id 0 reads as unmatched, as in pycocotools', () => {
    const r = evaluateCoco(groundTruth([{ bbox: [0, 0, 40, 40], id: 0 }]), [det([0, 0, 40, 40], 0.9)]);
    expect(r.stats[0]).toBe(0);
  });

  it('no detections at all: AP and AR 0 where ground truth exists', () => {
    const r = evaluateCoco(groundTruth([{ bbox: [0, 0, 40, 40] }]), []);
    expect(r.stats).toEqual([0, 0, 0, -1, 0, -1, 0, 0, 0, -1, 0, -1]);
  });

  it('precision array has shape [T, R, K, A, M] with -1 for absent categories', () => {
    const gt = groundTruth([{ bbox: [0, 0, 40, 40] }], { categories: [1, 7] });
    const r = evaluateCoco(gt, [det([0, 0, 40, 40], 0.9)]);
    expect(r.counts).toEqual([10, 101, 2, 4, 3]);
    expect(r.precision.length).toBe(10 * 101 * 2 * 4 * 3);
    close(r.precisionAt(0, 0, 0, 0, 2), 1);
    expect(r.precisionAt(0, 0, 1, 0, 2)).toBe(-1);
    expect(r.precisionAt(0, 0, 0, 1, 2)).toBe(-1); // no small ground truth
  });

  it('restricting to unknown images or categories is a named error', () => {
    const gt = groundTruth([{ bbox: [0, 0, 40, 40] }], { categories: [1, 7] });
    expect(() => evaluateCoco(gt, [], { imgIds: [2] })).toThrow(/imgIds contains 2, which is not a ground-truth image/);
    expect(() => evaluateCoco(gt, [], { catIds: [3] })).toThrow(/catIds contains 3, which is not a ground-truth category; allowed: 1, 7/);
  });
});
