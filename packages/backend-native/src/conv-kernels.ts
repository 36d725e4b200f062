import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { backend_util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeAddon } from './addon.js';
import { BACKEND_NAME, cpuKernel, f32, output, sizeOf } from './kernel-utils.js';

type Pad = 'same' | 'valid' | number | backend_util.ExplicitPadding;
type Rounding = 'floor' | 'round' | 'ceil' | undefined;

interface Geometry {
  n: number;
  ci: number;
  co: number;
  groups: number;
  inSpatial: number[];
  outSpatial: number[];
  kernel: number[];
  strides: number[];
  dilations: number[];
  padBefore: number[];
  padAfter: number[];
  inShape: number[];
  outShape: number[];
}

function geometry2d(info: backend_util.Conv2DInfo, depthwise: boolean): Geometry {
  return {
    n: info.batchSize,
    ci: info.inChannels,
    co: info.outChannels,
    groups: depthwise ? info.inChannels : 1,
    inSpatial: [info.inHeight, info.inWidth],
    outSpatial: [info.outHeight, info.outWidth],
    kernel: [info.filterHeight, info.filterWidth],
    strides: [info.strideHeight, info.strideWidth],
    dilations: [info.dilationHeight, info.dilationWidth],
    padBefore: [info.padInfo.top, info.padInfo.left],
    padAfter: [info.padInfo.bottom, info.padInfo.right],
    inShape: [info.batchSize, info.inHeight, info.inWidth, info.inChannels],
    outShape: info.outShape,
  };
}

function geometry3d(info: backend_util.Conv3DInfo): Geometry {
  return {
    n: info.batchSize,
    ci: info.inChannels,
    co: info.outChannels,
    groups: 1,
    inSpatial: [info.inDepth, info.inHeight, info.inWidth],
    outSpatial: [info.outDepth, info.outHeight, info.outWidth],
    kernel: [info.filterDepth, info.filterHeight, info.filterWidth],
    strides: [info.strideDepth, info.strideHeight, info.strideWidth],
    dilations: [info.dilationDepth, info.dilationHeight, info.dilationWidth],
    padBefore: [info.padInfo.front, info.padInfo.top, info.padInfo.left],
    padAfter: [info.padInfo.back, info.padInfo.bottom, info.padInfo.right],
    inShape: [info.batchSize, info.inDepth, info.inHeight, info.inWidth, info.inChannels],
    outShape: info.outShape,
  };
}

function runConv(addon: NativeAddon, kind: 0 | 1 | 2, g: Geometry, a: Float32Array, b: Float32Array, out: Float32Array): void {
  addon.conv(
    kind,
    a,
    b,
    out,
    g.n,
    g.ci,
    g.co,
    g.groups,
    g.inSpatial,
    g.outSpatial,
    g.kernel,
    g.strides,
    g.dilations,
    g.padBefore,
    g.padAfter,
  );
}

const channelsLast = (dataFormat: unknown): boolean => dataFormat === undefined || dataFormat === 'NHWC' || dataFormat === 'NDHWC';

/**
 * Wraps a native kernel: anything it does not cover (channels-first, non-float32) runs the cpu
 * backend's kernel instead.
 */
function withFallback(
  name: string,
  covered: (inputs: TensorInfo[], attrs: Record<string, unknown>) => boolean,
  native: KernelFunc,
): KernelFunc {
  const fallback = cpuKernel(name);
  return (args) => {
    const inputs = Object.values(args.inputs) as TensorInfo[];
    const ok = inputs.every((t) => t.dtype === 'float32') && covered(inputs, args.attrs as Record<string, unknown>);
    return ok ? native(args) : fallback(args);
  };
}

const nhwcOnly = (_: TensorInfo[], attrs: Record<string, unknown>) => channelsLast(attrs.dataFormat);

