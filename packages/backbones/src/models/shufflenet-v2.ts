import { ConfigError, type Cost, type ForwardContext, Module, sequentialCost } from '@adaptnet/core';
import * as tf from '@tensorflow/tfjs-core';
import { Backbone, type BackboneOptions, type FeatureStep, resolveBackboneOptions } from '../backbone.js';
import { type BuildContext, buildContext } from '../layers/build-options.js';
import { ConvBnAct } from '../layers/conv-bn-act.js';
import { MaxPool } from '../layers/pooling.js';
import { Sequential } from '../layers/sequential.js';

/** ShuffleNetV2 1.0× (Ma et al. 2018, Table 5): units per stage and stage output channels. */
export const SHUFFLENET_V2_REPEATS: readonly number[] = [4, 8, 4];
export const SHUFFLENET_V2_CHANNELS: readonly number[] = [24, 116, 232, 464, 1024];

export interface ShuffleNetV2Options extends BackboneOptions {
  /** Default `SHUFFLENET_V2_REPEATS`. */
  readonly repeats?: readonly number[];
  /** Stem, stage outputs, conv5 (length repeats + 2). Default `SHUFFLENET_V2_CHANNELS` (1.0×). */
  readonly channels?: readonly number[];
}

/** Channel shuffle with 2 groups: [x0..x(k-1), y0..y(k-1)] → [x0, y0, x1, y1, ...]. */
function shuffle2(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const [n, h, w, k] = a.shape as [number, number, number, number];
    const both = tf.stack([a, b], 4); // [n, h, w, k, 2]
    return tf.reshape(both, [n, h, w, 2 * k]);
  });
}

/**
 * ShuffleNetV2 unit. Stride 1: split the active channels in halves, run the right half through
 * 1×1 → 3×3 dw → 1×1, concatenate with the left half, shuffle. Stride 2: both branches read the
 * whole input (branch 1: 3×3 dw s2 → 1×1), concatenate, shuffle.
 *
 * Slimming: every branch has `activeChannels(out/2, width)` = k channels, so a stage tensor has 2k
 * and splits evenly; layers reading a whole stage tensor use input ratio 2 (2·k stays tied to k).
 * The split halves the *active* tensor, so the pass-through half is always a prefix of the full-width
 * pass-through half, while the processed half is channels k..2k (at full width K..2K). Because the
 * shuffle interleaves, the stage tensor at any width is the prefix of the full-width one.
 */
export class ShuffleUnit extends Module {
  readonly stride: number;
  readonly branch1: readonly ConvBnAct[];
  readonly branch2: readonly ConvBnAct[];

  constructor(name: string, build: BuildContext, inChannels: number, outChannels: number, stride: number, inRatio: number) {
    super(name);
    this.stride = stride;
    const b = outChannels / 2;
    const input = { ratio: inRatio };
    if (stride === 1) {
      this.branch1 = [];
      this.branch2 = this.branch(name, build, b, b, 1, {});
    } else {
      this.branch1 = [
        this.addModule(
          'branch1_dw',
          new ConvBnAct(`${name}.branch1_dw`, build, {
            inChannels,
            outChannels: inChannels,
            kernelSize: 3,
            strides: stride,
            depthwise: true,
            output: input,
            activation: 'none',
          }),
        ),
        this.addModule(
          'branch1_pw',
          new ConvBnAct(`${name}.branch1_pw`, build, { inChannels, outChannels: b, kernelSize: 1, input, activation: 'relu' }),
        ),
      ];
      this.branch2 = this.branch(name, build, inChannels, b, stride, input);
    }
  }

  private branch(name: string, build: BuildContext, inChannels: number, b: number, stride: number, input: { ratio?: number }): ConvBnAct[] {
    return [
      this.addModule(
        'branch2_pw1',
        new ConvBnAct(`${name}.branch2_pw1`, build, { inChannels, outChannels: b, kernelSize: 1, input, activation: 'relu' }),
      ),
      this.addModule(
        'branch2_dw',
        new ConvBnAct(`${name}.branch2_dw`, build, {
          inChannels: b,
          outChannels: b,
          kernelSize: 3,
          strides: stride,
          depthwise: true,
          activation: 'none',
        }),
      ),
      this.addModule(
        'branch2_pw2',
        new ConvBnAct(`${name}.branch2_pw2`, build, { inChannels: b, outChannels: b, kernelSize: 1, activation: 'relu' }),
      ),
    ];
  }

