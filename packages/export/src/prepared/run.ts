import { resizedSide } from '@adaptnet/backbones';
import { ADAPTNET_KERNELS } from '@adaptnet/kernel-names';
import * as tf from '@tensorflow/tfjs-core';
import { wholeNetPlan } from './plan.js';
import type { PreparedPad, PreparedStep } from './steps.js';

/** Maps an input to a new output tensor; never disposes its input. */
export type Runner = (x: tf.Tensor) => tf.Tensor;

type Inputs = tf.NamedTensorMap;
type Attrs = tf.NamedAttrMap;

const ACTIVATION = { relu: 'relu', relu6: 'relu6', none: 'linear' } as const;

/**
 * One registered kernel, called on the engine directly: the op wrappers (`tf.fused.conv2d`, ...)
 * re-validate shapes, convert arguments and wrap the call in `customGrad` for gradients on every
 * call; an inference step needs none of that, and its attributes are built once, at preparation.
 */
function kernel(name: string, inputs: Inputs, attrs: Attrs): tf.Tensor {
  return tf.engine().runKernel(name, inputs, attrs) as tf.Tensor;
}

function convPad(p: number): PreparedPad {
  return p === 0
    ? 'valid'
    : [
        [0, 0],
        [p, p],
        [p, p],
        [0, 0],
      ];
}

/** Runs `steps` in order, freeing each intermediate as soon as the next step has consumed it. */
function chain(runners: readonly Runner[]): Runner {
  if (runners.length === 1) return runners[0] as Runner;
  return (x) => {
    let h = x;
    for (const run of runners) {
      const y = run(h);
      if (h !== x) h.dispose();
      h = y;
    }
    return h === x ? tf.clone(x) : h;
  };
}

/**
 * A residual block whose body ends in a plain convolution (no activation), as one kernel call less
 * per block: the body's last conv, bias, the shortcut's sum and the ReLU in one
 * AdaptNetFusedConv2DAdd (one oneDNN primitive on native). Null when the body does not end so.
 */
function fusedResidual(body: readonly PreparedStep[], shortcut: Runner | null, relu: boolean): Runner | null {
  const last = body.at(-1);
  if (last?.kind !== 'conv' || last.depthwise || last.activation !== 'none') return null;
  const head = body.length > 1 ? chain(body.slice(0, -1).map(stepRunner)) : null;
  const { filter, bias } = last;
  const attrs = {
    strides: [last.strides, last.strides],
    pad: convPad(last.padding),
    dataFormat: 'NHWC',
    dilations: [1, 1],
    activation: relu ? 'relu' : 'linear',
  } as unknown as Attrs;
  return (x) => {
    const h = head ? head(x) : x;
    const skip = shortcut ? shortcut(x) : x;
    const y = kernel(ADAPTNET_KERNELS.fusedConv2DAdd, { x: h, filter, bias, add: skip }, attrs);
    if (h !== x) h.dispose();
    if (skip !== x) skip.dispose();
    return y;
  };
}

