import { getGradient, getKernel } from '@tensorflow/tfjs-core';
import { builtinKernel, KERNEL_FILLS } from './registry.js';

/** Forward kernels ConvNet training uses (2D/3D convs, pooling, resize, BN math, losses, data plumbing). */
export const TRAINING_FORWARD_KERNELS = [
  'Conv2D',
  'DepthwiseConv2dNative',
  'Conv3D',
  'MaxPool',
  'AvgPool',
  'MaxPool3D',
  'AvgPool3D',
  'ResizeBilinear',
  'ResizeNearestNeighbor',
  'FusedBatchNorm',
  'Softmax',
  'BatchMatMul',
  'Slice',
  'Concat',
  'PadV2',
  'Transpose',
  'Reshape',
  'Sum',
  'Mean',
  'Max',
  'Relu',
  'Relu6',
  'Sigmoid',
  'Exp',
  'Log',
  'Sqrt',
  'Rsqrt',
  'Square',
  'Sub',
  'Multiply',
  'RealDiv',
  'Add',
  'AddN',
  'Maximum',
  'Minimum',
  'ClipByValue',
  'Cast',
  'GatherV2',
  'Tile',
  'Reverse',
  'Pack',
  'SplitV',
  'Neg',
] as const;

/** Kernels that only gradients call. */
export const TRAINING_GRADIENT_KERNELS = [
  'Conv2DBackpropInput',
  'Conv2DBackpropFilter',
  'DepthwiseConv2dNativeBackpropInput',
  'DepthwiseConv2dNativeBackpropFilter',
  'Conv3DBackpropInputV2',
  'Conv3DBackpropFilterV2',
  'MaxPoolGrad',
  'AvgPoolGrad',
  'MaxPool3DGrad',
  'AvgPool3DGrad',
  'ResizeBilinearGrad',
  'ResizeNearestNeighborGrad',
  'UnsortedSegmentSum',
  'Select',
  'Step',
  'GreaterEqual',
  'LessEqual',
  'Fill',
] as const;

export type KernelSource = 'builtin' | 'adaptnet' | 'missing';

export interface KernelCoverageRow {
  readonly kernel: string;
  readonly source: KernelSource;
  /** For fills: missing, wrong or slow in tfjs; for forward kernels: whether tfjs has a gradient. */
  readonly note: string;
}

/** What every training kernel resolves to on a backend right now. */
export function kernelCoverage(backendName: string): KernelCoverageRow[] {
  const rows: KernelCoverageRow[] = [];
  for (const kernel of [...TRAINING_FORWARD_KERNELS, ...TRAINING_GRADIENT_KERNELS]) {
    const fill = KERNEL_FILLS.find((f) => f.kernelName === kernel && f.backendName === backendName);
    const active = getKernel(kernel, backendName);
    const isFill = fill !== undefined && active !== undefined && active !== builtinKernel(kernel, backendName);
    const source: KernelSource = !active ? 'missing' : isFill ? 'adaptnet' : 'builtin';
    const isForward = (TRAINING_FORWARD_KERNELS as readonly string[]).includes(kernel);
    const note = isFill ? `${fill.reason}: ${fill.detail}` : isForward ? (getGradient(kernel) ? 'has gradient' : 'NO gradient') : '';
    rows.push({ kernel, source, note });
  }
  return rows;
}
