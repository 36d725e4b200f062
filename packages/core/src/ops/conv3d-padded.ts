import { ADAPTNET_KERNELS } from '@adaptnet/kernel-names';
import * as tf from '@tensorflow/tfjs-core';
import type { Pads3d } from './depthwise-conv3d.js';

/**
 * 3D convolution with explicit zero padding per axis, which tfjs's conv3d lacks ('same'/'valid'
 * only: explicit pads cost a padded copy of the input, and a slice of its gradient). A backend may
 * register the kernel triple (@adaptnet/backend-native does, on oneDNN):
 *   AdaptNetConv3D                inputs {x, filter}, attrs → y
 *   AdaptNetConv3DBackpropInput   inputs {dy, filter}, attrs + {inputShape} → dx
 *   AdaptNetConv3DBackpropFilter  inputs {x, dy}, attrs + {filterShape} → dfilter
 * with attrs {strides: [sd, sh, sw], pads: [[front, back], [top, bottom], [left, right]]}, x NDHWC
 * and filter [kd, kh, kw, ci, co]. Elsewhere `conv3dPadded` pads, then runs tf.conv3d 'valid'.
 */
export const CONV3D_KERNEL = ADAPTNET_KERNELS.conv3d;
export const CONV3D_INPUT_GRAD_KERNEL = ADAPTNET_KERNELS.conv3dBackpropInput;
export const CONV3D_FILTER_GRAD_KERNEL = ADAPTNET_KERNELS.conv3dBackpropFilter;

interface Attrs {
  strides: [number, number, number];
  pads: [[number, number], [number, number], [number, number]];
}

tf.registerGradient({
  kernelName: CONV3D_KERNEL,
  inputsToSave: ['x', 'filter'],
  gradFunc: (dy, saved, attrs) => {
    const [x, filter] = saved as [tf.Tensor5D, tf.Tensor5D];
    const a = attrs as unknown as Attrs;
    const g = dy as tf.Tensor5D;
    const e = tf.engine();
    return {
      x: () => e.runKernel(CONV3D_INPUT_GRAD_KERNEL, { dy: g, filter }, { ...a, inputShape: x.shape } as never) as tf.Tensor,
      filter: () => e.runKernel(CONV3D_FILTER_GRAD_KERNEL, { x, dy: g }, { ...a, filterShape: filter.shape } as never) as tf.Tensor,
    };
  },
});

function hasNativeKernels(): boolean {
  const b = tf.getBackend();
  return [CONV3D_KERNEL, CONV3D_INPUT_GRAD_KERNEL, CONV3D_FILTER_GRAD_KERNEL].every((k) => tf.getKernel(k, b) !== undefined);
}

/**
 * conv3d of x [n, d, h, w, ci] with filter [kd, kh, kw, ci, co] after zero-padding each spatial axis
 * by pads[i] = [before, after]: one kernel where the backend registers AdaptNetConv3D, else
 * tf.pad + tf.conv3d 'valid' (the same values and gradients).
 */
export function conv3dPadded(x: tf.Tensor5D, filter: tf.Tensor5D, strides: [number, number, number], pads: Pads3d): tf.Tensor5D {
  if (x.rank !== 5 || filter.rank !== 5 || filter.shape[3] !== x.shape[4]) {
    throw new Error(
      `conv3dPadded: x must be [n, d, h, w, ci] and filter [kd, kh, kw, ci, co], got x ${JSON.stringify(x.shape)}, filter ${JSON.stringify(filter.shape)}`,
    );
  }
  if (!hasNativeKernels() || x.dtype !== 'float32') {
    return tf.tidy(() => {
      const padded = pads.some(([a, b]) => a > 0 || b > 0)
        ? tf.pad(x, [[0, 0], ...pads.map((p): [number, number] => [p[0], p[1]]), [0, 0]])
        : x;
      return tf.conv3d(padded as tf.Tensor5D, filter, strides, 'valid');
    });
  }
  const attrs: Attrs = { strides: [...strides], pads: pads.map((p) => [p[0], p[1]]) as Attrs['pads'] };
  return tf.engine().runKernel(CONV3D_KERNEL, { x, filter }, attrs as never) as tf.Tensor5D;
}
