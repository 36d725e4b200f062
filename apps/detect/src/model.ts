import { MOBILENET_V1_FASHION_MNIST_BLOCKS } from '@adaptnet/backbones';
import { ConfigError, type SubnetConfig } from '@adaptnet/core';
import { FASHION_MNIST_NORMALIZE } from '@adaptnet/data';
import { Detector, type DetectorSpec, detectorSpecFor as specFromClassifier } from '@adaptnet/detection';
import { costOf } from '@adaptnet/flops';
import { normOptionsFor, type TrainConfig } from '@adaptnet/train';
import { squareInput } from './grid-model.js';

/**
 * Backbones `train --backbone` accepts. `mobilenet-v1-fashion` is adaptnet-classify's reference
 * network (MobileNetV1's first six blocks), so a Fashion-MNIST classification run can initialise
 * it; here with the ImageNet stem (stride 2), which gives C3–C5 strides 4, 8, 16 (+ P6 at 32).
 */
export const BACKBONES = ['mobilenet-v1-fashion'] as const;
export type BackboneName = (typeof BACKBONES)[number];

export interface DetectorChoice {
  readonly backbone: BackboneName;
  readonly inChannels: number;
  readonly numClasses: number;
  readonly widthRange: { readonly min: number; readonly max: number };
  readonly seed: number;
  /** FPN and head channels (fixed width). Default 32. */
  readonly channels?: number;
  /** Conv + GroupNorm + ReLU blocks per head tower. Default 1. */
  readonly headConvs?: number;
}

/**
 * The detector a run trains. Defaults are sized for 2 cores: 32 FPN/head channels and one conv per
 * head tower (FCOS uses 256 and 4 on COCO), GroupNorm of 8 groups (4 channels each), P3–P6.
 */
export function detectorSpecFor(choice: DetectorChoice, train: TrainConfig): DetectorSpec {
  if (choice.inChannels !== 1 && choice.inChannels !== 3)
    throw new ConfigError(`images must have 1 or 3 channels, got ${choice.inChannels}`);
  // The backbone adaptnet-classify's mobilenet-v1-fashion describes (registry name, options, BN keying), with the ImageNet stem.
  const classifier = {
    architecture: 'mobilenet-v1',
    options: {
      input: 'small',
      inChannels: choice.inChannels,
      numClasses: choice.numClasses,
      widthRange: { min: choice.widthRange.min, max: choice.widthRange.max },
      seed: choice.seed,
      blocks: MOBILENET_V1_FASHION_MNIST_BLOCKS.map(([c, s]: readonly [number, number]) => [c, s]),
    },
    norm: normOptionsFor(train, { widthMax: choice.widthRange.max }),
  };
  return specFromClassifier(classifier, {
    input: 'imagenet',
    numClasses: choice.numClasses,
    channels: choice.channels ?? 32,
    headConvs: choice.headConvs ?? 1,
    groups: 8,
    stages: 3,
    extraLevels: 1,
    normalize: {
      mean: Array.from({ length: choice.inChannels }, () => FASHION_MNIST_NORMALIZE.mean[0] as number),
      std: Array.from({ length: choice.inChannels }, () => FASHION_MNIST_NORMALIZE.std[0] as number),
    },
    seed: choice.seed,
  });
}

/** MACs and parameters of the whole detector (backbone, FPN, head) on a `size` × `size` input. */
export function detectorCost(detector: Detector, config: SubnetConfig): { macs: number; params: number } {
  const cost = costOf(squareInput(detector), config);
  return { macs: cost.macs, params: cost.params };
}

export function buildDetector(spec: DetectorSpec): Detector {
  return new Detector(spec);
}