function stepRunner(step: PreparedStep): Runner {
  switch (step.kind) {
    case 'conv': {
      const { filter, bias } = step;
      const pad = convPad(step.padding);
      const activation = ACTIVATION[step.activation];
      if (step.depthwise) {
        const attrs = { strides: [step.strides, step.strides], pad, dataFormat: 'NHWC', dilations: [1, 1], activation } as unknown as Attrs;
        return (x) => kernel('FusedDepthwiseConv2D', { x, filter, bias }, attrs);
      }
      const attrs = { strides: [step.strides, step.strides], pad, dataFormat: 'NHWC', dilations: [1, 1], activation } as unknown as Attrs;
      return (x) => kernel('FusedConv2D', { x, filter, bias }, attrs);
    }
    case 'residual': {
      const body = chain(step.body.map(stepRunner));
      const shortcut = step.shortcut ? chain(step.shortcut.map(stepRunner)) : null;
      const relu = step.relu;
      const fused = fusedResidual(step.body, shortcut, relu);
      return (x) => {
        if (fused && tf.getKernel(ADAPTNET_KERNELS.fusedConv2DAdd, tf.getBackend())) return fused(x);
        const main = body(x);
        const skip = shortcut ? shortcut(x) : x;
        const sum = kernel('Add', { a: main, b: skip }, {});
        main.dispose();
        if (skip !== x) skip.dispose();
        if (!relu) return sum;
        const y = kernel('Relu', { x: sum }, {});
        sum.dispose();
        return y;
      };
    }
    case 'shuffle': {
      const branch1 = step.branch1.length > 0 ? chain(step.branch1.map(stepRunner)) : null;
      const branch2 = chain(step.branch2.map(stepRunner));
      const split = step.split;
      return (x) => {
        const c = x.shape[3] as number;
        let a: tf.Tensor;
        let b: tf.Tensor;
        if (split) {
          const [left, right] = tf.engine().runKernel('SplitV', { x }, { numOrSizeSplits: [c / 2, c / 2], axis: 3 }) as tf.Tensor[];
          a = left as tf.Tensor;
          b = branch2(right as tf.Tensor);
          (right as tf.Tensor).dispose();
        } else {
          a = (branch1 as Runner)(x);
          b = branch2(x);
        }
        // Channel shuffle with 2 groups: stack on a new last axis, then merge it into the channels.
        const [n, h, w, k] = a.shape as [number, number, number, number];
        const stacked = tf.engine().runKernel('Pack', [a, b] as unknown as Inputs, { axis: 4 }) as tf.Tensor;
        a.dispose();
        b.dispose();
        const y = kernel('Reshape', { x: stacked }, { shape: [n, h, w, 2 * k] });
        stacked.dispose();
        return y;
      };
    }
    case 'maxpool': {
      const attrs = { filterSize: [step.k, step.k], strides: [step.s, step.s], pad: step.p } as unknown as Attrs;
      return (x) => kernel('MaxPool', { x }, attrs);
    }
    case 'resize': {
      const scale = step.scale;
      return (x) => {
        const size = [resizedSide(x.shape[1] as number, scale), resizedSide(x.shape[2] as number, scale)];
        // PyTorch `interpolate(mode='bilinear', align_corners=False)` = half-pixel centres.
        return kernel('ResizeBilinear', { images: x }, { alignCorners: false, halfPixelCenters: true, size });
      };
    }
    case 'global-avg-pool': {
      const attrs = { axis: [1, 2], keepDims: false } as unknown as Attrs;
      return (x) => kernel('Mean', { x }, attrs);
    }
    case 'dense': {
      const { kernel: b, bias, outUnits } = step;
      const attrs = { transposeA: false, transposeB: false, activation: 'linear' } as unknown as Attrs;
      return (x) => {
        // The fused matMul kernels take batched (rank-3) operands: [1, N, in] × [1, in, out].
        const n = x.shape[0] as number;
        const a = kernel('Reshape', { x }, { shape: [1, n, x.shape[1] as number] });
        const y3 = kernel('_FusedMatMul', { a, b, bias }, attrs);
        a.dispose();
        const y = kernel('Reshape', { x: y3 }, { shape: [n, outUnits] });
        y3.dispose();
        return y;
      };
    }
  }
}

/**
 * The forward function of a list of prepared steps. With `wholeNet` (default), where the backend
 * has AdaptNetRunPlan (native) and every step has a plan op, the whole subnet is that one kernel
 * call; otherwise one kernel per layer.
 */
export function compileRunner(steps: readonly PreparedStep[], wholeNet = true): Runner {
  const perLayer = chain(steps.map(stepRunner));
  const planned = wholeNet ? wholeNetPlan(steps) : null;
  if (planned === null) return perLayer;
  const { plan, weights } = planned;
  const attrs = { plan } as unknown as Attrs;
  // One inputs object for every call, `x` swapped in: a fresh `{ ...weights, x }` of 30–60 keys
  // falls into V8's dictionary mode and cost ~8 µs per forward, a quarter of the main job's
  // smallest configuration. The engine keeps `inputs` only on a gradient tape, and this kernel
  // has no gradient.
  const inputs: Inputs = { x: weights.w0 as tf.Tensor, ...weights };
  // Whether the current backend has the plan kernel, looked up once per backend (a registry
  // lookup by a string key, ~0.4 µs; the engine makes one more per call).
  let backend = '';
  let hasPlan = false;
  return (x) => {
    const current = tf.getBackend();
    if (current !== backend) {
      backend = current;
      hasPlan = tf.getKernel(ADAPTNET_KERNELS.runPlan, current) !== undefined;
    }
    if (!hasPlan) return perLayer(x);
    inputs.x = x;
    try {
      return kernel(ADAPTNET_KERNELS.runPlan, inputs, attrs);
    } finally {
      inputs.x = weights.w0 as tf.Tensor;
    }
  };
}
