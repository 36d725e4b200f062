import type { Module } from '@adaptnet/core';
import { Backbone, type BackboneOptions, type FeatureStep, resolveBackboneOptions } from '../backbone.js';
import { buildContext } from '../layers/build-options.js';
import { ConvBnAct } from '../layers/conv-bn-act.js';
import { MaxPool } from '../layers/pooling.js';

/** VGG-16 configuration D: conv channels, `'M'` = 2×2 stride-2 max pool. */
export const VGG16_LAYERS: readonly (number | 'M')[] = [
  64,
  64,
  'M',
  128,
  128,
  'M',
  256,
  256,
  256,
  'M',
  512,
  512,
  512,
  'M',
  512,
  512,
  512,
  'M',
];

export type VggOptions = BackboneOptions;

/**
 * VGG-16 with BN: the 13 3×3 conv-BN-ReLU layers of torchvision's `vgg16_bn` (15,346,630,656 MACs of
 * convolutions at 224), every conv slimmable. The head is global average pooling + one dense layer
 * (resolution-agnostic, as adaptive networks need), not torchvision's 7×7×512 → 4096 → 4096 → 1000.
 * `input: 'small'`: the first max pool is dropped (no early downsampling; 32 px → 2×2 at the end).
 */
export class Vgg16 extends Backbone {
  constructor(options: VggOptions = {}, name = 'vgg16_bn') {
    const o = resolveBackboneOptions(name, options);
    const build = buildContext(name, options);
    super(name, o.inChannels, build.widthRange);
    const features: FeatureStep[] = [];
    let ch = o.inChannels;
    let conv = 0;
    let pool = 0;
    VGG16_LAYERS.forEach((layer) => {
      if (layer === 'M') {
        pool++;
        if (o.input === 'small' && pool === 1) return;
        features.push({ module: this.addModule(`pool${pool}`, new MaxPool(`${name}.pool${pool}`, 2, 2, 0)), stride: 2 });
        return;
      }
      conv++;
      const m = this.addModule(
        `conv${conv}`,
        new ConvBnAct(`${name}.conv${conv}`, build, {
          inChannels: ch,
          outChannels: layer,
          kernelSize: 3,
          input: conv === 1 ? { slim: false } : {},
          activation: 'relu',
        }),
      );
      features.push({ module: m, stride: 1 });
      ch = layer;
    });
    const head: Module[] = o.includeTop ? this.classifierHead(build, ch, o.numClasses) : [];
    this.setLayout(features, head, o.resizable);
  }
}