export function convKernels(addon: NativeAddon): KernelConfig[] {
  const conv2d: KernelFunc = ({ inputs, backend, attrs }) => {
    const { x, filter } = inputs as { x: TensorInfo; filter: TensorInfo };
    const { strides, pad, dilations, dimRoundingMode } = attrs as unknown as {
      strides: number[];
      pad: Pad;
      dilations: number[];
      dimRoundingMode: Rounding;
    };
    const info = backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filter.shape as [number, number, number, number],
      strides as [number, number],
      dilations as [number, number],
      pad,
      dimRoundingMode,
    );
    const g = geometry2d(info, false);
    const be = backend as MathBackendCPU;
    const out = new Float32Array(sizeOf(g.outShape));
    runConv(addon, 0, g, f32(be, x), f32(be, filter), out);
    return output(be, g.outShape, out);
  };

  const conv2dBackpropInput: KernelFunc = ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
    const { strides, pad, dimRoundingMode, inputShape } = attrs as unknown as {
      strides: number[];
      pad: Pad;
      dimRoundingMode: Rounding;
      inputShape: number[];
    };
    const info = backend_util.computeConv2DInfo(
      inputShape as [number, number, number, number],
      filter.shape as [number, number, number, number],
      strides as [number, number],
      1,
      pad,
      dimRoundingMode,
    );
    const g = geometry2d(info, false);
    const be = backend as MathBackendCPU;
    const out = new Float32Array(sizeOf(g.inShape));
    runConv(addon, 1, g, f32(be, dy), f32(be, filter), out);
    return output(be, g.inShape, out);
  };

  const conv2dBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const { strides, pad, dimRoundingMode, filterShape } = attrs as unknown as {
      strides: number[];
      pad: Pad;
      dimRoundingMode: Rounding;
      filterShape: number[];
    };
    const info = backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filterShape as [number, number, number, number],
      strides as [number, number],
      1,
      pad,
      dimRoundingMode,
    );
    const g = geometry2d(info, false);
    const be = backend as MathBackendCPU;
    const out = new Float32Array(sizeOf(filterShape));
    runConv(addon, 2, g, f32(be, x), f32(be, dy), out);
    return output(be, filterShape, out);
  };

  const depthwise: KernelFunc = ({ inputs, backend, attrs }) => {
    const { x, filter } = inputs as { x: TensorInfo; filter: TensorInfo };
    const { strides, pad, dilations, dimRoundingMode } = attrs as unknown as {
      strides: number[];
      pad: Pad;
      dilations: number[];
      dimRoundingMode: Rounding;
    };
    const info = backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filter.shape as [number, number, number, number],
      strides as [number, number],
      (dilations ?? [1, 1]) as [number, number],
      pad,
      dimRoundingMode,
      true,
    );
    const g = geometry2d(info, true);
    const be = backend as MathBackendCPU;
    const out = new Float32Array(sizeOf(g.outShape));
    runConv(addon, 0, g, f32(be, x), f32(be, filter), out);
    return output(be, g.outShape, out);
  };

  const depthwiseBackpropInput: KernelFunc = ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
    const { strides, pad, dilations, dimRoundingMode, inputShape } = attrs as unknown as {
      strides: number[];
      pad: Pad;
      dilations: number[];
      dimRoundingMode: Rounding;
      inputShape: number[];
    };
    const info = backend_util.computeConv2DInfo(
      inputShape as [number, number, number, number],
      filter.shape as [number, number, number, number],
      strides as [number, number],
      (dilations ?? [1, 1]) as [number, number],
      pad,
      dimRoundingMode,
      true,
    );
    const g = geometry2d(info, true);
    const be = backend as MathBackendCPU;
    const out = new Float32Array(sizeOf(g.inShape));
    runConv(addon, 1, g, f32(be, dy), f32(be, filter), out);
    return output(be, g.inShape, out);
  };

  const depthwiseBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const { strides, pad, dilations, dimRoundingMode, filterShape } = attrs as unknown as {
      strides: number[];
      pad: Pad;
      dilations: number[];
      dimRoundingMode: Rounding;
      filterShape: number[];
    };
    const info = backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filterShape as [number, number, number, number],
      strides as [number, number],
      (dilations ?? [1, 1]) as [number, number],
      pad,
      dimRoundingMode,
      true,
    );
    const g = geometry2d(info, true);
    const be = backend as MathBackendCPU;
    const out = new Float32Array(sizeOf(filterShape));
    runConv(addon, 2, g, f32(be, x), f32(be, dy), out);
    return output(be, filterShape, out);
  };

  const conv3d: KernelFunc = ({ inputs, backend, attrs }) => {
    const { x, filter } = inputs as { x: TensorInfo; filter: TensorInfo };
    const { strides, pad, dilations } = attrs as unknown as { strides: number[]; pad: 'same' | 'valid'; dilations: number[] };
    const info = backend_util.computeConv3DInfo(
      x.shape as [number, number, number, number, number],
      filter.shape as [number, number, number, number, number],
      strides as [number, number, number],
      dilations as [number, number, number],
      pad,
    );
    const g = geometry3d(info);
    const be = backend as MathBackendCPU;
    const out = new Float32Array(sizeOf(g.outShape));
    runConv(addon, 0, g, f32(be, x), f32(be, filter), out);
    return output(be, g.outShape, out);
  };

  const conv3dBackpropInput: KernelFunc = ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
    const { strides, pad, inputShape } = attrs as unknown as { strides: number[]; pad: 'same' | 'valid'; inputShape: number[] };
    const info = backend_util.computeConv3DInfo(
      inputShape as [number, number, number, number, number],
      filter.shape as [number, number, number, number, number],
      strides as [number, number, number],
      1,
      pad,
    );
    const g = geometry3d(info);
    const be = backend as MathBackendCPU;
    const out = new Float32Array(sizeOf(g.inShape));
    runConv(addon, 1, g, f32(be, dy), f32(be, filter), out);
    return output(be, g.inShape, out);
  };

  const conv3dBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const { strides, pad, filterShape } = attrs as unknown as { strides: number[]; pad: 'same' | 'valid'; filterShape: number[] };
    const info = backend_util.computeConv3DInfo(
      x.shape as [number, number, number, number, number],
      filterShape as [number, number, number, number, number],
      strides as [number, number, number],
      1,
      pad,
    );
    const g = geometry3d(info);
    const be = backend as MathBackendCPU;
    const out = new Float32Array(sizeOf(filterShape));
    runConv(addon, 2, g, f32(be, x), f32(be, dy), out);
    return output(be, filterShape, out);
  };

  const table: [string, KernelFunc][] = [
    ['Conv2D', conv2d],
    ['Conv2DBackpropInput', conv2dBackpropInput],
    ['Conv2DBackpropFilter', conv2dBackpropFilter],
    ['DepthwiseConv2dNative', depthwise],
    ['DepthwiseConv2dNativeBackpropInput', depthwiseBackpropInput],
    ['DepthwiseConv2dNativeBackpropFilter', depthwiseBackpropFilter],
    ['Conv3D', conv3d],
    ['Conv3DBackpropInputV2', conv3dBackpropInput],
    ['Conv3DBackpropFilterV2', conv3dBackpropFilter],
  ];
  return table.map(([kernelName, fn]) => ({ kernelName, backendName: BACKEND_NAME, kernelFunc: withFallback(kernelName, nhwcOnly, fn) }));
}
