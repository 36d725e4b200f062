import * as tf from '@tensorflow/tfjs-core';
import { type SgdStepOptions, sgdStep } from '../../core/src/index.js';

/** SGD momentum 0.9, lr 0.05, as the PyTorch side of the train-step benchmarks. */
export const BENCH_SGD: SgdStepOptions = { lr: 0.05, momentum: 0.9, nesterov: false, weightDecay: 0 };

/**
 * A cross-entropy train step whose update is core's fused sgdStep (one kernel per variable); the
 * loss is read back each step, as in a loop that logs it.
 */
export function fusedSgdTrainer<X extends tf.Tensor>(net: {
  readonly variables: tf.Variable[];
  forward(x: X): tf.Tensor2D;
}): { step: (x: X, y: tf.Tensor2D) => void; dispose: () => void } {
  const velocities = net.variables.map((v) => tf.variable(tf.zerosLike(v), false));
  return {
    step: (x, y) => {
      const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, net.forward(x)) as tf.Scalar, net.variables);
      net.variables.forEach((v, i) => {
        const vel = velocities[i] as tf.Variable;
        const r = sgdStep(v, grads[v.name] as tf.Tensor, vel, BENCH_SGD);
        v.assign(r.param);
        vel.assign(r.velocity);
        tf.dispose([r.param, r.velocity]);
      });
      value.dataSync();
      tf.dispose([value, ...Object.values(grads)]);
    },
    dispose: () => tf.dispose(velocities),
  };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}
