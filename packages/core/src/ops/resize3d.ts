import * as tf from '@tensorflow/tfjs-core';

/**
 * Trilinear resize of NDHWC clips to [t, h, w] (TF's alignCorners / halfPixelCenters conventions on
 * every axis), for temporal resampling (SlowFast fusion to the slow pathway's current T×H×W).
 * Linear interpolation is separable, so it is two bilinear resizes: along T on [n, T, H·W, C] (the
 * H·W axis keeps its size, which bilinear reproduces exactly), then along H, W on [n·t, H, W, C].
 * Both and their gradients are ResizeBilinear kernels: native on `native`, filled where tfjs's are
 * wrong. An axis that keeps its size is not touched.
 */
export function resizeTrilinear(
  x: tf.Tensor5D,
  size: readonly [number, number, number],
  alignCorners = false,
  halfPixelCenters = true,
): tf.Tensor5D {
  if (x.rank !== 5 || size.length !== 3 || size.some((v) => !Number.isInteger(v) || v < 1)) {
    throw new Error(
      `resizeTrilinear: x must be [n, d, h, w, c] and size 3 integers >= 1, got x ${JSON.stringify(x.shape)}, size ${JSON.stringify(size)}`,
    );
  }
  const [n, d, h, w, c] = x.shape;
  const [t, oh, ow] = size;
  return tf.tidy(() => {
    let y: tf.Tensor = x;
    if (t !== d) {
      const flat = tf.reshape(y, [n, d, h * w, c]) as tf.Tensor4D;
      y = tf.reshape(tf.image.resizeBilinear(flat, [t, h * w], alignCorners, halfPixelCenters), [n, t, h, w, c]);
    }
    if (oh !== h || ow !== w) {
      const frames = tf.reshape(y, [n * t, h, w, c]) as tf.Tensor4D;
      y = tf.reshape(tf.image.resizeBilinear(frames, [oh, ow], alignCorners, halfPixelCenters), [n, t, oh, ow, c]);
    }
    return y === x ? tf.clone(x) : (y as tf.Tensor5D);
  });
}
