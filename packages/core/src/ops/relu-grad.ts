import { ADAPTNET_KERNELS } from '@adaptnet/kernel-names';
import * as tf from '@tensorflow/tfjs-core';

/**
 * AdaptNetReluGrad  inputs {dy, x}, attrs {cap} → dy where 0 < x (≤ cap when cap > 0), else 0.
 * A backend that registers it (@adaptnet/backend-native) gets Relu/Relu6 gradients in one pass;
 * every other backend keeps tfjs's own gradient.
 */
export const RELU_GRAD_KERNEL = ADAPTNET_KERNELS.reluGrad;

/** Must run after tfjs's gradients are registered (it wraps them). Idempotent. */
export function installReluGradients(): void {
  for (const [kernelName, cap] of [
    ['Relu', 0],
    ['Relu6', 6],
  ] as const) {
    const original = tf.getGradient(kernelName);
    if (!original || (original as { adaptnet?: boolean }).adaptnet) continue;
    const config: tf.GradConfig & { adaptnet: boolean } = {
      kernelName,
      inputsToSave: ['x'],
      adaptnet: true,
      gradFunc: (dy, saved, attrs) => {
        if (tf.getKernel(RELU_GRAD_KERNEL, tf.getBackend()) === undefined) return original.gradFunc(dy, saved, attrs);
        const [x] = saved as [tf.Tensor];
        return { x: () => tf.engine().runKernel(RELU_GRAD_KERNEL, { dy: dy as tf.Tensor, x }, { cap }) as tf.Tensor };
      },
    };
    tf.registerGradient(config);
  }
}
