import { type Cost, type ForwardContext, leafCost, Module, ShapeError, sequentialCost, swish } from '@adaptnet/core';
import type { SwitchableBatchNorm } from '@adaptnet/norm';
import { SlimConv3d, SlimDepthwiseConv3d, type SlimInputSide, type SlimSide } from '@adaptnet/slimmable';
import * as tf from '@tensorflow/tfjs-core';
import { newBatchNorm } from '../layers/batch-norm.js';
import type { BuildContext } from '../layers/build-options.js';

/** Activations of the video models: ReLU (ResNets), Swish x·σ(x) (X3D), none. */
export type VideoActivation = 'relu' | 'swish' | 'none';

export function activate3d(x: tf.Tensor, activation: VideoActivation): tf.Tensor {
  if (activation === 'relu') return tf.relu(x);
  if (activation === 'swish') return swish(x);
  return x;
}

export type Triple = readonly [number, number, number];

export function ndhwc(name: string, shape: readonly number[]): [number, number, number, number, number] {
  if (shape.length !== 5) throw new ShapeError(`${name}: input must be rank 5 (NTHWC), got shape [${shape.join(', ')}]`);
  return shape as [number, number, number, number, number];
}

export interface ConvBnAct3dOptions {
  readonly inChannels: number;
  readonly outChannels: number;
  /** [kt, kh, kw]. */
  readonly kernel: Triple;
  /** [st, sh, sw]. Default [1, 1, 1]. */
  readonly strides?: Triple;
  /** Channel-wise (in = out = `outChannels`); `output` then describes its channels. */
  readonly depthwise?: boolean;
  readonly input?: SlimInputSide;
  readonly output?: SlimSide;
  readonly activation: VideoActivation;
}

/**
 * 3D convolution (explicit symmetric padding ⌊k/2⌋ per axis, PyTorch style, no bias) →
 * SwitchableBatchNorm (keyed by the backbone's norm policy) → activation.
 */
export class ConvBnAct3d extends Module {
  readonly conv: SlimConv3d | SlimDepthwiseConv3d;
  readonly bn: SwitchableBatchNorm;
  readonly activation: VideoActivation;

  constructor(name: string, build: BuildContext, options: ConvBnAct3dOptions) {
    super(name);
    const common = {
      kernelSize: options.kernel,
      strides: options.strides ?? ([1, 1, 1] as const),
      padding: options.kernel.map((k) => Math.floor(k / 2)),
      widthRange: build.widthRange,
      divisor: build.divisor,
      rng: build.rng,
    };
    this.conv = this.addModule(
      'conv',
      options.depthwise
        ? new SlimDepthwiseConv3d(`${name}.conv`, { ...common, channels: options.outChannels, channelsSide: options.output ?? {} })
        : new SlimConv3d(`${name}.conv`, {
            ...common,
            inChannels: options.inChannels,
            outChannels: options.outChannels,
            input: options.input ?? {},
            output: options.output ?? {},
          }),
    );
    this.bn = this.addModule('bn', newBatchNorm(`${name}.bn`, build, options.outChannels));
    this.activation = options.activation;
  }

  forward(x: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    return tf.tidy(() => activate3d(this.bn.forward(this.conv.forward(x, ctx), ctx), this.activation));
  }

  cost(inShape: readonly number[], ctx: ForwardContext): Cost {
    return sequentialCost([(s) => this.conv.cost(s, ctx), (s) => this.bn.cost(s, ctx)], inShape);
  }
}

/**
 * Max pooling over H and W only (kernel 1×k×k, stride 1×s×s, padding 0×p×p, PyTorch's
 * `MaxPool3d`): frames are folded into the batch and pooled in 2D. 0 MACs.
 */
export class SpatialMaxPool3d extends Module {
  constructor(
    name: string,
    private readonly k: number,
    private readonly s: number,
    private readonly p: number,
  ) {
    super(name);
  }

  forward(x: tf.Tensor, _ctx: ForwardContext): tf.Tensor {
    const [n, t, h, w, c] = ndhwc(this.name, x.shape);
    const [, , oh, ow] = this.outShape([n, t, h, w, c]) as [number, number, number, number, number];
    return tf.tidy(() => {
      const y = tf.maxPool(tf.reshape(x, [n * t, h, w, c]) as tf.Tensor4D, this.k, this.s, this.p);
      return tf.reshape(y, [n, t, oh, ow, c]);
    });
  }

  private outShape(shape: readonly number[]): number[] {
    const [n, t, h, w, c] = ndhwc(this.name, shape);
    const out = (v: number) => Math.floor((v + 2 * this.p - this.k) / this.s) + 1;
    return [n, t, out(h), out(w), c];
  }

  cost(inShape: readonly number[], _ctx: ForwardContext): Cost {
    ndhwc(this.name, inShape);
    return leafCost({ name: this.name, kind: 'max-pool', macs: 0, params: 0, outShape: this.outShape(inShape) });
  }
}

/** Mean over T, H and W: [N, T, H, W, C] → [N, C]. Counted as C·T·H·W multiply-adds (as the 2D GlobalAvgPool). */
export class GlobalAvgPool3d extends Module {
  forward(x: tf.Tensor, _ctx: ForwardContext): tf.Tensor {
    ndhwc(this.name, x.shape);
    return tf.mean(x, [1, 2, 3]);
  }

  cost(inShape: readonly number[], _ctx: ForwardContext): Cost {
    const [n, t, h, w, c] = ndhwc(this.name, inShape);
    return leafCost({ name: this.name, kind: 'global-avg-pool', macs: n * t * h * w * c, params: 0, outShape: [n, c] });
  }
}

/** An activation as a module (0 MACs, activations are not counted). */
export class ActivationLayer extends Module {
  constructor(
    name: string,
    readonly activation: VideoActivation,
  ) {
    super(name);
  }

  forward(x: tf.Tensor, _ctx: ForwardContext): tf.Tensor {
    return activate3d(x, this.activation);
  }

  cost(inShape: readonly number[], _ctx: ForwardContext): Cost {
    return { macs: 0, params: 0, outShape: inShape, layers: [] };
  }
}
