import type { CocoInstancesJson, CocoResultJson } from '../../src/index.js';

/** mulberry32: a tiny seeded generator, enough for test data. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface RandomCaseOptions {
  readonly images: number;
  readonly categories: number;
  /** Ground-truth boxes per image: 0..maxGt. */
  readonly maxGt: number;
  /** Extra false-positive detections per image: 0..maxFp. */
  readonly maxFp: number;
  /** Share of images that get 100-180 detections in one category. */
  readonly crowdedShare: number;
  /** Share of ground truths that are crowd regions. */
  readonly crowdShare: number;
  /** Round scores to one decimal so ties are common. */
  readonly tiedScores: boolean;
  /** Give one ground truth the id 0 (pycocotools then counts its matches as false positives). */
  readonly zeroGtId: boolean;
}

export const DEFAULT_RANDOM_CASE: RandomCaseOptions = {
  images: 30,
  categories: 5,
  maxGt: 8,
  maxFp: 6,
  crowdedShare: 0.1,
  crowdShare: 0.1,
  tiedScores: false,
  zeroGtId: false,
};

const round2 = (v: number) => Math.round(v * 100) / 100;

/**
 * A random ground truth and results pair: areas across small/medium/large including the exact
 * 32² and 96² boundaries, `area` fields that differ from w·h, crowd regions, `ignore` fields,
 * images without boxes or without detections, jittered true positives, duplicates, false
 * positives, zero-area detections, and images with more than 100 detections.
 */
export function randomCase(seed: number, options: Partial<RandomCaseOptions> = {}): { gt: CocoInstancesJson; results: CocoResultJson[] } {
  const o = { ...DEFAULT_RANDOM_CASE, ...options };
  const rand = seeded(seed);
  const int = (n: number) => Math.floor(rand() * n);
  const catIds: number[] = [];
  while (catIds.length < o.categories) {
    const id = 1 + int(90);
    if (!catIds.includes(id)) catIds.push(id);
  }
  const gt: CocoInstancesJson = {
    images: [],
    annotations: [],
    categories: catIds.map((id) => ({ id, name: `c${id}` })),
  };
  const results: CocoResultJson[] = [];
  // Image ids out of order and with gaps: evaluation must sort them.
  const imageIds = Array.from({ length: o.images }, (_, i) => 3 * i + 1 + int(3)).sort(() => rand() - 0.5);
  let annId = 1;
  const score = () => (o.tiedScores ? Math.round(rand() * 10) / 10 : rand());
  for (const imageId of imageIds) {
    const width = 200 + int(500);
    const height = 200 + int(500);
    gt.images.push({ id: imageId, width, height, file_name: `${imageId}.jpg` });
    const nGt = int(o.maxGt + 1);
    for (let g = 0; g < nGt; g++) {
      const kind = rand();
      let w: number;
      let h: number;
      if (kind < 0.05) [w, h] = [32, 32];
      else if (kind < 0.1) [w, h] = [96, 96];
      else {
        const side = Math.exp(Math.log(4) + rand() * Math.log(300 / 4));
        w = round2(side * (0.5 + rand()));
        h = round2(side * (0.5 + rand()));
      }
      const x = round2(rand() * Math.max(1, width - w));
      const y = round2(rand() * Math.max(1, height - h));
      const area = rand() < 0.3 ? round2(w * h * (0.4 + 0.5 * rand())) : w * h;
      const categoryId = catIds[int(catIds.length)] as number;
      const iscrowd = rand() < o.crowdShare ? 1 : 0;
      const ann: CocoInstancesJson['annotations'][number] = {
        id: annId++,
        image_id: imageId,
        category_id: categoryId,
        bbox: [x, y, w, h],
        area,
        iscrowd,
      };
      if (rand() < 0.1) ann.ignore = rand() < 0.5 ? 1 : 0;
      gt.annotations.push(ann);
      // Detections near this box: none, one, or several (duplicates).
      const copies = rand() < 0.2 ? 0 : 1 + (rand() < 0.3 ? int(3) : 0);
      for (let c = 0; c < copies; c++) {
        const jitter = rand() * 0.4;
        results.push({
          image_id: imageId,
          category_id: rand() < 0.9 ? categoryId : (catIds[int(catIds.length)] as number),
          bbox: [
            round2(x + (rand() - 0.5) * w * jitter),
            round2(y + (rand() - 0.5) * h * jitter),
            round2(w * (1 + (rand() - 0.5) * jitter)),
            round2(h * (1 + (rand() - 0.5) * jitter)),
          ],
          score: score(),
        });
      }
    }
    const fps = rand() < 0.15 ? 0 : int(o.maxFp + 1);
    for (let f = 0; f < fps; f++) {
      const side = Math.exp(Math.log(4) + rand() * Math.log(300 / 4));
      const w = rand() < 0.03 ? 0 : round2(side * (0.5 + rand()));
      results.push({
        image_id: imageId,
        category_id: catIds[int(catIds.length)] as number,
        bbox: [round2(rand() * width), round2(rand() * height), w, round2(side * (0.5 + rand()))],
        score: score(),
      });
    }
    if (rand() < o.crowdedShare) {
      const categoryId = catIds[int(catIds.length)] as number;
      const n = 100 + int(81);
      for (let d = 0; d < n; d++) {
        const side = 8 + rand() * 150;
        results.push({
          image_id: imageId,
          category_id: categoryId,
          bbox: [round2(rand() * width), round2(rand() * height), round2(side), round2(side * (0.5 + rand()))],
          score: score(),
        });
      }
    }
  }
  if (o.zeroGtId && gt.annotations.length > 0) (gt.annotations[0] as { id: number }).id = 0;
  // Results in a shuffled order: per-image order must come from scores (stable on ties).
  for (let i = results.length - 1; i > 0; i--) {
    const j = int(i + 1);
    [results[i], results[j]] = [results[j] as CocoResultJson, results[i] as CocoResultJson];
  }
  if (results.length === 0) {
    const image = gt.images[0] as { id: number };
    results.push({ image_id: image.id, category_id: catIds[0] as number, bbox: [0, 0, 10, 10], score: 0.5 });
  }
  return { gt, results };
}
