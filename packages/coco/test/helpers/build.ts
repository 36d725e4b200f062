import { CocoDataset, type CocoDetection, type CocoInstancesJson } from '../../src/index.js';

type Box = [number, number, number, number];

export interface GtBox {
  readonly image?: number;
  readonly category?: number;
  readonly bbox: Box;
  readonly iscrowd?: 0 | 1;
  readonly area?: number;
  readonly ignore?: 0 | 1;
  readonly id?: number;
}

/** A ground truth from short box lists: images 1..images (500×500), categories given (default [1]). */
export function groundTruth(boxes: readonly GtBox[], options: { images?: number; categories?: number[] } = {}): CocoDataset {
  const images = options.images ?? 1;
  const json: CocoInstancesJson = {
    images: Array.from({ length: images }, (_, i) => ({ id: i + 1, width: 500, height: 500, file_name: `${i + 1}.jpg` })),
    annotations: boxes.map((b, i) => ({
      id: b.id ?? i + 1,
      image_id: b.image ?? 1,
      category_id: b.category ?? 1,
      bbox: b.bbox,
      area: b.area ?? b.bbox[2] * b.bbox[3],
      iscrowd: b.iscrowd ?? 0,
      ...(b.ignore === undefined ? {} : { ignore: b.ignore }),
    })),
    categories: (options.categories ?? [1]).map((id) => ({ id, name: `c${id}` })),
  };
  return CocoDataset.fromJson(json);
}

export function det(bbox: Box, score: number, image = 1, category = 1): CocoDetection {
  return { imageId: image, categoryId: category, bbox, score };
}
