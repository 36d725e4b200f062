import { ADAPTNET_KERNELS } from '@adaptnet/kernel-names';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeAddon } from './addon.js';
import { allocOutput, BACKEND_NAME, f32, output, sizeOf } from './kernel-utils.js';

/*
 * Fused training batch norm, the kernel contract @adaptnet/core's batchNormTrain dispatches to
 * (and registers the gradient of) when the active backend has these kernels:
 *   AdaptNetBatchNormTrain  inputs {x, gamma, beta}, attrs {epsilon} → [y, mean, variance (biased)]
 *   AdaptNetBatchNormGrad   inputs {dy, x, mean, variance, gamma}, attrs {epsilon} → [dx, dgamma, dbeta]
 * Normalisation is over every axis but the last.
 */
export const BATCH_NORM_TRAIN = ADAPTNET_KERNELS.batchNormTrain;
export const BATCH_NORM_GRAD = ADAPTNET_KERNELS.batchNormGrad;

export function batchNormKernels(addon: NativeAddon): KernelConfig[] {
  const train: KernelFunc = ({ inputs, backend, attrs }) => {
    const { x, gamma, beta } = inputs as { x: TensorInfo; gamma: TensorInfo; beta: TensorInfo };
    const { epsilon } = attrs as unknown as { epsilon: number };
    const be = backend as MathBackendCPU;
    const c = gamma.shape[0] as number;
    const y = allocOutput(sizeOf(x.shape));
    const mean = allocOutput(c);
    const variance = allocOutput(c);
    addon.batchNormTrain(f32(be, x), f32(be, gamma), f32(be, beta), epsilon, y, mean, variance);
    return [output(be, [...x.shape], y), output(be, [c], mean), output(be, [c], variance)];
  };
  const grad: KernelFunc = ({ inputs, backend, attrs }) => {
    const { dy, x, mean, variance, gamma } = inputs as Record<'dy' | 'x' | 'mean' | 'variance' | 'gamma', TensorInfo>;
    const { epsilon } = attrs as unknown as { epsilon: number };
    const be = backend as MathBackendCPU;
    const c = gamma.shape[0] as number;
    const dx = allocOutput(sizeOf(x.shape));
    const dgamma = allocOutput(c);
    const dbeta = allocOutput(c);
    addon.batchNormGrad(f32(be, dy), f32(be, x), f32(be, mean), f32(be, variance), f32(be, gamma), epsilon, dx, dgamma, dbeta);
    return [output(be, [...x.shape], dx), output(be, [c], dgamma), output(be, [c], dbeta)];
  };
  return [
    { kernelName: BATCH_NORM_TRAIN, backendName: BACKEND_NAME, kernelFunc: train },
    { kernelName: BATCH_NORM_GRAD, backendName: BACKEND_NAME, kernelFunc: grad },
  ];
}

/**
 * AdaptNetReluGrad  inputs {dy, x}, attrs {cap} → dx = dy where 0 < x (and x ≤ cap when cap > 0),
 * else 0: the Relu/Relu6 gradient in one pass instead of tfjs's Step + Multiply (+ LessEqual).
 */
export const RELU_GRAD = ADAPTNET_KERNELS.reluGrad;

export function reluGradKernels(addon: NativeAddon): KernelConfig[] {
  const grad: KernelFunc = ({ inputs, backend, attrs }) => {
    const { dy, x } = inputs as { dy: TensorInfo; x: TensorInfo };
    const { cap } = attrs as unknown as { cap: number };
    const be = backend as MathBackendCPU;
    const dx = allocOutput(sizeOf(x.shape));
    addon.reluGrad(f32(be, dy), f32(be, x), dx, cap);
    return output(be, [...x.shape], dx);
  };
  return [{ kernelName: RELU_GRAD, backendName: BACKEND_NAME, kernelFunc: grad }];
}
