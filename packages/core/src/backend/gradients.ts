import * as tf from '@tensorflow/tfjs-core';
import { BackendError } from '../errors.js';
import { installReluGradients } from '../ops/relu-grad.js';

const PROBE_KERNELS = ['Conv2D', 'DepthwiseConv2dNative', 'FusedBatchNorm', 'Sum', 'BatchMatMul'] as const;

/** True when tfjs's gradients are registered with this tfjs-core instance. */
export function gradientsRegistered(): boolean {
  return PROBE_KERNELS.every((kernel) => tf.getGradient(kernel) !== undefined);
}

/**
 * Wraps the Relu/Relu6 gradients with AdaptNet's one-pass kernel; call after tfjs's gradients are
 * registered (idempotent). `@adaptnet/core/node` does this for you.
 */
export function installAdaptNetGradients(): void {
  installReluGradients();
}

/** Throws a named error when autodiff would fail because no gradients are registered. */
export function assertGradientsRegistered(): void {
  const missing = PROBE_KERNELS.find((kernel) => !tf.getGradient(kernel));
  if (missing === undefined) return;
  throw new BackendError(
    `no gradient registered for ${missing} (tfjs-core ${tf.version_core}): in Node import '@adaptnet/core/node' with @tensorflow/tfjs installed; in a browser bundle import '@adaptnet/core/gradients' (tfjs-core's own registrations)`,
  );
}
