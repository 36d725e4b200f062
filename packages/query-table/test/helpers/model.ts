import { type Backbone, createBackbone } from '@adaptnet/backbones';

/** A small MobileNetV1 (stem 8, blocks 16/s2 and 32/s2) for 16×16 one-channel images, widths [0.5, 1]. */
export function tinyMobileNet(seed = 1): Backbone {
  return createBackbone('mobilenet-v1', {
    input: 'small',
    inChannels: 1,
    numClasses: 10,
    stemChannels: 8,
    blocks: [
      [16, 2],
      [32, 2],
    ],
    widthRange: { min: 0.5, max: 1 },
    seed,
  });
}
