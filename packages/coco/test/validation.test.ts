import { describe, expect, it } from 'vitest';
import { CocoDataset, CocoError, type CocoInstancesJson, parseResults, parseResultsText } from '../src/index.js';
import { seeded } from './helpers/random-cases.js';

const valid = (): CocoInstancesJson => ({
  images: [
    { id: 1, width: 100, height: 80, file_name: 'a.jpg' },
    { id: 2, width: 100, height: 80, file_name: 'b.jpg' },
  ],
  annotations: [
    { id: 10, image_id: 1, category_id: 3, bbox: [1, 2, 30, 40], area: 1200, iscrowd: 0 },
    { id: 11, image_id: 2, category_id: 5, bbox: [5, 5, 10, 10], area: 100, iscrowd: 1 },
  ],
  categories: [
    { id: 5, name: 'five' },
    { id: 3, name: 'three' },
  ],
});

/** Runs `f`, expects a one-line CocoError with `code` whose message contains every fragment. */
function expectError(f: () => unknown, code: string, ...fragments: string[]): void {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(CocoError);
  const e = caught as CocoError;
  expect(e.code).toBe(code);
  expect(e.message).not.toContain('\n');
  for (const f of fragments) expect(e.message).toContain(f);
}

/** The valid file with one field set to `value`. */
function withValue(path: readonly (string | number)[], value: unknown): unknown {
  const j = structuredClone(valid()) as unknown as Record<string | number, unknown>;
  let at = j;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
  at[path[path.length - 1] as string | number] = value;
  return j;
}

function mutate(change: (j: CocoInstancesJson & Record<string, unknown>) => void): unknown {
  const j = valid() as CocoInstancesJson & Record<string, unknown>;
  change(j);
  return j;
}

describe('instances validation: every malformed class is named with its field and index', () => {
  it('accepts the valid file', () => {
    expect(CocoDataset.fromJson(valid()).annotations).toHaveLength(2);
  });

  it('text that is not JSON', () => {
    expectError(() => CocoDataset.fromText('{"images": [', 'gt.json'), 'E_COCO_JSON', 'gt.json is not valid JSON');
    expectError(() => CocoDataset.fromText('[{"score": NaN}]', 'gt.json'), 'E_COCO_JSON', 'not valid JSON');
  });

  it('missing sections and ids', () => {
    expectError(
      () =>
        CocoDataset.fromJson(
          mutate((j) => delete (j as Partial<CocoInstancesJson>).categories),
          'gt',
        ),
      'E_COCO_FORMAT',
      'gt: categories is missing; expected an array',
    );
    expectError(
      () => CocoDataset.fromJson(mutate((j) => delete (j.annotations[1] as Partial<CocoInstancesJson['annotations'][number]>).id)),
      'E_COCO_FORMAT',
      'annotations[1].id is missing; expected a number',
    );
    expectError(
      () => CocoDataset.fromJson(mutate((j) => delete (j.images[0] as { id?: number }).id)),
      'E_COCO_FORMAT',
      'images[0].id is missing; expected a number',
    );
    expectError(() => CocoDataset.fromJson([]), 'E_COCO_FORMAT', '(top level)');
  });

  it('duplicate ids', () => {
    expectError(
      () => CocoDataset.fromJson(withValue(['images', 1, 'id'], 1)),
      'E_COCO_REFERENCE',
      'images[1].id is 1, already used by images[0]',
    );
    expectError(
      () => CocoDataset.fromJson(withValue(['annotations', 1, 'id'], 10)),
      'E_COCO_REFERENCE',
      'annotations[1].id is 10, already used by annotations[0]',
    );
    expectError(() => CocoDataset.fromJson(withValue(['categories', 1, 'id'], 5)), 'E_COCO_REFERENCE', 'categories[1].id is 5');
  });

  it('an annotation pointing to a missing image or category', () => {
    expectError(
      () => CocoDataset.fromJson(withValue(['annotations', 1, 'image_id'], 7)),
      'E_COCO_REFERENCE',
      'annotations[1].image_id is 7, which is not the id of any image',
    );
    expectError(
      () => CocoDataset.fromJson(withValue(['annotations', 0, 'category_id'], 4)),
      'E_COCO_REFERENCE',
      'annotations[0].category_id is 4, which is not the id of any category',
    );
  });

  it('a negative width, NaN, Infinity, a short bbox, a bad iscrowd, a fractional id', () => {
    expectError(
      () => CocoDataset.fromJson(withValue(['annotations', 1, 'bbox'], [5, 5, -10, 10])),
      'E_COCO_FORMAT',
      'annotations[1].bbox[2] must be a finite number >= 0 (got -10)',
    );
    expectError(
      () => CocoDataset.fromJson(withValue(['annotations', 0, 'bbox'], [Number.NaN, 0, 1, 1])),
      'E_COCO_FORMAT',
      'annotations[0].bbox[0]',
      'got NaN',
    );
    expectError(
      () => CocoDataset.fromJson(withValue(['annotations', 0, 'area'], Number.POSITIVE_INFINITY)),
      'E_COCO_FORMAT',
      'annotations[0].area',
      'got Infinity',
    );
    expectError(() => CocoDataset.fromJson(withValue(['annotations', 0, 'bbox'], [1, 2, 3])), 'E_COCO_FORMAT', 'annotations[0].bbox');
    expectError(
      () => CocoDataset.fromJson(withValue(['annotations', 0, 'iscrowd'], 2)),
      'E_COCO_FORMAT',
      'annotations[0].iscrowd must be 0 or 1 (got 2)',
    );
    expectError(() => CocoDataset.fromJson(withValue(['images', 1, 'id'], 1.5)), 'E_COCO_FORMAT', 'images[1].id', 'got 1.5');
    expectError(() => CocoDataset.fromJson(withValue(['images', 0, 'width'], 0)), 'E_COCO_FORMAT', 'images[0].width', 'got 0');
  });
});

