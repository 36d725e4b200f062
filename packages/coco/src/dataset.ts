import { CocoError, formatPath } from './errors.js';
import { type CocoInstancesJson, instancesSchema, parseWith } from './schema.js';

export interface CocoImage {
  readonly id: number;
  readonly width: number;
  readonly height: number;
  readonly fileName: string;
}

/** A ground-truth box. `bbox` is `[x, y, width, height]` in image pixels. */
export interface CocoAnnotation {
  readonly id: number;
  readonly imageId: number;
  readonly categoryId: number;
  readonly bbox: readonly [number, number, number, number];
  /** The file's `area` (for COCO, the mask area); the evaluator's size ranges use it, as pycocotools does. */
  readonly area: number;
  readonly iscrowd: 0 | 1;
  /** Kept as read; COCOeval (bbox) does not use it: pycocotools replaces `ignore` by `iscrowd`. */
  readonly ignore?: 0 | 1;
}

export interface CocoCategory {
  readonly id: number;
  readonly name: string;
  readonly supercategory?: string;
}

/**
 * A validated COCO instances file: images, boxes and categories, indexed. Category ids map to
 * contiguous labels 0..numClasses-1 in ascending id order (COCO's 80 ids 1..90 become 0..79).
 */
export class CocoDataset {
  readonly images: readonly CocoImage[];
  readonly annotations: readonly CocoAnnotation[];
  /** Ascending by id. */
  readonly categories: readonly CocoCategory[];
  private readonly imageById = new Map<number, CocoImage>();
  private readonly annotationsByImage = new Map<number, CocoAnnotation[]>();
  private readonly labelByCategory = new Map<number, number>();

  private constructor(images: CocoImage[], annotations: CocoAnnotation[], categories: CocoCategory[]) {
    this.images = images;
    this.annotations = annotations;
    this.categories = categories;
    for (const image of images) {
      this.imageById.set(image.id, image);
      this.annotationsByImage.set(image.id, []);
    }
    for (const a of annotations) this.annotationsByImage.get(a.imageId)?.push(a);
    categories.forEach((c, label) => {
      this.labelByCategory.set(c.id, label);
    });
  }

  /**
   * Validates a parsed instances JSON object: the schema, then unique image, annotation and
   * category ids, and that every annotation names an existing image and category. Throws one
   * `CocoError` naming the field and index; nothing is returned half-built.
   */
  static fromJson(json: unknown, source = 'instances'): CocoDataset {
    const data: CocoInstancesJson = parseWith(instancesSchema, json, source);
    const fail = (path: (string | number)[], what: string) =>
      new CocoError('E_COCO_REFERENCE', `${source}: ${formatPath(path)} ${what}`, path);
    const firstIndex = (kind: string, ids: readonly { id: number }[]) => {
      const seen = new Map<number, number>();
      ids.forEach((x, i) => {
        const first = seen.get(x.id);
        if (first !== undefined) throw fail([kind, i, 'id'], `is ${x.id}, already used by ${kind}[${first}]; ids must be unique`);
        seen.set(x.id, i);
      });
      return seen;
    };
    const imageIndex = firstIndex('images', data.images);
    firstIndex('annotations', data.annotations);
    const categoryIndex = firstIndex('categories', data.categories);
    data.annotations.forEach((a, i) => {
      if (!imageIndex.has(a.image_id)) throw fail(['annotations', i, 'image_id'], `is ${a.image_id}, which is not the id of any image`);
      if (!categoryIndex.has(a.category_id)) {
        throw fail(['annotations', i, 'category_id'], `is ${a.category_id}, which is not the id of any category`);
      }
    });
    const images = data.images.map((im) => ({ id: im.id, width: im.width, height: im.height, fileName: im.file_name }));
    const annotations = data.annotations.map(
      (a): CocoAnnotation => ({
        id: a.id,
        imageId: a.image_id,
        categoryId: a.category_id,
        bbox: [a.bbox[0], a.bbox[1], a.bbox[2], a.bbox[3]],
        area: a.area,
        iscrowd: a.iscrowd ?? 0,
        ...(a.ignore === undefined ? {} : { ignore: a.ignore }),
      }),
    );
    const categories = data.categories
      .map((c): CocoCategory => ({ id: c.id, name: c.name, ...(c.supercategory === undefined ? {} : { supercategory: c.supercategory }) }))
      .sort((a, b) => a.id - b.id);
    return new CocoDataset(images, annotations, categories);
  }

  /** Parses JSON text (e.g. an instances file's contents); text that is not JSON is a `CocoError`. */
  static fromText(text: string, source = 'instances'): CocoDataset {
    return CocoDataset.fromJson(parseJsonText(text, source), source);
  }

  /** Image ids in file order. */
  get imageIds(): number[] {
    return this.images.map((im) => im.id);
  }

  /** Category ids, ascending. */
  get categoryIds(): number[] {
    return this.categories.map((c) => c.id);
  }

  get numClasses(): number {
    return this.categories.length;
  }

  hasImage(imageId: number): boolean {
    return this.imageById.has(imageId);
  }

  image(imageId: number): CocoImage {
    const image = this.imageById.get(imageId);
    if (image === undefined)
      throw new CocoError('E_COCO_ARGUMENT', `image id ${imageId} is not in the dataset (${this.images.length} images)`);
    return image;
  }

  /** The boxes of one image, in file order. */
  annotationsOf(imageId: number): readonly CocoAnnotation[] {
    const list = this.annotationsByImage.get(imageId);
    if (list === undefined)
      throw new CocoError('E_COCO_ARGUMENT', `image id ${imageId} is not in the dataset (${this.images.length} images)`);
    return list;
  }

  hasCategory(categoryId: number): boolean {
    return this.labelByCategory.has(categoryId);
  }

  /** The contiguous label (0..numClasses-1) of a category id. */
  labelOf(categoryId: number): number {
    const label = this.labelByCategory.get(categoryId);
    if (label === undefined) {
      throw new CocoError('E_COCO_ARGUMENT', `category id ${categoryId} is not in the dataset; allowed: ${this.categoryIds.join(', ')}`);
    }
    return label;
  }

  /** The category id of a contiguous label. */
  categoryIdOf(label: number): number {
    const category = Number.isInteger(label) ? this.categories[label] : undefined;
    if (category === undefined) {
      throw new CocoError('E_COCO_ARGUMENT', `label ${label} is out of range; allowed: integers 0..${this.categories.length - 1}`);
    }
    return category.id;
  }

  /** The instances JSON object (COCO field names), e.g. to write the set back out. */
  toJson(): CocoInstancesJson {
    return {
      images: this.images.map((im) => ({ id: im.id, width: im.width, height: im.height, file_name: im.fileName })),
      annotations: this.annotations.map((a) => ({
        id: a.id,
        image_id: a.imageId,
        category_id: a.categoryId,
        bbox: [a.bbox[0], a.bbox[1], a.bbox[2], a.bbox[3]],
        area: a.area,
        iscrowd: a.iscrowd,
        ...(a.ignore === undefined ? {} : { ignore: a.ignore }),
      })),
      categories: this.categories.map((c) => ({ ...c })),
    };
  }
}

/** `JSON.parse` whose failure is a one-line `CocoError` naming the source. */
export function parseJsonText(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CocoError('E_COCO_JSON', `${source} is not valid JSON: ${(e as Error).message.split('\n')[0]}`);
  }
}
