import type { Cost, ForwardContext, Module } from '@adaptnet/core';
import { sequentialCost } from '@adaptnet/core';
import * as tf from '@tensorflow/tfjs-core';

/** Two costs side by side (e.g. a residual body and its shortcut): MACs, params and layers add; `a`'s output shape. */
export function sumCosts(a: Cost, b: Cost): Cost {
  return { macs: a.macs + b.macs, params: a.params + b.params, outShape: a.outShape, layers: [...a.layers, ...b.layers] };
}

/** relu(body(x) + shortcut(x)), the shortcut being the identity when absent. */
export function residualForward(x: tf.Tensor, body: readonly Module[], shortcut: Module | undefined, ctx: ForwardContext): tf.Tensor {
  return tf.tidy(() => {
    let h = x;
    for (const m of body) h = m.forward(h, ctx);
    const skip = shortcut ? shortcut.forward(x, ctx) : x;
    return tf.relu(tf.add(h, skip));
  });
}

/** The cost of `residualForward`: the body in sequence plus the shortcut's. */
export function residualCost(inShape: readonly number[], body: readonly Module[], shortcut: Module | undefined, ctx: ForwardContext): Cost {
  const main = sequentialCost(
    body.map((m) => (s: readonly number[]) => m.cost(s, ctx)),
    inShape,
  );
  return shortcut ? sumCosts(main, shortcut.cost(inShape, ctx)) : main;
}
