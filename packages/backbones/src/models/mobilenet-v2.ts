import { ConfigError, type Cost, type ForwardContext, Module, sequentialCost } from '@adaptnet/core';
import * as tf from '@tensorflow/tfjs-core';
import { Backbone, type BackboneOptions, type FeatureStep, resolveBackboneOptions } from '../backbone.js';
import { type BuildContext, buildContext } from '../layers/build-options.js';
import { ConvBnAct } from '../layers/conv-bn-act.js';

/** One MobileNetV2 stage: expansion t, output channels c (width 1), repeats n, first stride s. */
export type InvertedResidualStageSpec = readonly [t: number, c: number, n: number, s: number];

/** Sandler et al. 2018, Table 2. */
export const MOBILENET_V2_STAGES: readonly InvertedResidualStageSpec[] = [
  [1, 16, 1, 1],
  [6, 24, 2, 2],
  [6, 32, 3, 2],
  [6, 64, 4, 2],
  [6, 96, 3, 1],
  [6, 160, 3, 2],
  [6, 320, 1, 1],
];

export interface MobileNetV2Options extends BackboneOptions {
  /** Default `MOBILENET_V2_STAGES`. */
  readonly stages?: readonly InvertedResidualStageSpec[];
  /** Channels of the last 1×1 conv (full width at every width, MutualNet code lineage). Default 1280. */
  readonly headChannels?: number;
}

/**
 * MobileNetV2 inverted residual: 1×1 expand (ratio t ties the hidden width to the block input),
 * 3×3 depthwise, 1×1 linear projection; identity shortcut when stride 1 and in = out.
 */
export class InvertedResidual extends Module {
  readonly expand: ConvBnAct | undefined;
  readonly dw: ConvBnAct;
  readonly project: ConvBnAct;
  readonly residual: boolean;

  constructor(name: string, build: BuildContext, inChannels: number, outChannels: number, stride: number, expansion: number) {
    super(name);
    const hidden = inChannels * expansion;
    const side = { ratio: expansion };
    this.expand =
      expansion === 1
        ? undefined
        : this.addModule(
            'expand',
            new ConvBnAct(`${name}.expand`, build, { inChannels, outChannels: hidden, kernelSize: 1, output: side, activation: 'relu6' }),
          );
    this.dw = this.addModule(
      'dw',
      new ConvBnAct(`${name}.dw`, build, {
        inChannels: hidden,
        outChannels: hidden,
        kernelSize: 3,
        strides: stride,
        depthwise: true,
        output: side,
        activation: 'relu6',
      }),
    );
    this.project = this.addModule(
      'project',
      new ConvBnAct(`${name}.project`, build, { inChannels: hidden, outChannels, kernelSize: 1, input: side, activation: 'none' }),
    );
    this.residual = stride === 1 && inChannels === outChannels;
  }

  forward(x: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    return tf.tidy(() => {
      const h = this.expand ? this.expand.forward(x, ctx) : x;
      const y = this.project.forward(this.dw.forward(h, ctx), ctx);
      return this.residual ? tf.add(x, y) : y;
    });
  }

  cost(inShape: readonly number[], ctx: ForwardContext): Cost {
    const steps = [...(this.expand ? [this.expand] : []), this.dw, this.project].map((m) => (s: readonly number[]) => m.cost(s, ctx));
    return sequentialCost(steps, inShape);
  }
}

/**
 * MobileNetV2. The last 1×1 conv's outputs (1280) and the classifier stay full width at every
 * width (MutualNet code lineage); everything before slims. `input: 'small'`: stride-1 stem and the
 * 24-channel stage at stride 1 (total stride 8, as the CIFAR MobileNetV2).
 */
export class MobileNetV2 extends Backbone {
  constructor(options: MobileNetV2Options = {}, name = 'mobilenet_v2') {
    const o = resolveBackboneOptions(name, options);
    const build = buildContext(name, options);
    super(name, o.inChannels, build.widthRange);
    const stages = options.stages ?? MOBILENET_V2_STAGES;
    if (stages.length === 0) throw new ConfigError(`${name}: stages is empty`);
    for (const spec of stages) {
      if (!spec.every((v) => Number.isInteger(v) && v >= 1))
        throw new ConfigError(`${name}: each stage must be [t, c, n, s] positive integers, got [${spec.join(', ')}]`);
    }
    const headChannels = options.headChannels ?? 1280;
    const small = o.input === 'small';
    const stemStride = small ? 1 : 2;
    const features: FeatureStep[] = [];
    const stem = this.addModule(
      'stem',
      new ConvBnAct(`${name}.stem`, build, {
        inChannels: o.inChannels,
        outChannels: 32,
        kernelSize: 3,
        strides: stemStride,
        input: { slim: false },
        activation: 'relu6',
      }),
    );
    features.push({ module: stem, stride: stemStride });
    let ch = 32;
    let index = 1;
    stages.forEach(([t, c, n, s], stageIndex) => {
      // Small inputs: no early downsampling — the first stride-2 stage (24 ch) runs at stride 1.
      const stride = small && stageIndex === 1 ? 1 : s;
      for (let i = 0; i < n; i++) {
        const st = i === 0 ? stride : 1;
        const block = this.addModule(`block${index}`, new InvertedResidual(`${name}.block${index}`, build, ch, c, st, t));
        features.push({ module: block, stride: st });
        ch = c;
        index++;
      }
    });
    const head: Module[] = [];
    if (o.includeTop) {
      head.push(
        this.addModule(
          'head',
          new ConvBnAct(`${name}.head`, build, {
            inChannels: ch,
            outChannels: headChannels,
            kernelSize: 1,
            output: { slim: false },
            activation: 'relu6',
          }),
        ),
      );
      head.push(...this.classifierHead(build, headChannels, o.numClasses, false));
    }
    this.setLayout(features, head, o.resizable);
  }
}
