import { type Cost, type ForwardContext, leafCost, Module, ShapeError, sequentialCost } from '@adaptnet/core';
import * as tf from '@tensorflow/tfjs-core';
import type { BuildContext } from '../layers/build-options.js';
import { ConvBnAct3d, ndhwc } from './layers.js';

/** Source frame of output frame i when resampling T frames to `out` (PyTorch `interpolate(mode='nearest')`). */
export function nearestFrames(t: number, out: number): number[] {
  return Array.from({ length: out }, (_, i) => Math.min(t - 1, Math.floor((i * t) / out)));
}

/**
 * Resamples [N, T, H, W, C] to [N, t, h, w, C]: nearest frames in time, bilinear (half-pixel
 * centres, PyTorch `align_corners=False`) in space. Either step is skipped when its size already agrees.
 */
export function resampleClip(x: tf.Tensor, t: number, h: number, w: number): tf.Tensor {
  return tf.tidy(() => {
    const [n, T, H, W, c] = x.shape as [number, number, number, number, number];
    let y = T === t ? x : tf.gather(x, tf.tensor1d(nearestFrames(T, t), 'int32'), 1);
    if (H !== h || W !== w) {
      const folded = tf.reshape(y, [n * t, H, W, c]) as tf.Tensor4D;
      y = tf.reshape(tf.image.resizeBilinear(folded, [h, w], false, true), [n, t, h, w, c]);
    }
    return y === x ? tf.clone(x) : y;
  });
}

export interface AdaptiveFusionOptions {
  /** Fast-pathway channels (βC) at this point. */
  readonly fastChannels: number;
  /** Frame-rate ratio α: the temporal stride of the lateral conv. */
  readonly alpha: number;
  /** Temporal kernel of the lateral conv. Default 5. */
  readonly kernel?: number;
  /** Lateral outputs = ratio · βC. Default 2. */
  readonly ratio?: number;
}

/**
 * MutualNet's adaptive fusion (TPAMI §4.2.2, Fig. 6). The Fast pathway always runs at full
 * width, space and time; the lateral conv (k×1×1, stride α in time, 2βC outputs, BN, ReLU) turns
 * its features into {T, S², 2βC}, which are then resampled (nearest in time, bilinear in space) to
 * the Slow pathway's *current* {γt·T, (γs·S)², ·} and appended as its LAST 2βC channels. The first
 * conv after each fusion reads γw·C + 2βC inputs (`fixedTail` of the slim conv): the tail never slims.
 *
 * `forward`/`cost` alone are the lateral conv on the Fast features; `fuse`/`fuseCost` add the
 * resampling and concatenation (0 MACs).
 */
export class AdaptiveFusion extends Module {
  readonly lateral: ConvBnAct3d;
  /** Channels appended to the Slow pathway (2βC). */
  readonly outChannels: number;

  constructor(name: string, build: BuildContext, o: AdaptiveFusionOptions) {
    super(name);
    const k = o.kernel ?? 5;
    this.outChannels = (o.ratio ?? 2) * o.fastChannels;
    this.lateral = this.addModule(
      'lateral',
      new ConvBnAct3d(`${name}.lateral`, build, {
        inChannels: o.fastChannels,
        outChannels: this.outChannels,
        kernel: [k, 1, 1],
        strides: [o.alpha, 1, 1],
        input: { slim: false },
        output: { slim: false },
        activation: 'relu',
      }),
    );
  }

  forward(fast: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    return this.lateral.forward(fast, ctx);
  }

  cost(fastShape: readonly number[], ctx: ForwardContext): Cost {
    return this.lateral.cost(fastShape, ctx);
  }

  /** [slow ++ resample(lateral(fast))] on the channel axis. */
  fuse(slow: tf.Tensor, fast: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    const [, t, h, w] = this.checkBatch(slow.shape, fast.shape);
    return tf.tidy(() => tf.concat([slow, resampleClip(this.forward(fast, ctx), t, h, w)], 4));
  }

  fuseCost(slowShape: readonly number[], fastShape: readonly number[], ctx: ForwardContext): Cost {
    const [n, t, h, w, c] = this.checkBatch(slowShape, fastShape);
    return sequentialCost(
      [
        (s) => this.cost(s, ctx),
        () =>
          leafCost({
            name: `${this.name}.resample-concat`,
            kind: 'resample-concat',
            macs: 0,
            params: 0,
            outShape: [n, t, h, w, c + this.outChannels],
          }),
      ],
      fastShape,
    );
  }

  private checkBatch(slow: readonly number[], fast: readonly number[]): [number, number, number, number, number] {
    const s = ndhwc(this.name, slow);
    const f = ndhwc(this.name, fast);
    if (s[0] !== f[0]) throw new ShapeError(`${this.name}: Slow batch ${s[0]} and Fast batch ${f[0]} differ`);
    return s;
  }
}
