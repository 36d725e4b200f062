import { ConfigError, type Cost, type ForwardContext, Module, sequentialCost } from '@adaptnet/core';
import type * as tf from '@tensorflow/tfjs-core';
import { Backbone, type BackboneOptions, type FeatureStep, resolveBackboneOptions } from '../backbone.js';
import { type BuildContext, buildContext } from '../layers/build-options.js';
import { ConvBnAct } from '../layers/conv-bn-act.js';
import { MaxPool } from '../layers/pooling.js';
import { BasicBlock, Bottleneck } from './resnet-blocks.js';

export type ResNetDepth = 18 | 50;

export interface ResNetOptions extends BackboneOptions {
  /** Default 18. */
  readonly depth?: ResNetDepth;
}

const LAYOUT: Record<ResNetDepth, { readonly blocks: readonly number[]; readonly bottleneck: boolean }> = {
  18: { blocks: [2, 2, 2, 2], bottleneck: false },
  50: { blocks: [3, 4, 6, 3], bottleneck: true },
};

/** conv-BN-ReLU then (ImageNet only) 3×3 stride-2 max pool. */
export class ResNetStem extends Module {
  readonly conv: ConvBnAct;
  readonly pool: MaxPool | undefined;

  constructor(name: string, build: BuildContext, inChannels: number, small: boolean) {
    super(name);
    this.conv = this.addModule(
      'conv',
      new ConvBnAct(`${name}.conv`, build, {
        inChannels,
        outChannels: 64,
        kernelSize: small ? 3 : 7,
        strides: small ? 1 : 2,
        input: { slim: false },
        activation: 'relu',
      }),
    );
    this.pool = small ? undefined : this.addModule('pool', new MaxPool(`${name}.pool`, 3, 2, 1));
  }

  forward(x: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    const h = this.conv.forward(x, ctx);
    if (!this.pool) return h;
    const y = this.pool.forward(h, ctx);
    h.dispose();
    return y;
  }

  cost(inShape: readonly number[], ctx: ForwardContext): Cost {
    const steps = [this.conv, ...(this.pool ? [this.pool] : [])].map((m) => (s: readonly number[]) => m.cost(s, ctx));
    return sequentialCost(steps, inShape);
  }
}

/**
 * ResNet-18 (basic blocks) or ResNet-50 v1.5 (bottlenecks with the stride on the 3×3), every conv
 * slimmable with `activeChannels(c, width)` (ratio 1, so a block's output and its shortcut always
 * agree). ImageNet stem: 7×7/2 conv + 3×3/2 max pool; `input: 'small'`: 3×3/1 conv, no max pool.
 */
export class ResNet extends Backbone {
  readonly depth: ResNetDepth;

  constructor(options: ResNetOptions = {}, name?: string) {
    const depth = options.depth ?? 18;
    const n = name ?? `resnet${depth}`;
    const layout = LAYOUT[depth];
    if (!layout) throw new ConfigError(`${n}: depth must be one of ${Object.keys(LAYOUT).join(', ')}, got ${String(depth)}`);
    const o = resolveBackboneOptions(n, options);
    const build = buildContext(n, options);
    super(n, o.inChannels, build.widthRange);
    this.depth = depth;
    const small = o.input === 'small';
    const features: FeatureStep[] = [];
    features.push({ module: this.addModule('stem', new ResNetStem(`${n}.stem`, build, o.inChannels, small)), stride: small ? 1 : 4 });
    let ch = 64;
    layout.blocks.forEach((count, stage) => {
      const planes = 64 * 2 ** stage;
      for (let i = 0; i < count; i++) {
        const stride = i === 0 && stage > 0 ? 2 : 1;
        const local = `layer${stage + 1}.${i}`;
        const block = layout.bottleneck
          ? new Bottleneck(`${n}.${local}`, build, ch, planes, stride)
          : new BasicBlock(`${n}.${local}`, build, ch, planes, stride);
        this.addModule(`layer${stage + 1}_${i}`, block);
        features.push({ module: block, stride });
        ch = planes * (layout.bottleneck ? 4 : 1);
      }
    });
    const head: Module[] = o.includeTop ? this.classifierHead(build, ch, o.numClasses) : [];
    this.setLayout(features, head, o.resizable);
  }
}
