import * as tf from '@tensorflow/tfjs-core';
// tfjs-core's Node build registers no gradients; the union package's Node build registers all of
// them against the same @tensorflow/tfjs-core instance. Imported for that side effect only.
import '@tensorflow/tfjs';
import { BackendError } from '../errors.js';
import { installReluGradients } from '../ops/relu-grad.js';

installReluGradients();

/** Throws when autodiff would fail (e.g. @tensorflow/tfjs resolved to another tfjs-core copy). */
export function assertGradientsRegistered(): void {
  for (const kernel of ['Conv2D', 'DepthwiseConv2dNative', 'FusedBatchNorm', 'Sum', 'BatchMatMul']) {
    if (!tf.getGradient(kernel)) {
      throw new BackendError(
        `no gradient registered for ${kernel}: @tensorflow/tfjs and @tensorflow/tfjs-core must be the same version (found tfjs-core ${tf.version_core})`,
      );
    }
  }
}
