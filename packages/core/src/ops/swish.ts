import { ADAPTNET_KERNELS } from '@adaptnet/kernel-names';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Swish (SiLU) x·σ(x). A backend may register (@adaptnet/backend-native does)
 *   AdaptNetSwish       inputs {x} → x·σ(x)
 *   AdaptNetSwishGrad   inputs {dy, x} → dy·σ(x)·(1 + x·(1 − σ(x)))
 * and then runs it in one pass each way; elsewhere `swish` composes Sigmoid and Multiply (and
 * autodiff their gradients), the same function.
 */
export const SWISH_KERNEL = ADAPTNET_KERNELS.swish;
export const SWISH_GRAD_KERNEL = ADAPTNET_KERNELS.swishGrad;

/** dy·σ(x)·(1 + x·(1 − σ(x))) from composed ops, for a backend with the forward kernel only. */
function composedGrad(dy: tf.Tensor, x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const s = tf.sigmoid(x);
    return tf.mul(dy, tf.mul(s, tf.add(1, tf.mul(x, tf.sub(1, s)))));
  });
}

tf.registerGradient({
  kernelName: SWISH_KERNEL,
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const [x] = saved as [tf.Tensor];
    const g = dy as tf.Tensor;
    return {
      x: () =>
        tf.getKernel(SWISH_GRAD_KERNEL, tf.getBackend()) !== undefined
          ? (tf.engine().runKernel(SWISH_GRAD_KERNEL, { dy: g, x }) as tf.Tensor)
          : composedGrad(g, x),
    };
  },
});

/** x·σ(x), elementwise (float32). */
export function swish<T extends tf.Tensor>(x: T): T {
  if (x.dtype === 'float32' && tf.getKernel(SWISH_KERNEL, tf.getBackend()) !== undefined)
    return tf.engine().runKernel(SWISH_KERNEL, { x }) as T;
  return tf.tidy(() => tf.mul(x, tf.sigmoid(x))) as T;
}
