import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CocoDataset } from '@adaptnet/coco';
import { cocoFolder, makeFashionDetection, readCocoDataset } from '@adaptnet/coco/node';
import { type DetectionSample, Detector, type DetectorSpec } from '../../src/index.js';
import { loadDetectionSamples } from '../../src/node.js';

/** A quarter of the classification app's Fashion-MNIST MobileNetV1 blocks: tests run on 2 busy cores. */
export const TINY_BLOCKS: readonly (readonly [number, number])[] = [
  [16, 1],
  [32, 2],
  [32, 1],
  [64, 2],
  [64, 1],
  [128, 2],
];

/** The small-input MobileNetV1 of the classification app's Fashion-MNIST recipe, ImageNet stem (stride 2). */
export function tinySpec(overrides: Partial<DetectorSpec> = {}): DetectorSpec {
  return {
    format: 'adaptnet-detector',
    version: 1,
    backbone: {
      architecture: 'mobilenet-v1',
      options: {
        inChannels: 1,
        numClasses: 10,
        widthRange: { min: 0.25, max: 1 },
        blocks: TINY_BLOCKS.map(([c, s]) => [c, s]),
        stemChannels: 8,
      },
      norm: { policy: 'config' },
    },
    numClasses: 10,
    channels: 16,
    headConvs: 1,
    groups: 8,
    extraLevels: 1,
    normalize: { mean: [0.286], std: [0.353] },
    ...overrides,
  };
}

export function tinyDetector(overrides: Partial<DetectorSpec> = {}): Detector {
  return new Detector(tinySpec(overrides));
}

/** A few generated Fashion-MNIST scenes on small canvases. */
export async function tinyScenes(count: number, seed = 0): Promise<{ gt: CocoDataset; samples: DetectionSample[]; dir: string }> {
  const dir = join(await mkdtemp(join(tmpdir(), 'det-')), 'data');
  await makeFashionDetection({
    out: dir,
    train: count,
    val: 1,
    seed,
    minCanvas: 64,
    maxCanvas: 96,
    minObjects: 1,
    maxObjects: 2,
    minSide: 20,
    maxSide: 56,
  });
  const gt = await readCocoDataset(join(dir, 'annotations', 'instances_train.json'));
  const samples = await loadDetectionSamples(cocoFolder(gt, join(dir, 'images')));
  return { gt, samples, dir };
}
