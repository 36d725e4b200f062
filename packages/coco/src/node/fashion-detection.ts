import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import sharp from 'sharp';
import { CocoError } from '../errors.js';
import type { CocoInstancesJson } from '../schema.js';
import { composeScene, type ItemSource, type SceneOptions } from './scene.js';

export interface FashionDetectionOptions extends SceneOptions {
  /** Output folder; must not exist yet. */
  readonly out: string;
  /** Images per split. */
  readonly train: number;
  readonly val: number;
  /** Default 0. Same seed, same options → the same files. */
  readonly seed?: number;
  /** Another Fashion-MNIST folder (default: the Debian package's /usr/share/datasets/fashion-mnist). */
  readonly fashionDir?: string;
}

export interface FashionDetectionSummary {
  readonly out: string;
  readonly splits: Record<'train' | 'val', { images: number; annotations: number; small: number; medium: number; large: number }>;
}

function checkCount(name: string, n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new CocoError('E_COCO_ARGUMENT', `--${name} is ${n}; allowed: an integer >= 0`);
}

/**
 * Writes Fashion-MNIST detection as a COCO folder: `images/{train,val}_NNNNNN.png` (grey PNG) and
 * `annotations/instances_{train,val}.json`. Train scenes use Fashion-MNIST's training items, val
 * scenes its test items. The folder appears complete or not at all (built beside it, then renamed).
 */
export async function makeFashionDetection(options: FashionDetectionOptions): Promise<FashionDetectionSummary> {
  checkCount('train', options.train);
  checkCount('val', options.val);
  if (options.train + options.val === 0) {
    throw new CocoError('E_COCO_ARGUMENT', '--train and --val are both 0; allowed: at least one image in all');
  }
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed)) throw new CocoError('E_COCO_ARGUMENT', `--seed is ${seed}; allowed: an integer`);
  const out = resolve(options.out);
  if (
    await stat(out).then(
      () => true,
      () => false,
    )
  ) {
    throw new CocoError('E_COCO_FILE', `${out} already exists; remove it or choose another --out (nothing is overwritten)`);
  }
  // Loaded lazily: they bring tfjs, which evaluation never needs.
  const [{ loadFashionMnist }, { FASHION_MNIST_CLASSES }, { Rng }] = await Promise.all([
    import('@adaptnet/data/node'),
    import('@adaptnet/data'),
    import('@adaptnet/core'),
  ]);
  const tmp = join(dirname(out), `.${basename(out)}.${randomBytes(6).toString('hex')}.partial`);
  await mkdir(join(tmp, 'images'), { recursive: true });
  await mkdir(join(tmp, 'annotations'));
  try {
    // Category ids 1..10 are Fashion-MNIST labels 0..9.
    const categories = FASHION_MNIST_CLASSES.map((name, i) => ({ id: i + 1, name, supercategory: 'fashion' }));
    const splits = {} as FashionDetectionSummary['splits'];
    for (const [split, count, fmnistSplit, stream] of [
      ['train', options.train, 'train', 1],
      ['val', options.val, 'test', 2],
    ] as const) {
      const source: ItemSource | undefined =
        count === 0
          ? undefined
          : await loadFashionMnist({
              split: fmnistSplit,
              ...(options.fashionDir === undefined ? {} : { dir: options.fashionDir }),
            });
      const rng = new Rng(seed * 1000003 + stream);
      const json: CocoInstancesJson = { images: [], annotations: [], categories };
      const tally = { images: count, annotations: 0, small: 0, medium: 0, large: 0 };
      for (let i = 1; i <= count; i++) {
        const scene = composeScene(rng, source as ItemSource, options);
        const fileName = `${split}_${String(i).padStart(6, '0')}.png`;
        // 'b-w': a 1-channel grey PNG (sharp writes sRGB, 3 channels, unless told).
        const png = await sharp(scene.pixels, { raw: { width: scene.width, height: scene.height, channels: 1 } })
          .toColourspace('b-w')
          .png()
          .toBuffer();
        await writeFile(join(tmp, 'images', fileName), png);
        json.images.push({ id: i, width: scene.width, height: scene.height, file_name: fileName });
        for (const o of scene.objects) {
          const area = o.bbox[2] * o.bbox[3];
          tally.annotations++;
          if (area < 32 ** 2) tally.small++;
          else if (area <= 96 ** 2) tally.medium++;
          else tally.large++;
          json.annotations.push({ id: json.annotations.length + 1, image_id: i, category_id: o.label + 1, bbox: o.bbox, area, iscrowd: 0 });
        }
      }
      await writeFile(join(tmp, 'annotations', `instances_${split}.json`), JSON.stringify(json));
      splits[split] = tally;
    }
    await rename(tmp, out);
    return { out, splits };
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
}