describe('dataset API', () => {
  const ds = CocoDataset.fromJson(valid());
  it('image ids, boxes per image, category id ↔ contiguous label in ascending id order', () => {
    expect(ds.imageIds).toEqual([1, 2]);
    expect(ds.annotationsOf(2).map((a) => a.id)).toEqual([11]);
    expect(ds.categoryIds).toEqual([3, 5]);
    expect(ds.labelOf(3)).toBe(0);
    expect(ds.labelOf(5)).toBe(1);
    expect(ds.categoryIdOf(1)).toBe(5);
    expect(ds.numClasses).toBe(2);
    expect(ds.annotationsOf(2)[0]?.iscrowd).toBe(1);
    expect(() => ds.labelOf(4)).toThrow(/category id 4 is not in the dataset; allowed: 3, 5/);
    expect(() => ds.categoryIdOf(2)).toThrow(/label 2 is out of range; allowed: integers 0..1/);
    expect(() => ds.image(9)).toThrow(/image id 9 is not in the dataset/);
  });

  it('iscrowd defaults to 0; toJson round-trips', () => {
    const j = valid();
    delete (j.annotations[0] as { iscrowd?: number }).iscrowd;
    const d = CocoDataset.fromJson(j);
    expect(d.annotations[0]?.iscrowd).toBe(0);
    expect(CocoDataset.fromJson(d.toJson()).toJson()).toEqual(d.toJson());
  });
});

describe('results validation', () => {
  const ds = CocoDataset.fromJson(valid());
  const row = { image_id: 1, category_id: 3, bbox: [1, 2, 3, 4], score: 0.5 };
  it('accepts official rows and keeps their order', () => {
    const dets = parseResults([row, { ...row, score: 0.7, image_id: 2 }], ds);
    expect(dets.map((d) => d.score)).toEqual([0.5, 0.7]);
  });
  it('names the bad row', () => {
    expectError(
      () => parseResults({ not: 'an array' }, ds, 'res.json'),
      'E_COCO_FORMAT',
      'res.json: (top level) must be an array of detections',
    );
    expectError(
      () => parseResults([row, { ...row, image_id: 9 }], ds, 'res.json'),
      'E_COCO_REFERENCE',
      'res.json: [1].image_id is 9, which is not an image of the ground truth',
    );
    expectError(() => parseResults([row, { ...row, category_id: 4 }], ds), 'E_COCO_REFERENCE', '[1].category_id is 4', 'allowed: 3, 5');
    expectError(() => parseResults([{ ...row, score: Number.NaN }], ds), 'E_COCO_FORMAT', '[0].score', 'got NaN');
    expectError(() => parseResults([{ ...row, bbox: [0, 0, 3, -1] }], ds), 'E_COCO_FORMAT', '[0].bbox[3] must be a finite number >= 0');
    expectError(() => parseResults([{ image_id: 1, bbox: [0, 0, 1, 1], score: 1 }], ds), 'E_COCO_FORMAT', '[0].category_id is missing');
    expectError(() => parseResultsText('not json', ds, 'res.json'), 'E_COCO_JSON', 'res.json is not valid JSON');
  });
});

describe('the fast results check accepts exactly what the schema accepts', () => {
  it('on rows with random corruptions', async () => {
    const { isResultRow } = await import('../src/results.js');
    const { resultsSchema } = await import('../src/index.js');
    const rand = seeded(42);
    const odd = [Number.NaN, Number.POSITIVE_INFINITY, -1, -0, 0, 1.5, 2, '3', null, undefined, [], {}, true, 1e300, -1e-9];
    const pick = () => odd[Math.floor(rand() * odd.length)];
    let accepted = 0;
    for (let i = 0; i < 3000; i++) {
      const row: Record<string, unknown> = { image_id: 1, category_id: 2, bbox: [1, 2, 3, 4], score: 0.5, extra: 'kept' };
      const bbox = [...(row.bbox as number[])] as unknown[];
      const n = Math.floor(rand() * 3);
      for (let k = 0; k < n; k++) {
        const field = Math.floor(rand() * 7);
        if (field < 3) row[['image_id', 'category_id', 'score'][field] as string] = pick();
        else if (field === 3) delete row[['image_id', 'category_id', 'score', 'bbox'][Math.floor(rand() * 4)] as string];
        else if (field === 4) bbox.length = Math.floor(rand() * 6);
        else bbox[Math.floor(rand() * 4)] = pick();
      }
      if (row.bbox !== undefined) row.bbox = rand() < 0.02 ? { 0: 1, 1: 2, 2: 3, 3: 4, length: 4 } : bbox;
      const candidate = rand() < 0.01 ? pick() : row;
      const fast = isResultRow(candidate);
      expect(fast, JSON.stringify(candidate)).toBe(resultsSchema.element.safeParse(candidate).success);
      if (fast) accepted++;
    }
    expect(accepted).toBeGreaterThan(300);
  });
});
