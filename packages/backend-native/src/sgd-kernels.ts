import { ADAPTNET_KERNELS } from '@adaptnet/kernel-names';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeAddon } from './addon.js';
import { allocOutput, BACKEND_NAME, f32, output, sizeOf } from './kernel-utils.js';

/*
 * Fused SGD step, the kernel contract @adaptnet/core's sgdStep dispatches to when the active
 * backend has it (PyTorch torch.optim.SGD semantics, one pass over w, g, v):
 *   AdaptNetSgdStep  inputs {param, grad, velocity}, attrs {lr, momentum, nesterov, weightDecay, dampening}
 *                    → [param', velocity']
 * With momentum 0 velocity' is `velocity` itself (its storage, one more reference), as core's
 * composed path returns a clone of it.
 */
export const SGD_STEP = ADAPTNET_KERNELS.sgdStep;

interface SgdAttrs {
  lr: number;
  momentum: number;
  nesterov: boolean;
  weightDecay: number;
  dampening?: number;
}

const EMPTY = new Float32Array(0);

export function sgdKernels(addon: NativeAddon): KernelConfig[] {
  const step: KernelFunc = ({ inputs, backend, attrs }) => {
    const { param, grad, velocity } = inputs as { param: TensorInfo; grad: TensorInfo; velocity: TensorInfo };
    const { lr, momentum, nesterov, weightDecay, dampening = 0 } = attrs as unknown as SgdAttrs;
    const be = backend as MathBackendCPU;
    const n = sizeOf(param.shape);
    const w = allocOutput(n);
    if (!(momentum > 0)) {
      addon.sgdStep(f32(be, param), f32(be, grad), EMPTY, w, EMPTY, lr, 0, false, weightDecay, dampening);
      be.incRef(velocity.dataId);
      return [output(be, [...param.shape], w), { dataId: velocity.dataId, shape: [...velocity.shape], dtype: velocity.dtype }];
    }
    const v = allocOutput(n);
    addon.sgdStep(f32(be, param), f32(be, grad), f32(be, velocity), w, v, lr, momentum, nesterov, weightDecay, dampening);
    return [output(be, [...param.shape], w), output(be, [...param.shape], v)];
  };
  return [{ kernelName: SGD_STEP, backendName: BACKEND_NAME, kernelFunc: step }];
}
