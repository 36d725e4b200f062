import type { CocoInstancesJson, CocoResultJson } from '../src/index.js';
import { seeded } from '../test/helpers/random-cases.js';

/**
 * A COCO-val-like evaluation load: `images` images with 0–14 boxes each (about 7 on average, as
 * val2017's 36,781 boxes on 5,000 images), `categories` categories, exactly `detsPerImage`
 * detections per image (jittered copies of the boxes, then false positives), 1 % crowd regions.
 */
export function cocoLikeCase(
  seed: number,
  images: number,
  detsPerImage: number,
  categories = 80,
): { gt: CocoInstancesJson; results: CocoResultJson[] } {
  const rand = seeded(seed);
  const int = (n: number) => Math.floor(rand() * n);
  const r2 = (v: number) => Math.round(v * 100) / 100;
  const gt: CocoInstancesJson = {
    images: [],
    annotations: [],
    categories: Array.from({ length: categories }, (_, i) => ({ id: i + 1, name: `c${i + 1}` })),
  };
  const results: CocoResultJson[] = [];
  for (let imageId = 1; imageId <= images; imageId++) {
    const width = 640;
    const height = 480;
    gt.images.push({ id: imageId, width, height, file_name: `${imageId}.jpg` });
    const mine: { bbox: [number, number, number, number]; category: number }[] = [];
    const n = int(15);
    for (let g = 0; g < n; g++) {
      const side = Math.exp(Math.log(6) + rand() * Math.log(400 / 6));
      const w = r2(side * (0.5 + rand()));
      const h = r2(side * (0.5 + rand()));
      const bbox: [number, number, number, number] = [r2(rand() * (width - w)), r2(rand() * Math.max(1, height - h)), w, h];
      const category = 1 + int(categories);
      gt.annotations.push({
        id: gt.annotations.length + 1,
        image_id: imageId,
        category_id: category,
        bbox,
        area: r2(w * h * 0.7),
        iscrowd: rand() < 0.01 ? 1 : 0,
      });
      mine.push({ bbox, category });
    }
    for (let d = 0; d < detsPerImage; d++) {
      const source = d < 2 * mine.length ? mine[d % mine.length] : undefined;
      if (source !== undefined) {
        const [x, y, w, h] = source.bbox;
        const j = 0.3 * rand();
        results.push({
          image_id: imageId,
          category_id: source.category,
          bbox: [
            r2(x + (rand() - 0.5) * j * w),
            r2(y + (rand() - 0.5) * j * h),
            r2(w * (1 + (rand() - 0.5) * j)),
            r2(h * (1 + (rand() - 0.5) * j)),
          ],
          score: r2(0.3 + 0.7 * rand()),
        });
      } else {
        const side = Math.exp(Math.log(6) + rand() * Math.log(400 / 6));
        results.push({
          image_id: imageId,
          category_id: 1 + int(categories),
          bbox: [r2(rand() * width), r2(rand() * height), r2(side), r2(side * (0.5 + rand()))],
          score: r2(0.5 * rand()),
        });
      }
    }
  }
  return { gt, results };
}
