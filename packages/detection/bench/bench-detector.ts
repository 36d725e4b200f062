/** The detector and the batch the detection benches time (also the profile's). */
import { MOBILENET_V1_FASHION_MNIST_BLOCKS } from '@adaptnet/backbones';
import { Rng } from '@adaptnet/core';
import type { DetectionSample, DetectorSpec } from '../src/index.js';

export const BENCH_BLOCKS = MOBILENET_V1_FASHION_MNIST_BLOCKS.map(([c, s]) => [c, s] as [number, number]);

/** The Fashion-MNIST recipe's MobileNetV1 (ImageNet stem, 1 channel) → FPN P3–P6 → FCOS head. */
export function benchSpec(o: { channels: number; headConvs: number }): DetectorSpec {
  return {
    format: 'adaptnet-detector',
    version: 1,
    backbone: {
      architecture: 'mobilenet-v1',
      options: { inChannels: 1, input: 'imagenet', widthRange: { min: 0.25, max: 1 }, blocks: BENCH_BLOCKS },
      norm: { policy: 'config' },
    },
    numClasses: 10,
    channels: o.channels,
    headConvs: o.headConvs,
    normalize: { mean: [0.286], std: [0.353] },
  };
}

/** `count` square grey images of random pixels with 1–4 random boxes each. */
export function benchSamples(count: number, size: number, seed = 1): DetectionSample[] {
  const rng = new Rng(seed);
  return Array.from({ length: count }, (_, i) => {
    const pixels = new Uint8Array(size * size).map(() => rng.int(256));
    const objects = Array.from({ length: 1 + rng.int(4) }, () => {
      const s = 12 + rng.int(size / 2);
      const x = rng.int(size - s);
      const y = rng.int(size - s);
      return { box: [x, y, x + s, y + s] as const, label: rng.int(10) };
    });
    return { imageId: i + 1, pixels, width: size, height: size, channels: 1, objects };
  });
}
