/**
 * The latency benchmark's nets (issue #19): MobileNetV1, MobileNetV2 and ResNet-50 at ImageNet
 * size (1000 classes) and the main job's Fashion-MNIST MobileNetV1, each at four configurations from
 * the largest to the smallest, with random weights (seeded) and BN calibrated on random images.
 */
import { type Backbone, createBackbone, MOBILENET_V1_FASHION_MNIST_BLOCKS } from '@adaptnet/backbones';
import type { SubnetConfig } from '@adaptnet/core';
import { calibrate } from '@adaptnet/norm';
import * as tf from '@tensorflow/tfjs-core';

export interface LatencyNet {
  readonly make: () => Backbone;
  /** Largest first. */
  readonly configs: readonly SubnetConfig[];
  /** Images per configuration for BN calibration. */
  readonly calibrationSamples: number;
}

const IMAGENET_CONFIGS: SubnetConfig[] = [
  { width: 1, resolution: 224 },
  { width: 0.75, resolution: 192 },
  { width: 0.5, resolution: 160 },
  { width: 0.25, resolution: 128 },
];

export const LATENCY_NETS: Record<string, LatencyNet> = {
  'mobilenet-v1': { make: () => createBackbone('mobilenet-v1', { numClasses: 1000 }), configs: IMAGENET_CONFIGS, calibrationSamples: 8 },
  'mobilenet-v2': { make: () => createBackbone('mobilenet-v2', { numClasses: 1000 }), configs: IMAGENET_CONFIGS, calibrationSamples: 8 },
  'resnet-50': { make: () => createBackbone('resnet-50', { numClasses: 1000 }), configs: IMAGENET_CONFIGS, calibrationSamples: 8 },
  'main-job': {
    make: () =>
      createBackbone('mobilenet-v1', { input: 'small', inChannels: 1, numClasses: 10, blocks: MOBILENET_V1_FASHION_MNIST_BLOCKS }),
    configs: [
      { width: 1, resolution: 28 },
      { width: 0.75, resolution: 24 },
      { width: 0.5, resolution: 20 },
      { width: 0.25, resolution: 16 },
    ],
    calibrationSamples: 64,
  },
};

/** Normal images of one configuration, seeded. */
export function images(net: Backbone, config: SubnetConfig, batch: number, seed: number): tf.Tensor4D {
  return tf.randomNormal([batch, config.resolution, config.resolution, net.inChannels], 0, 1, 'float32', seed) as tf.Tensor4D;
}

/** Calibrates every configuration's BN statistics on random images (8 at a time). */
export async function calibrateAll(net: Backbone, entry: LatencyNet): Promise<void> {
  await calibrate(
    net,
    (config) => {
      const n = entry.calibrationSamples;
      return Array.from({ length: Math.ceil(n / 8) }, (_, i) => images(net, config, Math.min(8, n - 8 * i), 100 + i));
    },
    entry.configs,
    { samples: entry.calibrationSamples, disposeBatches: true },
  );
}
