import { ConfigRangeError, type Cost, type ForwardContext, leafCost, Module, ShapeError } from '@adaptnet/core';
import * as tf from '@tensorflow/tfjs-core';

/** Output side for a scale factor: ⌊h · s⌋ as PyTorch's `interpolate(scale_factor=s)`, at least 1. */
export function resizedSide(h: number, scale: number): number {
  return Math.max(1, Math.floor(h * scale + 1e-9));
}

/**
 * Resizable networks (§3.1, A.1): bilinear resize of the feature map by `ctx.config.scales[stage]`
 * (no `scales`: factor 1, the plain network). 0 MACs, no parameters.
 */
export class FeatureResize extends Module {
  readonly stage: number;

  constructor(name: string, stage: number) {
    super(name);
    this.stage = stage;
  }

  scale(ctx: ForwardContext): number {
    const scales = ctx.config.scales;
    if (scales === undefined) return 1;
    const s = scales[this.stage];
    if (s === undefined || !Number.isFinite(s) || s <= 0) {
      throw new ConfigRangeError(
        `${this.name}: config.scales[${this.stage}] must be a number > 0, got ${String(s)} (scales [${scales.join(', ')}])`,
      );
    }
    return s;
  }

  private outShape(shape: readonly number[], ctx: ForwardContext): [number, number, number, number] {
    if (shape.length !== 4) throw new ShapeError(`${this.name}: input must be rank 4 (NHWC), got shape [${shape.join(', ')}]`);
    const [n, h, w, c] = shape as [number, number, number, number];
    const s = this.scale(ctx);
    return [n, resizedSide(h, s), resizedSide(w, s), c];
  }

  forward(x: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    const [, oh, ow] = this.outShape(x.shape, ctx);
    if (oh === x.shape[1] && ow === x.shape[2]) return tf.clone(x);
    // PyTorch `interpolate(mode='bilinear', align_corners=False)` = half-pixel centres.
    return tf.image.resizeBilinear(x as tf.Tensor4D, [oh, ow], false, true);
  }

  cost(inShape: readonly number[], ctx: ForwardContext): Cost {
    return leafCost({ name: this.name, kind: 'resize', macs: 0, params: 0, outShape: this.outShape(inShape, ctx) });
  }
}
