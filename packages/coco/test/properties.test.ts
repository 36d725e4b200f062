import { describe, expect, it } from 'vitest';
import { CocoDataset, type CocoDetection, type CocoInstancesJson, evaluateCoco, parseResults } from '../src/index.js';
import { randomCase, seeded } from './helpers/random-cases.js';

function perfect(gt: CocoDataset, seed: number): CocoDetection[] {
  const rand = seeded(seed);
  return gt.annotations
    .filter((a) => a.iscrowd === 0)
    .map((a) => ({ imageId: a.imageId, categoryId: a.categoryId, bbox: a.bbox, score: rand() }));
}

describe('evaluation properties', () => {
  it('perfect detections give AP 1 and AR 1 in every range that has ground truth', () => {
    for (const seed of [1, 2, 3]) {
      const { gt: json } = randomCase(seed, { images: 40, categories: 4, crowdShare: 0.2 });
      const gt = CocoDataset.fromJson(json);
      const r = evaluateCoco(gt, perfect(gt, seed));
      // AR@1 and AR@10 stay below 1 where an image has more boxes of a category than that.
      const [ap, ap50, ap75, aps, apm, apl, , , ar100, ars, arm, arl] = r.stats;
      for (const s of [ap, ap50, ap75, aps, apm, apl, ar100, ars, arm, arl] as number[]) {
        expect(s === -1 || Math.abs(s - 1) < 1e-12, `${r.stats}`).toBe(true);
      }
      expect(r.stats[0]).toBeCloseTo(1, 12);
    }
  });

  it('shuffling the scores of good detections lowers AP', () => {
    // Scores that follow detection quality (IoU with the box it copies), plus low-scored false positives.
    const { gt: json } = randomCase(7, { images: 60, categories: 3, crowdShare: 0 });
    const gt = CocoDataset.fromJson(json);
    const rand = seeded(7);
    const dets: CocoDetection[] = [];
    for (const a of gt.annotations) {
      const q = rand();
      const [x, y, w, h] = a.bbox;
      dets.push({ imageId: a.imageId, categoryId: a.categoryId, bbox: [x + (1 - q) * 0.3 * w, y, w, h], score: 0.5 + 0.5 * q });
      if (rand() < 0.5)
        dets.push({ imageId: a.imageId, categoryId: a.categoryId, bbox: [x + w * 2, y + h * 2, w, h], score: 0.5 * rand() });
    }
    const ranked = evaluateCoco(gt, dets).stats[0] as number;
    const scores = dets.map((d) => d.score);
    for (let i = scores.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [scores[i], scores[j]] = [scores[j] as number, scores[i] as number];
    }
    const shuffled = evaluateCoco(
      gt,
      dets.map((d, i) => ({ ...d, score: scores[i] as number })),
    ).stats[0] as number;
    expect(ranked).toBeGreaterThan(0.3);
    expect(shuffled).toBeLessThan(ranked - 0.05);
  });

  it('the order of images (and of their boxes and detections) in the files does not change anything', () => {
    const { gt: json, results } = randomCase(21, { images: 50, categories: 4, crowdedShare: 0.2 });
    const gt = CocoDataset.fromJson(json);
    const before = evaluateCoco(gt, parseResults(results, gt));
    const rand = seeded(99);
    const images = [...json.images].sort(() => rand() - 0.5);
    // Boxes and detections regrouped by the new image order; order within an image kept.
    const byImage = <T extends { image_id: number }>(rows: readonly T[]) =>
      images.flatMap((im) => rows.filter((r) => r.image_id === im.id));
    const permuted: CocoInstancesJson = { ...json, images, annotations: byImage(json.annotations) };
    const gt2 = CocoDataset.fromJson(permuted);
    const after = evaluateCoco(gt2, parseResults(byImage(results), gt2));
    expect(images.map((im) => im.id)).not.toEqual(json.images.map((im) => im.id));
    expect(after.stats).toEqual(before.stats);
    expect(after.precision).toEqual(before.precision);
    expect(after.recall).toEqual(before.recall);
  });

  it('restricting to some images and categories equals evaluating a ground truth that holds only those', () => {
    const { gt: json, results } = randomCase(5, { images: 30, categories: 4 });
    const gt = CocoDataset.fromJson(json);
    const imgIds = json.images.slice(0, 12).map((im) => im.id);
    const catIds = gt.categoryIds.slice(1, 3);
    const restricted = evaluateCoco(gt, parseResults(results, gt), { imgIds, catIds });
    const keep = (r: { image_id: number; category_id: number }) => imgIds.includes(r.image_id) && catIds.includes(r.category_id);
    const small = CocoDataset.fromJson({
      images: json.images.filter((im) => imgIds.includes(im.id)),
      annotations: json.annotations.filter(keep),
      categories: json.categories.filter((c) => catIds.includes(c.id)),
    });
    const direct = evaluateCoco(small, parseResults(results.filter(keep), small));
    expect(restricted.stats).toEqual(direct.stats);
  });
});
