import type { CocoDataset } from './dataset.js';
import { parseJsonText } from './dataset.js';
import { CocoError, formatPath } from './errors.js';
import { type CocoResultJson, parseWith, resultsSchema } from './schema.js';

/** One detection of a results file. `bbox` is `[x, y, width, height]` in original image pixels. */
export interface CocoDetection {
  readonly imageId: number;
  readonly categoryId: number;
  readonly bbox: readonly [number, number, number, number];
  readonly score: number;
}

/**
 * Validates a parsed results JSON array against `dataset`: the schema, then every `image_id` and
 * `category_id` must exist in the ground truth (pycocotools refuses results for unknown images).
 */
export function parseResults(json: unknown, dataset: CocoDataset, source = 'results'): CocoDetection[] {
  // Results files run to millions of rows: a direct check first; the schema names the error.
  const rows = isResultsArray(json) ? json : parseWith(resultsSchema, json, source);
  return rows.map((r, i) => {
    if (!dataset.hasImage(r.image_id)) {
      const path = [i, 'image_id'];
      throw new CocoError(
        'E_COCO_REFERENCE',
        `${source}: ${formatPath(path)} is ${r.image_id}, which is not an image of the ground truth`,
        path,
      );
    }
    if (!dataset.hasCategory(r.category_id)) {
      const path = [i, 'category_id'];
      throw new CocoError(
        'E_COCO_REFERENCE',
        `${source}: ${formatPath(path)} is ${r.category_id}, which is not a ground-truth category; allowed: ${dataset.categoryIds.join(', ')}`,
        path,
      );
    }
    return { imageId: r.image_id, categoryId: r.category_id, bbox: [r.bbox[0], r.bbox[1], r.bbox[2], r.bbox[3]], score: r.score };
  });
}

const isId = (v: unknown): v is number => Number.isInteger(v);
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Exactly what `resultSchema` accepts (a test holds the two to each other), without its cost. */
export function isResultRow(row: unknown): row is CocoResultJson {
  if (typeof row !== 'object' || row === null || Array.isArray(row)) return false;
  const r = row as Record<string, unknown>;
  const b = r.bbox;
  return (
    isId(r.image_id) &&
    isId(r.category_id) &&
    isFiniteNumber(r.score) &&
    Array.isArray(b) &&
    b.length === 4 &&
    isFiniteNumber(b[0]) &&
    isFiniteNumber(b[1]) &&
    isFiniteNumber(b[2]) &&
    isFiniteNumber(b[3]) &&
    b[2] >= 0 &&
    b[3] >= 0
  );
}

function isResultsArray(json: unknown): json is CocoResultJson[] {
  return Array.isArray(json) && json.every(isResultRow);
}

/** Parses results JSON text; text that is not JSON is a `CocoError`. */
export function parseResultsText(text: string, dataset: CocoDataset, source = 'results'): CocoDetection[] {
  return parseResults(parseJsonText(text, source), dataset, source);
}

/** A model's detection before conversion to the results format. */
export interface DetectionInput {
  readonly imageId: number;
  /** The category id; or give `label` (contiguous index, see `CocoDataset.labelOf`). */
  readonly categoryId?: number;
  readonly label?: number;
  /** `[x, y, width, height]`, in `inputSize` pixels when given, otherwise in original image pixels. */
  readonly bbox: readonly [number, number, number, number];
  readonly score: number;
  /** The size of the (resized) image the model saw; boxes are scaled back to the image's own width and height. */
  readonly inputSize?: { readonly width: number; readonly height: number };
}

/**
 * Detections as official COCO results JSON (`image_id`, `category_id`, `bbox` in original image
 * pixels, `score`), validated against `dataset`.
 */
export function toResultsJson(detections: readonly DetectionInput[], dataset: CocoDataset): CocoResultJson[] {
  const rows = detections.map((d, i): CocoResultJson => {
    const categoryId = d.categoryId ?? (d.label === undefined ? undefined : dataset.categoryIdOf(d.label));
    if (categoryId === undefined) throw new CocoError('E_COCO_ARGUMENT', `detections[${i}] needs categoryId or label`, [i]);
    let [x, y, w, h] = d.bbox;
    if (d.inputSize !== undefined) {
      const image = dataset.image(d.imageId);
      const sx = image.width / d.inputSize.width;
      const sy = image.height / d.inputSize.height;
      if (!(sx > 0 && sy > 0 && Number.isFinite(sx) && Number.isFinite(sy))) {
        throw new CocoError(
          'E_COCO_ARGUMENT',
          `detections[${i}].inputSize is ${JSON.stringify(d.inputSize)}; allowed: positive width and height`,
          [i, 'inputSize'],
        );
      }
      [x, y, w, h] = [x * sx, y * sy, w * sx, h * sy];
    }
    return { image_id: d.imageId, category_id: categoryId, bbox: [x, y, w, h], score: d.score };
  });
  parseResults(rows, dataset, 'detections');
  return rows;
}
