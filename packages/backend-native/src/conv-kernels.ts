import { ADAPTNET_KERNELS } from '@adaptnet/kernel-names';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { backend_util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeAddon } from './addon.js';
import { allocOutput, BACKEND_NAME, cpuKernel, f32, output, sizeOf } from './kernel-utils.js';

type Pad = 'same' | 'valid' | number | backend_util.ExplicitPadding;
type Rounding = 'floor' | 'round' | 'ceil' | undefined;

export interface Geometry {
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

export function geometry2d(info: backend_util.Conv2DInfo, depthwise: boolean): Geometry {
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

/**
 * TF's 'same' padding of one axis, [before, after]. tfjs's 3D helpers leave out the max(0, ·), so a
 * kernel smaller than its stride on an even size gets a NEGATIVE leading pad (1×1×1 stride 2 on
 * 16: top = -1), and the cpu and wasm kernels then read the odd rows instead of TF's even ones.
 */
export function samePads(inSize: number, outSize: number, k: number, stride: number, dilation: number): [number, number] {
  const total = Math.max(0, (outSize - 1) * stride + (k - 1) * dilation + 1 - inSize);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

function geometry3d(info: backend_util.Conv3DInfo): Geometry {
  const same = info.padInfo.type === 'SAME';
  const pads = [
    [info.inDepth, info.outDepth, info.filterDepth, info.strideDepth, info.dilationDepth],
    [info.inHeight, info.outHeight, info.filterHeight, info.strideHeight, info.dilationHeight],
    [info.inWidth, info.outWidth, info.filterWidth, info.strideWidth, info.dilationWidth],
  ].map(([i, o, k, s, d]) => samePads(i as number, o as number, k as number, s as number, d as number));
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
    padBefore: same ? pads.map((p) => p[0]) : [info.padInfo.front, info.padInfo.top, info.padInfo.left],
    padAfter: same ? pads.map((p) => p[1]) : [info.padInfo.back, info.padInfo.bottom, info.padInfo.right],
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

type Kind = 0 | 1 | 2;

interface ConvSpec {
  kernelName: string;
  kind: Kind;
  rank: 2 | 3;
  depthwise: boolean;
}

const SPECS: ConvSpec[] = [
  { kernelName: 'Conv2D', kind: 0, rank: 2, depthwise: false },
  { kernelName: 'Conv2DBackpropInput', kind: 1, rank: 2, depthwise: false },
  { kernelName: 'Conv2DBackpropFilter', kind: 2, rank: 2, depthwise: false },
  { kernelName: 'DepthwiseConv2dNative', kind: 0, rank: 2, depthwise: true },
  { kernelName: 'DepthwiseConv2dNativeBackpropInput', kind: 1, rank: 2, depthwise: true },
  { kernelName: 'DepthwiseConv2dNativeBackpropFilter', kind: 2, rank: 2, depthwise: true },
  { kernelName: 'Conv3D', kind: 0, rank: 3, depthwise: false },
  { kernelName: 'Conv3DBackpropInputV2', kind: 1, rank: 3, depthwise: false },
  { kernelName: 'Conv3DBackpropFilterV2', kind: 2, rank: 3, depthwise: false },
];

type ConvAttrs = {
  strides: number[];
  pad: Pad;
  dilations?: number[] | number;
  dimRoundingMode?: Rounding;
  inputShape?: number[];
  filterShape?: number[];
};

/**
 * One kernel function for all nine: forward (x, filter → y), input gradient (dy, filter → dx) and
 * filter gradient (x, dy → dw), for 2D, depthwise and 3D convolutions. The x shape comes from the
 * tensor or (input gradient) from attrs; the filter shape likewise.
 */
function convKernel(addon: NativeAddon, spec: ConvSpec): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const ins = inputs as Record<'x' | 'filter' | 'dy', TensorInfo>;
    const a = attrs as unknown as ConvAttrs;
    const xShape = spec.kind === 1 ? (a.inputShape as number[]) : ins.x.shape;
    const fShape = spec.kind === 2 ? (a.filterShape as number[]) : ins.filter.shape;
    const dilations = a.dilations ?? 1;
    const g =
      spec.rank === 2
        ? geometry2d(
            backend_util.computeConv2DInfo(
              xShape as [number, number, number, number],
              fShape as [number, number, number, number],
              a.strides as [number, number],
              dilations as [number, number],
              a.pad,
              a.dimRoundingMode,
              spec.depthwise,
            ),
            spec.depthwise,
          )
        : geometry3d(
            backend_util.computeConv3DInfo(
              xShape as [number, number, number, number, number],
              fShape as [number, number, number, number, number],
              a.strides as [number, number, number],
              dilations as [number, number, number],
              a.pad as 'same' | 'valid',
            ),
          );
    const [first, second] = spec.kind === 0 ? [ins.x, ins.filter] : spec.kind === 1 ? [ins.dy, ins.filter] : [ins.x, ins.dy];
    const outShape = spec.kind === 0 ? g.outShape : spec.kind === 1 ? g.inShape : fShape;
    const be = backend as MathBackendCPU;
    const out = allocOutput(sizeOf(outShape));
    runConv(addon, spec.kind, g, f32(be, first), f32(be, second), out);
    return output(be, [...outShape], out);
  };
}

export function convKernels(addon: NativeAddon): KernelConfig[] {
  return SPECS.map((spec) => ({
    kernelName: spec.kernelName,
    backendName: BACKEND_NAME,
    kernelFunc: withFallback(spec.kernelName, nhwcOnly, convKernel(addon, spec)),
  }));
}

type Padded3dAttrs = {
  strides: [number, number, number];
  pads: [[number, number], [number, number], [number, number]];
  inputShape?: number[];
  filterShape?: number[];
};

/**
 * @adaptnet/core's explicitly padded 3D convolution kernels (ops/conv3d-padded.ts) and channel-wise
 * ones (ops/depthwise-conv3d.ts, groups = channels): one oneDNN convolution each, forward and both
 * gradients, with the pads given to oneDNN instead of a padded copy.
 */
function padded3dKernel(addon: NativeAddon, kind: Kind, depthwise: boolean): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const ins = inputs as Record<'x' | 'filter' | 'dy', TensorInfo>;
    const a = attrs as unknown as Padded3dAttrs;
    const xShape = kind === 1 ? (a.inputShape as number[]) : ins.x.shape;
    const fShape = kind === 2 ? (a.filterShape as number[]) : ins.filter.shape;
    const [n, d, h, w, c] = xShape as [number, number, number, number, number];
    const kernel = fShape.slice(0, 3);
    const inSpatial = [d, h, w];
    const outSpatial = inSpatial.map((s, i) => Math.floor((s + a.pads[i]![0] + a.pads[i]![1] - kernel[i]!) / a.strides[i]!) + 1);
    const co = depthwise ? c : (fShape[4] as number);
    const g: Geometry = {
      n,
      ci: c,
      co,
      groups: depthwise ? c : 1,
      inSpatial,
      outSpatial,
      kernel,
      strides: [...a.strides],
      dilations: [1, 1, 1],
      padBefore: a.pads.map((p) => p[0]),
      padAfter: a.pads.map((p) => p[1]),
      inShape: [...xShape],
      outShape: [n, ...outSpatial, co],
    };
    const [first, second] = kind === 0 ? [ins.x, ins.filter] : kind === 1 ? [ins.dy, ins.filter] : [ins.x, ins.dy];
    const outShape = kind === 0 ? g.outShape : kind === 1 ? g.inShape : fShape;
    const be = backend as MathBackendCPU;
    const out = allocOutput(sizeOf(outShape));
    runConv(addon, kind, g, f32(be, first), f32(be, second), out);
    return output(be, [...outShape], out);
  };
}

const PADDED_3D: [string, Kind, boolean][] = [
  [ADAPTNET_KERNELS.conv3d, 0, false],
  [ADAPTNET_KERNELS.conv3dBackpropInput, 1, false],
  [ADAPTNET_KERNELS.conv3dBackpropFilter, 2, false],
  [ADAPTNET_KERNELS.depthwiseConv3d, 0, true],
  [ADAPTNET_KERNELS.depthwiseConv3dBackpropInput, 1, true],
  [ADAPTNET_KERNELS.depthwiseConv3dBackpropFilter, 2, true],
];

export function padded3dKernels(addon: NativeAddon): KernelConfig[] {
  return PADDED_3D.map(([kernelName, kind, depthwise]) => ({
    kernelName,
    backendName: BACKEND_NAME,
    kernelFunc: padded3dKernel(addon, kind, depthwise),
  }));
}
