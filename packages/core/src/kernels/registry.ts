import { getKernel, type KernelConfig, type KernelFunc, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import { conv2dBackpropFilter, conv2dBackpropInput, depthwiseBackpropFilter, depthwiseBackpropInput } from './conv-grads.js';
import { conv3dBackpropFilter, conv3dBackpropInput } from './conv3d-grads.js';
import { fastPad, fastSlice } from './copy-kernels.js';
import { avgPoolGrad, maxPoolGrad, resizeBilinearGrad, resizeNearestNeighborGrad, unsortedSegmentSum } from './js-grads.js';

export type FillReason = 'missing' | 'wrong' | 'slow';

export interface KernelFill {
  readonly kernelName: string;
  readonly backendName: string;
  readonly reason: FillReason;
  /** What was measured about the built-in kernel (tfjs 4.22.0). */
  readonly detail: string;
  readonly make: (backendName: string) => KernelFunc;
}

/**
 * Kernels AdaptNet supplies, per backend. Each entry is justified by a test in
 * test/kernels/*.test.ts that fails on the built-in kernel (wrong) or by the benchmark (slow).
 */
const bothBackends = (fill: Omit<KernelFill, 'backendName'>): KernelFill[] => [
  { ...fill, backendName: 'cpu' },
  { ...fill, backendName: 'wasm' },
];

export const KERNEL_FILLS: readonly KernelFill[] = [
  // wasm: missing
  { kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', reason: 'missing', detail: 'not registered', make: conv2dBackpropFilter },
  {
    kernelName: 'DepthwiseConv2dNativeBackpropInput',
    backendName: 'wasm',
    reason: 'missing',
    detail: 'not registered',
    make: depthwiseBackpropInput,
  },
  {
    kernelName: 'DepthwiseConv2dNativeBackpropFilter',
    backendName: 'wasm',
    reason: 'missing',
    detail: 'not registered',
    make: depthwiseBackpropFilter,
  },
  { kernelName: 'UnsortedSegmentSum', backendName: 'wasm', reason: 'missing', detail: 'not registered', make: unsortedSegmentSum },
  // wasm: wrong
  {
    kernelName: 'Conv3DBackpropInputV2',
    backendName: 'wasm',
    reason: 'wrong',
    detail: 'reads uninitialised output memory: values change from run to run',
    make: conv3dBackpropInput,
  },
  {
    kernelName: 'Conv3DBackpropFilterV2',
    backendName: 'wasm',
    reason: 'wrong',
    detail: 'wrong for strides > 1 (max error 2.6-4.3 on small cases)',
    make: conv3dBackpropFilter,
  },
  {
    kernelName: 'MaxPoolGrad',
    backendName: 'wasm',
    reason: 'wrong',
    detail: 'wrong when every value of a window is negative',
    make: maxPoolGrad,
  },
  // wasm: slow
  {
    kernelName: 'Conv2DBackpropInput',
    backendName: 'wasm',
    reason: 'slow',
    detail: '~2 GFLOP/s built-in; composed runs on XNNPACK conv',
    make: conv2dBackpropInput,
  },
  // cpu: slow
  {
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'cpu',
    reason: 'slow',
    detail: '~30 s for x=[32,32,32,16], w=[3,3,16,32]',
    make: conv2dBackpropFilter,
  },
  {
    kernelName: 'Slice',
    backendName: 'cpu',
    reason: 'slow',
    detail: 'per-element index arithmetic: ~1 ms to slice a 3×3×256×512 kernel (every narrow subnet slices every weight)',
    make: fastSlice,
  },
  {
    kernelName: 'PadV2',
    backendName: 'cpu',
    reason: 'slow',
    detail: 'per-element index arithmetic (the gradient of every weight slice is a pad)',
    make: fastPad,
  },
  // both: wrong
  ...bothBackends({
    kernelName: 'AvgPoolGrad',
    reason: 'wrong',
    detail: "divides by the full window at 'same' borders; the forward divides by the in-bounds count",
    make: (b) => avgPoolGrad(b, 2),
  }),
  ...bothBackends({
    kernelName: 'AvgPool3DGrad',
    reason: 'wrong',
    detail: "divides by the full window at 'same' borders; the forward divides by the in-bounds count",
    make: (b) => avgPoolGrad(b, 3),
  }),
  ...bothBackends({
    kernelName: 'ResizeBilinearGrad',
    reason: 'wrong',
    detail: 'cpu: transposed output shape for non-square images; wasm: ignores halfPixelCenters',
    make: resizeBilinearGrad,
  }),
  ...bothBackends({
    kernelName: 'ResizeNearestNeighborGrad',
    reason: 'wrong',
    detail: 'cpu: indexes dy with the image strides; wasm: ignores halfPixelCenters',
    make: resizeNearestNeighborGrad,
  }),
];

const builtins = new Map<string, KernelConfig | null>();
const keyOf = (kernelName: string, backendName: string): string => `${backendName}/${kernelName}`;

/** The kernel tfjs itself registered, before any fill replaced it (null when it had none). */
export function builtinKernel(kernelName: string, backendName: string): KernelConfig | null {
  const key = keyOf(kernelName, backendName);
  if (builtins.has(key)) return builtins.get(key) ?? null;
  return getKernel(kernelName, backendName) ?? null;
}

export interface InstallFillsOptions {
  /** Also apply the fills of this backend (a backend built on the cpu backend inherits its bugs). */
  readonly inheritFrom?: string;
  /** Kernels the backend implements itself; inherited fills skip them. */
  readonly except?: readonly string[];
}

function appliesTo(fill: KernelFill, backendName: string, options: InstallFillsOptions): boolean {
  if (fill.backendName === backendName) return true;
  return fill.backendName === options.inheritFrom && !(options.except ?? []).includes(fill.kernelName);
}

/** Registers AdaptNet's fills for one backend; idempotent. Returns the fills now active. */
export function installKernelFills(backendName: string, options: InstallFillsOptions = {}): KernelFill[] {
  const installed: KernelFill[] = [];
  for (const fill of KERNEL_FILLS) {
    if (!appliesTo(fill, backendName, options)) continue;
    const key = keyOf(fill.kernelName, backendName);
    if (!builtins.has(key)) {
      const existing = getKernel(fill.kernelName, backendName);
      builtins.set(key, existing ?? null);
      if (existing) unregisterKernel(fill.kernelName, backendName);
      registerKernel({ kernelName: fill.kernelName, backendName, kernelFunc: fill.make(backendName) });
    }
    installed.push({ ...fill, backendName });
  }
  return installed;
}

/** Puts tfjs's own kernels back (tests use it to show what the fills fix). */
export function uninstallKernelFills(backendName: string): void {
  for (const fill of KERNEL_FILLS) {
    const key = keyOf(fill.kernelName, backendName);
    if (!builtins.has(key)) continue;
    unregisterKernel(fill.kernelName, backendName);
    const original = builtins.get(key);
    if (original) registerKernel(original);
    builtins.delete(key);
  }
}
