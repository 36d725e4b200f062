import { ADAPTNET_KERNELS } from '@adaptnet/kernel-names';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Channel-wise (depthwise, multiplier 1) 3D convolution, which tfjs lacks (its conv3d has no
 * groups). A backend may register the kernel triple (@adaptnet/backend-native does, on oneDNN):
 *   AdaptNetDepthwiseConv3D                inputs {x, filter}, attrs → y
 *   AdaptNetDepthwiseConv3DBackpropInput   inputs {dy, filter}, attrs + {inputShape} → dx
 *   AdaptNetDepthwiseConv3DBackpropFilter  inputs {x, dy}, attrs + {filterShape} → dfilter
 * with attrs {strides: [sd, sh, sw], pads: [[front, back], [top, bottom], [left, right]]}, x NDHWC
 * [n, d, h, w, c] and filter [kd, kh, kw, c, 1]. Elsewhere `depthwiseConv3d` composes it.
 */
export const DEPTHWISE_CONV3D_KERNEL = ADAPTNET_KERNELS.depthwiseConv3d;
export const DEPTHWISE_CONV3D_INPUT_GRAD_KERNEL = ADAPTNET_KERNELS.depthwiseConv3dBackpropInput;
export const DEPTHWISE_CONV3D_FILTER_GRAD_KERNEL = ADAPTNET_KERNELS.depthwiseConv3dBackpropFilter;

export type Pads3d = readonly [readonly [number, number], readonly [number, number], readonly [number, number]];

export interface DepthwiseConv3dAttrs {
  strides: [number, number, number];
  pads: [[number, number], [number, number], [number, number]];
}

tf.registerGradient({
  kernelName: DEPTHWISE_CONV3D_KERNEL,
  inputsToSave: ['x', 'filter'],
  gradFunc: (dy, saved, attrs) => {
    const [x, filter] = saved as [tf.Tensor5D, tf.Tensor5D];
    const a = attrs as unknown as DepthwiseConv3dAttrs;
    const g = dy as tf.Tensor5D;
    const e = tf.engine();
    return {
      x: () => e.runKernel(DEPTHWISE_CONV3D_INPUT_GRAD_KERNEL, { dy: g, filter }, { ...a, inputShape: x.shape } as never) as tf.Tensor,
      filter: () =>
        e.runKernel(DEPTHWISE_CONV3D_FILTER_GRAD_KERNEL, { x, dy: g }, { ...a, filterShape: filter.shape } as never) as tf.Tensor,
    };
  },
});

/** TF 'same' padding of one axis: [before, after]. */
export function samePads3d(inSize: number, k: number, stride: number): [number, number] {
  const total = Math.max(0, (Math.ceil(inSize / stride) - 1) * stride + k - inSize);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

function hasNativeKernels(): boolean {
  const b = tf.getBackend();
  return [DEPTHWISE_CONV3D_KERNEL, DEPTHWISE_CONV3D_INPUT_GRAD_KERNEL, DEPTHWISE_CONV3D_FILTER_GRAD_KERNEL].every(
    (k) => tf.getKernel(k, b) !== undefined,
  );
}

/**
 * The composed form: a sum over the kd temporal taps of depthwise 2D convolutions on the frames each
 * tap reads (frames folded into the batch), so kd depthwise passes instead of a dense C×C kernel.
 */
function composed(x: tf.Tensor5D, filter: tf.Tensor5D, strides: [number, number, number], pads: Pads3d): tf.Tensor5D {
  return tf.tidy(() => {
    const [n] = x.shape;
    const [kd, kh, kw, c] = filter.shape;
    const [sd, sh, sw] = strides;
    const padded = pads.some(([a, b]) => a > 0 || b > 0)
      ? tf.pad(x, [[0, 0], ...pads.map((p): [number, number] => [p[0], p[1]]), [0, 0]])
      : x;
    const [, dp, hp, wp] = padded.shape as [number, number, number, number, number];
    const od = Math.floor((dp - kd) / sd) + 1;
    const taps: tf.Tensor[] = [];
    for (let a = 0; a < kd; a++) {
      // gather, not stridedSlice: tfjs has no StridedSlice gradient.
      const frames =
        sd === 1
          ? tf.slice(padded, [0, a, 0, 0, 0], [n, od, hp, wp, c])
          : tf.gather(
              padded,
              Array.from({ length: od }, (_, t) => a + sd * t),
              1,
            );
      const tapKernel = tf.reshape(tf.slice(filter, [a, 0, 0, 0, 0], [1, kh, kw, c, 1]), [kh, kw, c, 1]);
      taps.push(tf.depthwiseConv2d(tf.reshape(frames, [n * od, hp, wp, c]) as tf.Tensor4D, tapKernel as tf.Tensor4D, [sh, sw], 'valid'));
    }
    const sum = taps.length === 1 ? (taps[0] as tf.Tensor) : tf.addN(taps);
    const [, oh, ow] = sum.shape as [number, number, number, number];
    return tf.reshape(sum, [n, od, oh, ow, c]) as tf.Tensor5D;
  });
}

/**
 * Channel-wise 3D convolution: x [n, d, h, w, c], filter [kd, kh, kw, c, 1], explicit zero padding
 * per axis. Runs the backend's AdaptNetDepthwiseConv3D kernel where registered, else composes it
 * from depthwise 2D convolutions (same values, slower).
 */
export function depthwiseConv3d(x: tf.Tensor5D, filter: tf.Tensor5D, strides: [number, number, number], pads: Pads3d): tf.Tensor5D {
  if (x.rank !== 5 || filter.rank !== 5 || filter.shape[3] !== x.shape[4] || filter.shape[4] !== 1) {
    throw new Error(
      `depthwiseConv3d: x must be [n, d, h, w, c] and filter [kd, kh, kw, c, 1], got x ${JSON.stringify(x.shape)}, filter ${JSON.stringify(filter.shape)}`,
    );
  }
  if (!hasNativeKernels() || x.dtype !== 'float32') return composed(x, filter, strides, pads);
  const attrs: DepthwiseConv3dAttrs = { strides: [...strides], pads: pads.map((p) => [p[0], p[1]]) as DepthwiseConv3dAttrs['pads'] };
  return tf.engine().runKernel(DEPTHWISE_CONV3D_KERNEL, { x, filter }, attrs as never) as tf.Tensor5D;
}
