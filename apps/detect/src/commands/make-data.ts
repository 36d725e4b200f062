import { type FashionDetectionSummary, makeFashionDetection } from '@adaptnet/coco/node';
import { ConfigError } from '@adaptnet/core';
import type { CliOutput } from '@adaptnet/train/node';

export interface MakeDataFlags {
  readonly out: string;
  readonly train?: number;
  readonly val?: number;
  readonly seed?: number;
  readonly clutter?: number;
  readonly minCanvas?: number;
  readonly maxCanvas?: number;
  readonly minSide?: number;
  readonly maxSide?: number;
  readonly maxObjects?: number;
  readonly fashionDir?: string;
}

/**
 * The default detection set: far smaller canvases than `adaptnet-coco make-data` (48–64 px instead
 * of 128–320, 1–2 items of 12–40 px) so that a detector trains on 2 cores; the boxes are mostly
 * COCO-small (< 32²) with some medium ones.
 */
export const DEFAULT_DETECTION_DATA = {
  train: 1000,
  val: 200,
  minCanvas: 48,
  maxCanvas: 64,
  minSide: 12,
  maxSide: 40,
  maxObjects: 2,
} as const;

/** `adaptnet-detect make-data`: writes the Fashion-MNIST detection set as a COCO folder. */
export async function makeDataCommand(flags: MakeDataFlags, out: CliOutput): Promise<FashionDetectionSummary> {
  const minCanvas = flags.minCanvas ?? DEFAULT_DETECTION_DATA.minCanvas;
  const maxCanvas = flags.maxCanvas ?? Math.max(minCanvas, DEFAULT_DETECTION_DATA.maxCanvas);
  if (maxCanvas < minCanvas)
    throw new ConfigError(`--max-canvas ${maxCanvas} is below --min-canvas ${minCanvas}; allowed: >= ${minCanvas}`);
  const minSide = flags.minSide ?? DEFAULT_DETECTION_DATA.minSide;
  const maxSide = flags.maxSide ?? Math.max(minSide, DEFAULT_DETECTION_DATA.maxSide);
  if (maxSide < minSide) throw new ConfigError(`--max-side ${maxSide} is below --min-side ${minSide}; allowed: >= ${minSide}`);
  const summary = await makeFashionDetection({
    out: flags.out,
    train: flags.train ?? DEFAULT_DETECTION_DATA.train,
    val: flags.val ?? DEFAULT_DETECTION_DATA.val,
    seed: flags.seed ?? 0,
    minCanvas,
    maxCanvas,
    minSide,
    maxSide,
    maxObjects: flags.maxObjects ?? DEFAULT_DETECTION_DATA.maxObjects,
    ...(flags.clutter === undefined ? {} : { clutter: flags.clutter }),
    ...(flags.fashionDir === undefined ? {} : { fashionDir: flags.fashionDir }),
  });
  for (const split of ['train', 'val'] as const) {
    const s = summary.splits[split];
    out.result(`${split}: ${s.images} images, ${s.annotations} boxes (${s.small} small, ${s.medium} medium, ${s.large} large)`);
  }
  out.result(`data: ${summary.out}`);
  return summary;
}
