import { ConfigError, type Cost, type ForwardContext, type LayerCost, Module, type Rng } from '@adaptnet/core';
import { SlimConv2d } from '@adaptnet/slimmable';
import * as tf from '@tensorflow/tfjs-core';

export interface FpnOptions {
  /** Channels of each input stage at the backbone's maximum width (C3, C4, C5). */
  readonly inChannels: readonly number[];
  /** Output channels of every level (fixed, never slim). */
  readonly channels: number;
  /** Extra levels made by stride-2 3×3 convs on top of the last output (P6, P7). */
  readonly extraLevels: number;
  /** The backbone's width range and channel divisor, so the laterals slice their inputs as it does. */
  readonly widthRange: { readonly min: number; readonly max: number };
  readonly divisor: number;
  readonly rng: Rng;
}

/**
 * Feature pyramid (Lin et al. 2017): 1×1 laterals, top-down nearest upsampling and addition, 3×3
 * output convs, then `extraLevels` stride-2 convs. Only the laterals' inputs slim: they read
 * whatever width the backbone runs at and always give `channels` outputs, so the pyramid and the
 * head above it are the same, full-width network for every sub-network (MutualNet).
 */
export class Fpn extends Module {
  readonly laterals: SlimConv2d[];
  readonly outputs: SlimConv2d[];
  readonly extras: SlimConv2d[];
  readonly channels: number;

  constructor(name: string, o: FpnOptions) {
    super(name);
    if (o.inChannels.length === 0) throw new ConfigError(`${name}: needs at least one input stage`);
    if (!Number.isInteger(o.extraLevels) || o.extraLevels < 0 || o.extraLevels > 2) {
      throw new ConfigError(`${name}: extraLevels must be 0, 1 or 2, got ${o.extraLevels}`);
    }
    this.channels = o.channels;
    const fixed = { input: { slim: false }, output: { slim: false } } as const;
    const common = { widthRange: o.widthRange, divisor: o.divisor, rng: o.rng, useBias: true };
    this.laterals = o.inChannels.map((c, i) =>
      this.addModule(
        `lateral${i}`,
        new SlimConv2d(`${name}.lateral${i}`, {
          ...common,
          inChannels: c,
          outChannels: o.channels,
          kernelSize: 1,
          output: { slim: false },
        }),
      ),
    );
    this.outputs = o.inChannels.map((_, i) =>
      this.addModule(
        `output${i}`,
        new SlimConv2d(`${name}.output${i}`, { ...common, ...fixed, inChannels: o.channels, outChannels: o.channels, kernelSize: 3 }),
      ),
    );
    this.extras = Array.from({ length: o.extraLevels }, (_, i) =>
      this.addModule(
        `extra${i}`,
        new SlimConv2d(`${name}.extra${i}`, {
          ...common,
          ...fixed,
          inChannels: o.channels,
          outChannels: o.channels,
          kernelSize: 3,
          strides: 2,
        }),
      ),
    );
  }

  /** Not a single-tensor module: use `forwardLevels`. */
  forward(_x: tf.Tensor, _ctx: ForwardContext): tf.Tensor {
    throw new ConfigError(`${this.name}: an FPN takes several feature maps; call forwardLevels`);
  }

  /** P-levels from the stage features, finest first. The caller disposes them. */
  forwardLevels(features: readonly tf.Tensor[], ctx: ForwardContext): tf.Tensor4D[] {
    if (features.length !== this.laterals.length) {
      throw new ConfigError(`${this.name}: expected ${this.laterals.length} feature maps, got ${features.length}`);
    }
    return tf.tidy(() => {
      const lat = features.map((f, i) => (this.laterals[i] as SlimConv2d).forward(f, ctx) as tf.Tensor4D);
      const merged: tf.Tensor4D[] = new Array(lat.length);
      let top = lat[lat.length - 1] as tf.Tensor4D;
      merged[lat.length - 1] = top;
      for (let i = lat.length - 2; i >= 0; i--) {
        const l = lat[i] as tf.Tensor4D;
        top = tf.add(l, tf.image.resizeNearestNeighbor(top, [l.shape[1], l.shape[2]]));
        merged[i] = top;
      }
      const outs = merged.map((m, i) => (this.outputs[i] as SlimConv2d).forward(m, ctx) as tf.Tensor4D);
      let last = outs[outs.length - 1] as tf.Tensor4D;
      this.extras.forEach((conv, i) => {
        last = conv.forward(i === 0 ? last : tf.relu(last), ctx) as tf.Tensor4D;
        outs.push(last);
      });
      return outs;
    });
  }

  /** Cost and output shape of every level from the stage shapes. */
  levelCosts(stageShapes: readonly (readonly number[])[], ctx: ForwardContext): { layers: LayerCost[]; shapes: number[][] } {
    const layers: LayerCost[] = [];
    const add = (c: Cost): readonly number[] => {
      layers.push(...c.layers);
      return c.outShape;
    };
    const shapes = stageShapes.map((s, i) => [
      ...add((this.outputs[i] as SlimConv2d).cost(add((this.laterals[i] as SlimConv2d).cost(s, ctx)), ctx)),
    ]);
    let last = shapes[shapes.length - 1] as number[];
    for (const conv of this.extras) {
      last = [...add(conv.cost(last, ctx))];
      shapes.push(last);
    }
    return { layers, shapes };
  }

  cost(_inShape: readonly number[], _ctx: ForwardContext): Cost {
    throw new ConfigError(`${this.name}: an FPN takes several feature maps; call levelCosts`);
  }
}
