import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { backend_util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeAddon } from './addon.js';
import { samePads } from './conv-kernels.js';
import { allocOutput, BACKEND_NAME, cpuKernel, f32, output, sizeOf } from './kernel-utils.js';

type PoolAttrs = {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: 'same' | 'valid' | number | backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
};

type Pool3DAttrs = {
  filterSize: [number, number, number] | number;
  strides: [number, number, number] | number;
  pad: 'same' | 'valid' | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
};

interface PoolGeometry {
  outShape: number[];
  args: number[];
}

function geometry3d(shape: readonly number[], attrs: Pool3DAttrs): PoolGeometry {
  const info = backend_util.computePool3DInfo(
    shape as [number, number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  // Clamped as TF does (see samePads); tfjs's own 3D pools can get a negative leading pad.
  const lead = (i: number, o: number, k: number, s: number, before: number) =>
    info.padInfo.type === 'SAME' ? samePads(i, o, k, s, 1)[0] : before;
  return {
    outShape: info.outShape,
    args: [
      info.batchSize,
      info.inDepth,
      info.inHeight,
      info.inWidth,
      info.inChannels,
      info.outDepth,
      info.outHeight,
      info.outWidth,
      info.filterDepth,
      info.filterHeight,
      info.filterWidth,
      info.strideDepth,
      info.strideHeight,
      info.strideWidth,
      lead(info.inDepth, info.outDepth, info.filterDepth, info.strideDepth, info.padInfo.front),
      lead(info.inHeight, info.outHeight, info.filterHeight, info.strideHeight, info.padInfo.top),
      lead(info.inWidth, info.outWidth, info.filterWidth, info.strideWidth, info.padInfo.left),
      info.dilationDepth,
      info.dilationHeight,
      info.dilationWidth,
    ],
  };
}

function geometry(shape: readonly number[], attrs: PoolAttrs): PoolGeometry {
  const info = backend_util.computePool2DInfo(
    shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  return {
    outShape: info.outShape,
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

/**
 * MaxPool(3D) / AvgPool(3D) and their gradients in native loops (float32, channels-last; anything
 * else: cpu kernel). The cpu backend's AvgPool3DGrad divides by the full window at 'same' borders;
 * this one, like the forward, divides by the in-bounds count.
 */
function poolKernel(name: string, kind: 0 | 1, grad: boolean, rank: 2 | 3, addon: NativeAddon): KernelConfig {
  const fallback = cpuKernel(name);
  const kernelFunc: KernelFunc = (args) => {
    const ins = args.inputs as { x?: TensorInfo; dy?: TensorInfo; input?: TensorInfo };
    const x = (grad ? ins.input : ins.x) as TensorInfo;
    const format = (args.attrs as { dataFormat?: string }).dataFormat;
    if (x.dtype !== 'float32' || (format !== undefined && format !== 'NHWC' && format !== 'NDHWC')) return fallback(args);
    const { outShape, args: g } =
      rank === 2 ? geometry(x.shape, args.attrs as unknown as PoolAttrs) : geometry3d(x.shape, args.attrs as unknown as Pool3DAttrs);
    const be = args.backend as MathBackendCPU;
    if (!grad) {
      const y = allocOutput(sizeOf(outShape));
      addon.pool(kind, f32(be, x), y, ...g);
      return output(be, outShape, y);
    }
    const dx = allocOutput(sizeOf(x.shape));
    addon.poolGrad(kind, f32(be, ins.dy as TensorInfo), f32(be, x), dx, ...g);
    return output(be, [...x.shape], dx);
  };
  return { kernelName: name, backendName: BACKEND_NAME, kernelFunc };
}

export function poolKernels(addon: NativeAddon): KernelConfig[] {
  return [
    poolKernel('MaxPool', 0, false, 2, addon),
    poolKernel('AvgPool', 1, false, 2, addon),
    poolKernel('MaxPoolGrad', 0, true, 2, addon),
    poolKernel('AvgPoolGrad', 1, true, 2, addon),
    poolKernel('MaxPool3D', 0, false, 3, addon),
    poolKernel('AvgPool3D', 1, false, 3, addon),
    poolKernel('MaxPool3DGrad', 0, true, 3, addon),
    poolKernel('AvgPool3DGrad', 1, true, 3, addon),
  ];
}
