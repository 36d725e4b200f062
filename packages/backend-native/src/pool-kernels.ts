import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { backend_util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeAddon } from './addon.js';
import { allocOutput, BACKEND_NAME, cpuKernel, f32, output, sizeOf } from './kernel-utils.js';

type PoolAttrs = {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: 'same' | 'valid' | number | backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
};

function geometry(shape: readonly number[], attrs: PoolAttrs): { info: backend_util.Conv2DInfo; args: number[] } {
  const info = backend_util.computePool2DInfo(
    shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  return {
    info,
    args: [
      info.batchSize,
      info.inHeight,
      info.inWidth,
      info.inChannels,
      info.outHeight,
      info.outWidth,
      info.filterHeight,
      info.filterWidth,
      info.strideHeight,
      info.strideWidth,
      info.padInfo.top,
      info.padInfo.left,
      info.dilationHeight,
      info.dilationWidth,
    ],
  };
}

/** MaxPool / AvgPool and their gradients in native loops (float32; anything else: cpu kernel). */
function poolKernel(name: string, kind: 0 | 1, grad: boolean, addon: NativeAddon): KernelConfig {
  const fallback = cpuKernel(name);
  const kernelFunc: KernelFunc = (args) => {
    const ins = args.inputs as { x?: TensorInfo; dy?: TensorInfo; input?: TensorInfo };
    const x = (grad ? ins.input : ins.x) as TensorInfo;
    if (x.dtype !== 'float32') return fallback(args);
    const { info, args: g } = geometry(x.shape, args.attrs as unknown as PoolAttrs);
    const be = args.backend as MathBackendCPU;
    if (!grad) {
      const y = allocOutput(sizeOf(info.outShape));
      addon.pool(kind, f32(be, x), y, ...g);
      return output(be, info.outShape, y);
    }
    const dx = allocOutput(sizeOf(x.shape));
    addon.poolGrad(kind, f32(be, ins.dy as TensorInfo), f32(be, x), dx, ...g);
    return output(be, [...x.shape], dx);
  };
  return { kernelName: name, backendName: BACKEND_NAME, kernelFunc };
}

export function poolKernels(addon: NativeAddon): KernelConfig[] {
  return [
    poolKernel('MaxPool', 0, false, addon),
    poolKernel('AvgPool', 1, false, addon),
    poolKernel('MaxPoolGrad', 0, true, addon),
    poolKernel('AvgPoolGrad', 1, true, addon),
  ];
}
