import { type Cost, type ForwardContext, Module, sequentialCost } from '@adaptnet/core';
import { SlimConv3d, type SlimInputSide, type SlimSide } from '@adaptnet/slimmable';
import * as tf from '@tensorflow/tfjs-core';
import type { BuildContext } from '../layers/build-options.js';
import { residualCost, residualForward, sumCosts } from '../layers/residual.js';
import { ActivationLayer, ConvBnAct3d, type ConvBnAct3dOptions, GlobalAvgPool3d } from './layers.js';

/**
 * Residual sum then ReLU; the shortcut is a 1×1×1 conv (spatial stride) + BN when the shape
 * changes (PySlowFast's `branch1`). `input` describes the block's input channels, e.g. the fixed
 * tail of fused Fast-pathway channels, for both the first conv and the shortcut.
 */
abstract class ResidualBlock3d extends Module {
  protected readonly shortcut: ConvBnAct3d | undefined;

  constructor(
    name: string,
    build: BuildContext,
    inChannels: number,
    outChannels: number,
    stride: number,
    input: SlimInputSide,
    output: SlimSide = {},
  ) {
    super(name);
    this.shortcut =
      stride !== 1 || inChannels !== outChannels
        ? this.convBnAct('shortcut', build, {
            inChannels,
            outChannels,
            kernel: [1, 1, 1],
            strides: [1, stride, stride],
            input,
            output,
            activation: 'none',
          })
        : undefined;
  }

  /** Registers a ConvBnAct3d child named `<block>.<key>`. */
  protected convBnAct(key: string, build: BuildContext, options: ConvBnAct3dOptions): ConvBnAct3d {
    return this.addModule(key, new ConvBnAct3d(`${this.name}.${key}`, build, options));
  }

  protected abstract body(): readonly Module[];

  forward(x: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    return residualForward(x, this.body(), this.shortcut, ctx);
  }

  cost(inShape: readonly number[], ctx: ForwardContext): Cost {
    return residualCost(inShape, this.body(), this.shortcut, ctx);
  }
}

export interface Bottleneck3dOptions {
  readonly inChannels: number;
  readonly innerChannels: number;
  readonly outChannels: number;
  /** Temporal kernel of the first 1×1 conv (1 or 3 in the Slow pathway, 3 in the Fast one). */
  readonly temporalKernel: number;
  /** Spatial stride, on the 3×3 conv. */
  readonly stride: number;
  readonly input?: SlimInputSide;
  /** Never slims (SlowFast's Fast pathway): every conv runs at full width. Default false. */
  readonly fixedWidth?: boolean;
}

/**
 * ResNet-50 3D bottleneck of SlowFast: kt×1×1 → 1×3×3 (spatial stride) → 1×1×1, ReLU after the
 * first two and after the residual sum.
 */
export class Bottleneck3d extends ResidualBlock3d {
  readonly a: ConvBnAct3d;
  readonly b: ConvBnAct3d;
  readonly c: ConvBnAct3d;

  constructor(name: string, build: BuildContext, o: Bottleneck3dOptions) {
    const fixed = o.fixedWidth ? { slim: false } : {};
    const input = o.fixedWidth ? fixed : (o.input ?? {});
    super(name, build, o.inChannels, o.outChannels, o.stride, input, fixed);
    this.a = this.convBnAct('a', build, {
      inChannels: o.inChannels,
      outChannels: o.innerChannels,
      kernel: [o.temporalKernel, 1, 1],
      input,
      output: fixed,
      activation: 'relu',
    });
    this.b = this.convBnAct('b', build, {
      inChannels: o.innerChannels,
      outChannels: o.innerChannels,
      kernel: [1, 3, 3],
      strides: [1, o.stride, o.stride],
      input: fixed,
      output: fixed,
      activation: 'relu',
    });
    this.c = this.convBnAct('c', build, {
      inChannels: o.innerChannels,
      outChannels: o.outChannels,
      kernel: [1, 1, 1],
      input: fixed,
      output: fixed,
      activation: 'none',
    });
  }

