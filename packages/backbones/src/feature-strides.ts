import { ConfigError } from '@adaptnet/core';
import { MOBILENET_V1_BLOCKS, type MobileNetV1Options } from './models/mobilenet-v1.js';
import { MOBILENET_V2_STAGES, type MobileNetV2Options } from './models/mobilenet-v2.js';
import { SHUFFLENET_V2_REPEATS, type ShuffleNetV2Options } from './models/shufflenet-v2.js';
import { VGG16_LAYERS } from './models/vgg.js';
import { BACKBONE_NAMES, isVideoBackboneName, VIDEO_BACKBONE_NAMES } from './registry.js';

const RESNET_BLOCKS: Readonly<Record<string, readonly number[]>> = { 'resnet-18': [2, 2, 2, 2], 'resnet-50': [3, 4, 6, 3] };

/**
 * The stride of each feature step of a 2D backbone (the stem first), as its constructor lays them
 * out, read from the options alone: nothing is allocated.
 */
export function featureStrides(architecture: string, options: object = {}): number[] {
  const small = (options as { input?: string }).input === 'small';
  switch (architecture) {
    case 'mobilenet-v1': {
      const blocks = (options as MobileNetV1Options).blocks ?? MOBILENET_V1_BLOCKS;
      return [small ? 1 : 2, ...blocks.map(([, s]) => s)];
    }
    case 'mobilenet-v2': {
      const stages = (options as MobileNetV2Options).stages ?? MOBILENET_V2_STAGES;
      // Small inputs run the second stage (the first stride-2 one) at stride 1, as the constructor does.
      const blocks = stages.flatMap(([, , n, s], stage) =>
        Array.from({ length: n }, (_, i) => (i === 0 ? (small && stage === 1 ? 1 : s) : 1)),
      );
      return [small ? 1 : 2, ...blocks];
    }
    case 'resnet-18':
    case 'resnet-50': {
      const blocks = (RESNET_BLOCKS[architecture] as readonly number[]).flatMap((n, stage) =>
        Array.from({ length: n }, (_, i) => (i === 0 && stage > 0 ? 2 : 1)),
      );
      return [small ? 1 : 4, ...blocks];
    }
    case 'shufflenet-v2': {
      const repeats = (options as ShuffleNetV2Options).repeats ?? SHUFFLENET_V2_REPEATS;
      return [small ? 1 : 4, ...repeats.flatMap((n) => Array.from({ length: n }, (_, i) => (i === 0 ? 2 : 1)))];
    }
    case 'vgg-16-bn': {
      let pool = 0;
      return VGG16_LAYERS.flatMap((layer) => {
        if (layer !== 'M') return [1];
        pool++;
        // Small inputs drop the first max pool.
        return small && pool === 1 ? [] : [2];
      });
    }
    default:
      if (isVideoBackboneName(architecture)) throw new ConfigError(`${architecture}: resizable is not supported by video backbones`);
      throw new ConfigError(
        `unknown backbone '${architecture}'; known backbones: ${BACKBONE_NAMES.join(', ')}; video: ${VIDEO_BACKBONE_NAMES.join(', ')}`,
      );
  }
}

/**
 * Resizable stages of a feature-stride list: a stage starts at the stem and at every step with a
 * stride > 1, and gets a resize when it holds a stride-1 step other than the stem (`Backbone.setLayout`).
 */
export function resizableStagesOf(strides: readonly number[]): number {
  let count = 0;
  let open = false;
  strides.forEach((s, i) => {
    if (i > 0 && s > 1) {
      if (open) count++;
      open = false;
    } else if (i > 0) {
      open = true;
    }
  });
  return count + (open ? 1 : 0);
}
