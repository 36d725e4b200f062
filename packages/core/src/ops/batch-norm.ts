import { ADAPTNET_KERNELS } from '@adaptnet/kernel-names';
import * as tf from '@tensorflow/tfjs-core';

/** The factor pair a·b = n with a the largest divisor of n not above √n. */
function squarestFactors(n: number): [number, number] {
  for (let a = Math.floor(Math.sqrt(n)); a > 1; a--) if (n % a === 0) return [a, n / a];
  return [1, n];
}

/**
 * Sum over every axis but the last: [..., C] -> [C]. On wasm, ONE average pool over the whole
 * (folded) map times its size: wasm's `sum` over leading axes transposes first, and a ones-row
 * matMul makes XNNPACK repack the data as GEMM weights on every call; pooling needs neither.
 */
export function sumLeading(x: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => {
    const c = x.shape[x.rank - 1] as number;
    const n = x.size / c;
    // Backends with a direct leading-axis reduction (native) do better without the pooling detour.
    if (tf.getBackend() !== 'wasm') return tf.sum(tf.reshape(x, [n, c]), 0) as tf.Tensor1D;
    const [a, b] = squarestFactors(n);
    const pooled = tf.avgPool(tf.reshape(x, [1, a, b, c]) as tf.Tensor4D, [a, b], 1, 'valid');
    return tf.reshape(tf.mul(pooled, n), [c]) as tf.Tensor1D;
  });
}

export interface BatchNormTrainResult {
  readonly y: tf.Tensor;
  /** Per-channel batch mean (no gradient flows through it). */
  readonly mean: tf.Tensor1D;
  /** Per-channel biased batch variance (divide by n, as used for normalisation). */
  readonly variance: tf.Tensor1D;
  /** Number of values reduced per channel: n·h·w (or n·t·h·w). */
  readonly count: number;
}

/**
 * A fused training-BN kernel pair a backend may provide (@adaptnet/backend-native does):
 *   AdaptNetBatchNormTrain  inputs {x, gamma, beta}, attrs {epsilon} → [y, mean, variance (biased)]
 *   AdaptNetBatchNormGrad   inputs {dy, x, mean, variance, gamma}, attrs {epsilon} → [dx, dgamma, dbeta]
 */
export const BATCH_NORM_TRAIN_KERNEL = ADAPTNET_KERNELS.batchNormTrain;
export const BATCH_NORM_GRAD_KERNEL = ADAPTNET_KERNELS.batchNormGrad;

tf.registerGradient({
  kernelName: BATCH_NORM_TRAIN_KERNEL,
  inputsToSave: ['x', 'gamma'],
  outputsToSave: [false, true, true],
  gradFunc: (dys, saved, attrs) => {
    const [x, gamma, mean, variance] = saved as [tf.Tensor, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
    // Only y carries a gradient; mean and variance feed running statistics, not the loss.
    const dy = (Array.isArray(dys) ? dys[0] : dys) ?? tf.zerosLike(x);
    const [dx, dGamma, dBeta] = tf.engine().runKernel(BATCH_NORM_GRAD_KERNEL, { dy, x, mean, variance, gamma }, attrs) as tf.Tensor[];
    return { x: () => dx as tf.Tensor, gamma: () => dGamma as tf.Tensor, beta: () => dBeta as tf.Tensor };
  },
});

function hasFusedBatchNorm(): boolean {
  const backend = tf.getBackend();
  return tf.getKernel(BATCH_NORM_TRAIN_KERNEL, backend) !== undefined && tf.getKernel(BATCH_NORM_GRAD_KERNEL, backend) !== undefined;
}

/**
 * Training-mode batch normalisation over all axes but the last, with an analytic gradient
 * (dx = γ·σ⁻¹/n · (n·dy − Σdy − x̂·Σ(dy·x̂))) that broadcasts instead of tiling: tfjs's
 * FusedBatchNorm gradient tiles the statistics to the input's shape on every step. Backends that
 * register the fused kernel pair above run that instead (2 passes each way instead of ~10).
 */
export function batchNormTrain(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon = 1e-5): BatchNormTrainResult {
  const c = x.shape[x.rank - 1] as number;
  const count = x.size / c;
  if (hasFusedBatchNorm()) {
    const [y, mean, variance] = tf.engine().runKernel(BATCH_NORM_TRAIN_KERNEL, { x, gamma, beta }, { epsilon }) as tf.Tensor[];
    return { y: y as tf.Tensor, mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D, count };
  }
  const [mean, variance] = tf.tidy(() => {
    const m = tf.div(sumLeading(x), count) as tf.Tensor1D;
    const v = tf.div(sumLeading(tf.square(tf.sub(x, m))), count) as tf.Tensor1D;
    return [m, v];
  });
  // tfjs types customGrad's variadic arguments as a union; the order is (x, gamma, beta, save).
  const normaliseImpl = (xt: tf.Tensor, g: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
    const invStd = tf.rsqrt(tf.add(variance, epsilon));
    const xHat = tf.mul(tf.sub(xt, mean), invStd);
    save([xHat, invStd, g]);
    return {
      value: tf.add(tf.mul(xHat, g), b),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sxHat, sInvStd, sGamma] = saved as [tf.Tensor, tf.Tensor1D, tf.Tensor1D];
        const dyT = dy;
        const dBeta = sumLeading(dyT);
        const dGamma = sumLeading(tf.mul(dyT, sxHat));
        const scale = tf.div(tf.mul(sGamma, sInvStd), count);
        const dx = tf.mul(tf.sub(tf.sub(tf.mul(dyT, count), dBeta), tf.mul(sxHat, dGamma)), scale);
        return [dx, dGamma, dBeta];
      },
    };
  };
  const normalise = tf.customGrad(normaliseImpl as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (
    x: tf.Tensor,
    gamma: tf.Tensor,
    beta: tf.Tensor,
  ) => tf.Tensor;
  const y = normalise(x, gamma, beta);
  return { y, mean, variance, count };
}

/** Inference-mode batch normalisation with given statistics. */
export function batchNormInfer(
  x: tf.Tensor,
  mean: tf.Tensor1D,
  variance: tf.Tensor1D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  epsilon = 1e-5,
): tf.Tensor {
  return tf.tidy(() => {
    const scale = tf.mul(gamma, tf.rsqrt(tf.add(variance, epsilon)));
    const shift = tf.sub(beta, tf.mul(mean, scale));
    return tf.add(tf.mul(x, scale), shift);
  });
}
