import { type Cost, type ForwardContext, Module, sequentialCost } from '@adaptnet/core';
import * as tf from '@tensorflow/tfjs-core';

/** Modules applied one after another (e.g. a stem's conv and max pool, so they form one feature step). */
export class Sequential extends Module {
  readonly steps: readonly Module[];

  constructor(name: string, steps: ReadonlyArray<readonly [localName: string, module: Module]>) {
    super(name);
    this.steps = steps.map(([local, m]) => this.addModule(local, m));
  }

  forward(x: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    return tf.tidy(() => this.steps.reduce((h, m) => m.forward(h, ctx), x));
  }

  cost(inShape: readonly number[], ctx: ForwardContext): Cost {
    return sequentialCost(
      this.steps.map((m) => (s: readonly number[]) => m.cost(s, ctx)),
      inShape,
    );
  }
}
