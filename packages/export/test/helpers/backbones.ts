import { type Backbone, MOBILENET_V1_FASHION_MNIST_BLOCKS } from '@adaptnet/backbones';
import type { SubnetConfig } from '@adaptnet/core';
import { findBatchNorms } from '@adaptnet/norm';
import { fixture } from '@adaptnet/testing';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

export interface BackboneCase {
  readonly name: string;
  readonly label?: string;
  readonly options: object;
  readonly configs: SubnetConfig[];
}

/**
 * Every registered 2D backbone, run small so the files stay fast: custom channel lists where the
 * backbone takes them, otherwise width 1/16 (ResNets, VGG: allocated at full size, run at 4-32
 * channels) on tiny inputs.
 */
export const CASES: BackboneCase[] = [
  {
    name: 'mobilenet-v1',
    options: {
      input: 'small',
      blocks: [
        [16, 1],
        [24, 2],
        [32, 2],
      ],
      stemChannels: 8,
    },
    configs: [
      { width: 0.5, resolution: 12 },
      { width: 1, resolution: 10 },
    ],
  },
  {
    name: 'mobilenet-v2',
    options: {
      input: 'imagenet',
      stages: [
        [1, 8, 1, 1],
        [6, 16, 2, 2],
        [6, 24, 2, 2],
      ],
      headChannels: 32,
    },
    configs: [{ width: 0.75, resolution: 17 }],
  },
  { name: 'resnet-18', options: { input: 'imagenet', widthRange: { min: 0.0625, max: 1 } }, configs: [{ width: 0.0625, resolution: 32 }] },
  { name: 'resnet-50', options: { input: 'small', widthRange: { min: 0.0625, max: 1 } }, configs: [{ width: 0.0625, resolution: 8 }] },
  {
    name: 'shufflenet-v2',
    options: { input: 'imagenet', repeats: [2, 3, 1], channels: [8, 16, 32, 48, 40] },
    configs: [
      { width: 0.5, resolution: 33 },
      { width: 1, resolution: 32 },
    ],
  },
  { name: 'vgg-16-bn', options: { input: 'small', widthRange: { min: 0.0625, max: 1 } }, configs: [{ width: 0.0625, resolution: 16 }] },
];

/** The main job's network: the small-input Fashion-MNIST MobileNetV1 of docs/reference-recipe.md. */
export const MAIN_JOB_OPTIONS = { input: 'small', inChannels: 1, numClasses: 10, blocks: MOBILENET_V1_FASHION_MNIST_BLOCKS } as const;

/** The main job's query-table grid: widths 0.25..1 in steps of 0.125 × resolutions 28, 24, 20, 16. */
export const MAIN_JOB_GRID: SubnetConfig[] = [0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1].flatMap((width) =>
  [28, 24, 20, 16].map((resolution) => ({ width, resolution })),
);

/** A two-block MobileNetV1 small enough to prepare hundreds of times in a test (cache switches). */
export const TINY_MOBILENET_OPTIONS = {
  input: 'small',
  numClasses: 5,
  stemChannels: 8,
  blocks: [
    [16, 1],
    [24, 2],
  ],
} as const;
/** Its eight configurations: four widths × two resolutions. */
export const TINY_MOBILENET_CONFIGS: SubnetConfig[] = [0.25, 0.5, 0.75, 1].flatMap((width) =>
  [8, 6].map((resolution) => ({ width, resolution })),
);

/** Non-trivial BN parameters and statistics, as training and calibration would leave them. */
export function nonTrivialBatchNorm(model: Backbone, configs: readonly SubnetConfig[], seed: number): void {
  // Initial kernels are already random; BN starts at γ = 1, β = 0, so give those values to fold.
  [...model.namedVariables()].forEach(([name, v], i) => {
    if (/\.(gamma|beta)$/.test(name)) v.assign(tf.tidy(() => tf.add(v, tf.mul(fixture(v.shape, seed + i), 0.5))));
  });
  for (const config of configs) {
    findBatchNorms(model).forEach(({ bn }, i) => {
      const mean = Array.from({ length: bn.channels }, (_, c) => 0.3 * Math.sin(seed + 7 * i + c));
      const variance = Array.from({ length: bn.channels }, (_, c) => 0.4 + Math.cos(seed + i + 3 * c) ** 2);
      bn.setStatistics(bn.keyFor(config), mean, variance);
    });
  }
}

/** max |a − b| / max |b|. */
export function relativeError(a: tf.Tensor, b: tf.Tensor): number {
  const x = a.dataSync();
  const y = b.dataSync();
  expect(a.shape).toEqual(b.shape);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < y.length; i++) {
    diff = Math.max(diff, Math.abs((x[i] as number) - (y[i] as number)));
    scale = Math.max(scale, Math.abs(y[i] as number));
  }
  expect(scale).toBeGreaterThan(0);
  return diff / scale;
}

/** The float32 weights (filters, biases, dense kernels) of a graph export's manifest, in bytes. */
export function floatWeightBytes(artifacts: tf.io.ModelArtifacts): number {
  return (artifacts.weightSpecs ?? [])
    .filter((w) => w.dtype === 'float32' && /\/(filter|bias|kernel)$/.test(w.name))
    .reduce((n, w) => n + 4 * w.shape.reduce((a, b) => a * b, 1), 0);
}