  forward(x: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    const run = (mods: readonly ConvBnAct[], h: tf.Tensor) => mods.reduce((t, m) => m.forward(t, ctx), h);
    return tf.tidy(() => {
      if (this.stride === 1) {
        const k = (x.shape[3] ?? 0) / 2;
        const [left, right] = tf.split(x, [k, k], 3) as [tf.Tensor, tf.Tensor];
        return shuffle2(left, run(this.branch2, right));
      }
      return shuffle2(run(this.branch1, x), run(this.branch2, x));
    });
  }

  cost(inShape: readonly number[], ctx: ForwardContext): Cost {
    const seq = (mods: readonly ConvBnAct[], shape: readonly number[]) =>
      sequentialCost(
        mods.map((m) => (s: readonly number[]) => m.cost(s, ctx)),
        shape,
      );
    if (this.stride === 1) {
      const c = inShape[3] ?? 0;
      const right = seq(this.branch2, [...inShape.slice(0, 3), c / 2]);
      const out = right.outShape;
      return { ...right, outShape: [...out.slice(0, 3), (out[3] ?? 0) + c / 2] };
    }
    const b1 = seq(this.branch1, inShape);
    const b2 = seq(this.branch2, inShape);
    return {
      macs: b1.macs + b2.macs,
      params: b1.params + b2.params,
      outShape: [...b1.outShape.slice(0, 3), (b1.outShape[3] ?? 0) + (b2.outShape[3] ?? 0)],
      layers: [...b1.layers, ...b2.layers],
    };
  }
}

/**
 * ShuffleNetV2 (1.0× channels by default). ImageNet stem: 3×3/2 conv + 3×3/2 max pool;
 * `input: 'small'`: 3×3/1 conv, no max pool. Channel divisor 2 by default (every count even, width 1
 * = the published net). conv5's outputs (1024) and the classifier stay full
 * width at every width, as MobileNetV2's head in the MutualNet lineage.
 */
export class ShuffleNetV2 extends Backbone {
  constructor(options: ShuffleNetV2Options = {}, name = 'shufflenet_v2') {
    const o = resolveBackboneOptions(name, options);
    // Divisor 2 by default: 58/116/232 are not multiples of 8, and width 1 must keep every channel.
    const build = buildContext(name, { ...options, divisor: options.divisor ?? 2 });
    super(name, o.inChannels, build.widthRange);
    const repeats = options.repeats ?? SHUFFLENET_V2_REPEATS;
    const channels = options.channels ?? SHUFFLENET_V2_CHANNELS;
    if (channels.length !== repeats.length + 2)
      throw new ConfigError(`${name}: channels needs ${repeats.length + 2} entries, got ${channels.length}`);
    if (![...repeats, ...channels].every((v) => Number.isInteger(v) && v > 0) || !channels.slice(1, -1).every((c) => c % 2 === 0)) {
      throw new ConfigError(`${name}: repeats and channels must be positive integers, stage channels even`);
    }
    const small = o.input === 'small';
    const stemChannels = channels[0] as number;
    const features: FeatureStep[] = [];
    const stemConv = new ConvBnAct(`${name}.stem.conv`, build, {
      inChannels: o.inChannels,
      outChannels: stemChannels,
      kernelSize: 3,
      strides: small ? 1 : 2,
      input: { slim: false },
      activation: 'relu',
    });
    const stemSteps: [string, Module][] = [['conv', stemConv]];
    if (!small) stemSteps.push(['pool', new MaxPool(`${name}.stem.pool`, 3, 2, 1)]);
    features.push({ module: this.addModule('stem', new Sequential(`${name}.stem`, stemSteps)), stride: small ? 1 : 4 });
    let ch = stemChannels;
    let ratio = 1;
    repeats.forEach((n, s) => {
      const out = channels[s + 1] as number;
      for (let i = 0; i < n; i++) {
        const stride = i === 0 ? 2 : 1;
        const unit = this.addModule(
          `stage${s + 2}_${i}`,
          new ShuffleUnit(`${name}.stage${s + 2}.${i}`, build, ch, out, stride, i === 0 ? ratio : 2),
        );
        features.push({ module: unit, stride });
        ch = out;
        ratio = 2;
      }
    });
    const head: Module[] = [];
    if (o.includeTop) {
      const conv5 = channels[channels.length - 1] as number;
      head.push(
        this.addModule(
          'conv5',
          new ConvBnAct(`${name}.conv5`, build, {
            inChannels: ch,
            outChannels: conv5,
            kernelSize: 1,
            input: { ratio: 2 },
            output: { slim: false },
            activation: 'relu',
          }),
        ),
      );
      head.push(...this.classifierHead(build, conv5, o.numClasses, false));
    }
    this.setLayout(features, head, o.resizable);
  }
}
