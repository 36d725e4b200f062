import { type Cost, type ForwardContext, leafCost, Module, ShapeError } from '@adaptnet/core';
import * as tf from '@tensorflow/tfjs-core';

function nhwc(name: string, shape: readonly number[]): [number, number, number, number] {
  if (shape.length !== 4) throw new ShapeError(`${name}: input must be rank 4 (NHWC), got shape [${shape.join(', ')}]`);
  return shape as [number, number, number, number];
}

/** Mean over H and W: [N, H, W, C] → [N, C]. Counted as C·H·W multiply-adds (the MutualNet counters' convention). */
export class GlobalAvgPool extends Module {
  forward(x: tf.Tensor, _ctx: ForwardContext): tf.Tensor {
    nhwc(this.name, x.shape);
    return tf.mean(x, [1, 2]);
  }

  cost(inShape: readonly number[], _ctx: ForwardContext): Cost {
    const [n, h, w, c] = nhwc(this.name, inShape);
    return leafCost({ name: this.name, kind: 'global-avg-pool', macs: n * h * w * c, params: 0, outShape: [n, c] });
  }
}

/** Max pooling with explicit symmetric padding (PyTorch's `MaxPool2d(k, s, p)`); 0 MACs. */
export class MaxPool extends Module {
  constructor(
    name: string,
    readonly k: number,
    readonly s: number,
    readonly p: number,
  ) {
    super(name);
  }

  forward(x: tf.Tensor, _ctx: ForwardContext): tf.Tensor {
    nhwc(this.name, x.shape);
    return tf.maxPool(x as tf.Tensor4D, this.k, this.s, this.p);
  }

  cost(inShape: readonly number[], _ctx: ForwardContext): Cost {
    const [n, h, w, c] = nhwc(this.name, inShape);
    const out = (v: number) => Math.floor((v + 2 * this.p - this.k) / this.s) + 1;
    return leafCost({ name: this.name, kind: 'max-pool', macs: 0, params: 0, outShape: [n, out(h), out(w), c] });
  }
}