  protected body(): readonly Module[] {
    return [this.a, this.b, this.c];
  }
}

/**
 * Squeeze-and-excitation on NTHWC: global average → 1×1×1 conv (bias) → ReLU → 1×1×1 conv (bias)
 * → sigmoid, which scales the input's channels. The hidden width slims with the block.
 */
export class SqueezeExcite3d extends Module {
  readonly pool: GlobalAvgPool3d;
  readonly fc1: SlimConv3d;
  readonly fc2: SlimConv3d;

  constructor(name: string, build: BuildContext, channels: number, hidden: number) {
    super(name);
    const common = { kernelSize: 1, padding: 0, useBias: true, widthRange: build.widthRange, divisor: build.divisor, rng: build.rng };
    this.pool = this.addModule('pool', new GlobalAvgPool3d(`${name}.pool`));
    this.fc1 = this.addModule('fc1', new SlimConv3d(`${name}.fc1`, { ...common, inChannels: channels, outChannels: hidden }));
    this.fc2 = this.addModule('fc2', new SlimConv3d(`${name}.fc2`, { ...common, inChannels: hidden, outChannels: channels }));
  }

  forward(x: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    return tf.tidy(() => {
      const [n, , , , c] = x.shape as number[];
      const s = tf.reshape(this.pool.forward(x, ctx), [n as number, 1, 1, 1, c as number]);
      const gate = tf.sigmoid(this.fc2.forward(tf.relu(this.fc1.forward(s, ctx)), ctx));
      return tf.mul(x, gate);
    });
  }

  cost(inShape: readonly number[], ctx: ForwardContext): Cost {
    const pooled = this.pool.cost(inShape, ctx);
    const [n, c] = pooled.outShape as [number, number];
    const fcs = sequentialCost([(s) => this.fc1.cost(s, ctx), (s) => this.fc2.cost(s, ctx)], [n, 1, 1, 1, c]);
    return { ...sumCosts(pooled, fcs), outShape: inShape };
  }
}

export interface X3dBlockOptions {
  readonly inChannels: number;
  readonly innerChannels: number;
  readonly outChannels: number;
  readonly stride: number;
  /** SE hidden channels; 0 for no SE. */
  readonly seChannels: number;
}

/**
 * X3D bottleneck (X3D paper Fig./Table 1, PySlowFast `X3DTransform`): 1×1×1 (ReLU) → channel-wise
 * 3×3×3 (spatial stride) → BN → SE (every other block) → Swish → 1×1×1 (linear), residual + ReLU.
 */
export class X3dBlock extends ResidualBlock3d {
  readonly a: ConvBnAct3d;
  readonly b: ConvBnAct3d;
  readonly se: SqueezeExcite3d | undefined;
  readonly c: ConvBnAct3d;
  private readonly swish: Module;

  constructor(name: string, build: BuildContext, o: X3dBlockOptions) {
    super(name, build, o.inChannels, o.outChannels, o.stride, {});
    this.a = this.convBnAct('a', build, {
      inChannels: o.inChannels,
      outChannels: o.innerChannels,
      kernel: [1, 1, 1],
      activation: 'relu',
    });
    this.b = this.convBnAct('b', build, {
      inChannels: o.innerChannels,
      outChannels: o.innerChannels,
      kernel: [3, 3, 3],
      strides: [1, o.stride, o.stride],
      depthwise: true,
      activation: 'none',
    });
    this.se = o.seChannels > 0 ? this.addModule('se', new SqueezeExcite3d(`${name}.se`, build, o.innerChannels, o.seChannels)) : undefined;
    this.swish = new ActivationLayer(`${name}.swish`, 'swish');
    this.c = this.convBnAct('c', build, {
      inChannels: o.innerChannels,
      outChannels: o.outChannels,
      kernel: [1, 1, 1],
      activation: 'none',
    });
  }

  protected body(): readonly Module[] {
    return [this.a, this.b, ...(this.se ? [this.se] : []), this.swish, this.c];
  }
}
