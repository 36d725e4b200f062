import { ADAPTNET_KERNELS } from '@adaptnet/kernel-names';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeAddon } from './addon.js';
import { allocOutput, BACKEND_NAME, f32, output, sizeOf } from './kernel-utils.js';

/** Swish x·σ(x) and its gradient, one native pass each (core's `swish` dispatches to them). */
export function swishKernels(addon: NativeAddon): KernelConfig[] {
  return [
    {
      kernelName: ADAPTNET_KERNELS.swish,
      backendName: BACKEND_NAME,
      kernelFunc: ({ inputs, backend }) => {
        const { x } = inputs as { x: TensorInfo };
        const be = backend as MathBackendCPU;
        const y = allocOutput(sizeOf(x.shape));
        addon.swish(f32(be, x), y);
        return output(be, [...x.shape], y);
      },
    },
    {
      kernelName: ADAPTNET_KERNELS.swishGrad,
      backendName: BACKEND_NAME,
      kernelFunc: ({ inputs, backend }) => {
        const { dy, x } = inputs as { dy: TensorInfo; x: TensorInfo };
        const be = backend as MathBackendCPU;
        const dx = allocOutput(sizeOf(x.shape));
        addon.swishGrad(f32(be, dy), f32(be, x), dx);
        return output(be, [...x.shape], dx);
      },
    },
  ];
}
