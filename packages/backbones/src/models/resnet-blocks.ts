import { type Cost, type ForwardContext, Module } from '@adaptnet/core';
import type * as tf from '@tensorflow/tfjs-core';
import type { BuildContext } from '../layers/build-options.js';
import { ConvBnAct } from '../layers/conv-bn-act.js';
import { residualCost, residualForward } from '../layers/residual.js';

/** Residual sum then ReLU; the shortcut is a 1×1 strided conv + BN when the shape changes. */
export abstract class ResidualBlock extends Module {
  readonly shortcut: ConvBnAct | undefined;

  constructor(name: string, build: BuildContext, inChannels: number, outChannels: number, stride: number) {
    super(name);
    this.shortcut =
      stride !== 1 || inChannels !== outChannels
        ? this.addModule(
            'shortcut',
            new ConvBnAct(`${name}.shortcut`, build, { inChannels, outChannels, kernelSize: 1, strides: stride, activation: 'none' }),
          )
        : undefined;
  }

  abstract body(): readonly ConvBnAct[];

  forward(x: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    return residualForward(x, this.body(), this.shortcut, ctx);
  }

  cost(inShape: readonly number[], ctx: ForwardContext): Cost {
    return residualCost(inShape, this.body(), this.shortcut, ctx);
  }
}

/** ResNet-18/34 block: 3×3 (stride) → 3×3. */
export class BasicBlock extends ResidualBlock {
  static readonly expansion = 1;
  readonly conv1: ConvBnAct;
  readonly conv2: ConvBnAct;

  constructor(name: string, build: BuildContext, inChannels: number, planes: number, stride: number) {
    super(name, build, inChannels, planes, stride);
    this.conv1 = this.addModule(
      'conv1',
      new ConvBnAct(`${name}.conv1`, build, { inChannels, outChannels: planes, kernelSize: 3, strides: stride, activation: 'relu' }),
    );
    this.conv2 = this.addModule(
      'conv2',
      new ConvBnAct(`${name}.conv2`, build, { inChannels: planes, outChannels: planes, kernelSize: 3, activation: 'none' }),
    );
  }

  body(): readonly ConvBnAct[] {
    return [this.conv1, this.conv2];
  }
}

/** ResNet-50 v1.5 bottleneck: 1×1 → 3×3 (stride here, not on the first 1×1) → 1×1 (4× planes). */
export class Bottleneck extends ResidualBlock {
  static readonly expansion = 4;
  readonly conv1: ConvBnAct;
  readonly conv2: ConvBnAct;
  readonly conv3: ConvBnAct;

  constructor(name: string, build: BuildContext, inChannels: number, planes: number, stride: number) {
    super(name, build, inChannels, planes * 4, stride);
    this.conv1 = this.addModule(
      'conv1',
      new ConvBnAct(`${name}.conv1`, build, { inChannels, outChannels: planes, kernelSize: 1, activation: 'relu' }),
    );
    this.conv2 = this.addModule(
      'conv2',
      new ConvBnAct(`${name}.conv2`, build, {
        inChannels: planes,
        outChannels: planes,
        kernelSize: 3,
        strides: stride,
        activation: 'relu',
      }),
    );
    this.conv3 = this.addModule(
      'conv3',
      new ConvBnAct(`${name}.conv3`, build, { inChannels: planes, outChannels: planes * 4, kernelSize: 1, activation: 'none' }),
    );
  }

  body(): readonly ConvBnAct[] {
    return [this.conv1, this.conv2, this.conv3];
  }
}
