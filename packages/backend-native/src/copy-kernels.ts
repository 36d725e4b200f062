import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { type KernelConfig, type KernelFunc, slice_util, type TensorInfo, util } from '@tensorflow/tfjs-core';
import type { NativeAddon } from './addon.js';
import { allocOutput, BACKEND_NAME, cpuKernel, f32, output, sizeOf } from './kernel-utils.js';

/*
 * Data movement as strided block copies (native copyBlocks: one memcpy per block, OpenMP over
 * blocks): Concat and SplitV (its gradient) on any axis, GatherV2 (batchDims 0) and its gradient's
 * UnsortedSegmentSum and Transpose (permutations that keep a trailing block in place), and Slice /
 * PadV2 that cut or pad one axis. Anything else (other dtypes, several sliced or padded axes, an index out
 * of range) runs the cpu kernel, which also raises its errors.
 */

const prod = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);

/** Splits a shape around `axis`: elements before it (outer), its length, and after it (inner). */
function around(shape: readonly number[], axis: number): { outer: number; dim: number; inner: number } {
  return { outer: prod(shape.slice(0, axis)), dim: shape[axis] as number, inner: prod(shape.slice(axis + 1)) };
}

function concatKernel(addon: NativeAddon): KernelConfig {
  const fallback = cpuKernel('Concat');
  const kernelFunc: KernelFunc = (args) => {
    const inputs = Object.values(args.inputs) as TensorInfo[];
    const nonEmpty = inputs.filter((t) => sizeOf(t.shape) > 0);
    const first = inputs[0];
    if (!first || nonEmpty.length < 2 || inputs.some((t) => t.dtype !== 'float32' || t.shape.length !== first.shape.length)) {
      return fallback(args);
    }
    const axis = util.parseAxisParam((args.attrs as { axis: number | number[] }).axis, first.shape)[0] as number;
    if (inputs.some((t) => t.shape.some((d, i) => i !== axis && d !== first.shape[i]))) return fallback(args);
    const outShape = [...first.shape];
    outShape[axis] = inputs.reduce((s, t) => s + (t.shape[axis] as number), 0);
    const be = args.backend as MathBackendCPU;
    const { outer, dim, inner } = around(outShape, axis);
    const out = allocOutput(sizeOf(outShape));
    let offset = 0;
    for (const t of nonEmpty) {
      const len = (t.shape[axis] as number) * inner;
      addon.copyBlocks(f32(be, t), out, outer, len, len, dim * inner, 0, offset);
      offset += len;
    }
    return output(be, outShape, out);
  };
  return { kernelName: 'Concat', backendName: BACKEND_NAME, kernelFunc };
}

/** Split sizes of tf.split: a count of equal parts, or sizes with at most one -1 (the rest). */
function splitSizes(dim: number, numOrSizeSplits: number | number[]): number[] | null {
  if (typeof numOrSizeSplits === 'number') {
    return dim % numOrSizeSplits === 0 ? new Array<number>(numOrSizeSplits).fill(dim / numOrSizeSplits) : null;
  }
  const rest = numOrSizeSplits.filter((s) => s === -1).length;
  if (rest > 1) return null;
  const known = numOrSizeSplits.reduce((s, v) => (v === -1 ? s : s + v), 0);
  const sizes = numOrSizeSplits.map((s) => (s === -1 ? dim - known : s));
  return sizes.every((s) => Number.isInteger(s) && s >= 0) && sizes.reduce((a, b) => a + b, 0) === dim ? sizes : null;
}

function splitKernel(addon: NativeAddon): KernelConfig {
  const fallback = cpuKernel('SplitV');
  const kernelFunc: KernelFunc = (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const attrs = args.attrs as { numOrSizeSplits: number | number[]; axis: number };
    if (x.dtype !== 'float32') return fallback(args);
    const axis = util.parseAxisParam(attrs.axis, x.shape)[0] as number;
    const { outer, dim, inner } = around(x.shape, axis);
    const sizes = splitSizes(dim, attrs.numOrSizeSplits);
    if (!sizes) return fallback(args);
    const be = args.backend as MathBackendCPU;
    const src = f32(be, x);
    let offset = 0;
    return sizes.map((s) => {
      const shape = [...x.shape];
      shape[axis] = s;
      const out = allocOutput(sizeOf(shape));
      addon.copyBlocks(src, out, outer, s * inner, dim * inner, s * inner, offset, 0);
      offset += s * inner;
      return output(be, shape, out);
    });
  };
  return { kernelName: 'SplitV', backendName: BACKEND_NAME, kernelFunc };
}

function gatherKernel(addon: NativeAddon): KernelConfig {
  const fallback = cpuKernel('GatherV2');
  const kernelFunc: KernelFunc = (args) => {
    const { x, indices } = args.inputs as { x: TensorInfo; indices: TensorInfo };
    const attrs = args.attrs as { axis: number; batchDims?: number };
    if (x.dtype !== 'float32' || (attrs.batchDims ?? 0) !== 0) return fallback(args);
    const be = args.backend as MathBackendCPU;
    const axis = util.parseAxisParam(attrs.axis, x.shape)[0] as number;
    const { outer, dim, inner } = around(x.shape, axis);
    const idx = be.data.get(indices.dataId)?.values as ArrayLike<number> | undefined;
    if (!idx || Array.from(idx).some((i) => !Number.isInteger(i) || i < 0 || i >= dim)) return fallback(args);
    const outShape = [...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)];
    const n = idx.length;
    const out = allocOutput(sizeOf(outShape));
    const src = f32(be, x);
    for (let j = 0; j < n; j++) addon.copyBlocks(src, out, outer, inner, dim * inner, n * inner, (idx[j] as number) * inner, j * inner);
    return output(be, outShape, out);
  };
  return { kernelName: 'GatherV2', backendName: BACKEND_NAME, kernelFunc };
}

/** The one axis on which `a` and `b` differ, -1 when none, null when several. */
function singleAxis(a: readonly number[], b: readonly number[]): number | null {
  let axis = -1;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    if (axis >= 0) return null;
    axis = i;
  }
  return axis;
}

function sliceKernel(addon: NativeAddon): KernelConfig {
  const fallback = cpuKernel('Slice');
  const kernelFunc: KernelFunc = (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const attrs = args.attrs as { begin: number | number[]; size: number | number[] };
    if (x.dtype !== 'float32') return fallback(args);
    const [begin, size] = slice_util.parseSliceParams(x, attrs.begin, attrs.size) as [number[], number[]];
    const axis = singleAxis(size, x.shape);
    // No cut axis, or a contiguous cut: the cpu kernel returns a view without copying.
    if (axis === null || axis < 0 || slice_util.isSliceContinous(x.shape, begin, size)) return fallback(args);
    const be = args.backend as MathBackendCPU;
    const { outer, dim, inner } = around(x.shape, axis);
    const len = (size[axis] as number) * inner;
    const out = allocOutput(sizeOf(size));
    addon.copyBlocks(f32(be, x), out, outer, len, dim * inner, len, (begin[axis] as number) * inner, 0);
    return output(be, size, out);
  };
  return { kernelName: 'Slice', backendName: BACKEND_NAME, kernelFunc };
}

function padKernel(addon: NativeAddon): KernelConfig {
  const fallback = cpuKernel('PadV2');
  const kernelFunc: KernelFunc = (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const attrs = args.attrs as { paddings: [number, number][]; constantValue: number };
    if (x.dtype !== 'float32' || attrs.paddings.length !== x.shape.length) return fallback(args);
    const outShape = x.shape.map((d, i) => d + (attrs.paddings[i]?.[0] ?? 0) + (attrs.paddings[i]?.[1] ?? 0));
    const axis = singleAxis(outShape, x.shape);
    if (axis === null || axis < 0 || attrs.paddings.some(([a, b]) => a < 0 || b < 0)) return fallback(args);
    const be = args.backend as MathBackendCPU;
    const { outer, dim, inner } = around(x.shape, axis);
    const outDim = outShape[axis] as number;
    const out = allocOutput(sizeOf(outShape));
    addon.fill(out, attrs.constantValue ?? 0);
    const before = (attrs.paddings[axis] as [number, number])[0];
    addon.copyBlocks(f32(be, x), out, outer, dim * inner, dim * inner, outDim * inner, 0, before * inner);
    return output(be, outShape, out);
  };
  return { kernelName: 'PadV2', backendName: BACKEND_NAME, kernelFunc };
}

/**
 * UnsortedSegmentSum with 1-D segment ids over x's first axis (GatherV2's gradient): one pass,
 * where the cpu kernel builds a mask and a full reduction per segment (7.5 s for a SlowFast
 * fusion's frame resampling under load).
 */
function segmentSumKernel(addon: NativeAddon): KernelConfig {
  const fallback = cpuKernel('UnsortedSegmentSum');
  const kernelFunc: KernelFunc = (args) => {
    const { x, segmentIds } = args.inputs as { x: TensorInfo; segmentIds: TensorInfo };
    const { numSegments } = args.attrs as { numSegments: number };
    if (x.dtype !== 'float32' || segmentIds.dtype !== 'int32' || segmentIds.shape.length !== 1 || segmentIds.shape[0] !== x.shape[0]) {
      return fallback(args);
    }
    const be = args.backend as MathBackendCPU;
    const ids = be.data.get(segmentIds.dataId)?.values;
    if (!(ids instanceof Int32Array)) return fallback(args);
    const inner = prod(x.shape.slice(1));
    const outShape = [numSegments, ...x.shape.slice(1)];
    const out = allocOutput(sizeOf(outShape));
    addon.segmentSum(f32(be, x), ids, out, x.shape[0] as number, inner, numSegments);
    return output(be, outShape, out);
  };
  return { kernelName: 'UnsortedSegmentSum', backendName: BACKEND_NAME, kernelFunc };
}

/** Transposes that keep a trailing block of at least this many floats in place run as block copies. */
const TRANSPOSE_MIN_BLOCK = 64;

/**
 * Transpose whose permutation keeps the last axes in place (e.g. swapping N and T of [N, T, H, W,
 * C], as GatherV2's gradient does on a time axis): a copy of contiguous H·W·C blocks per outer index.
 */
function transposeKernel(addon: NativeAddon): KernelConfig {
  const fallback = cpuKernel('Transpose');
  const kernelFunc: KernelFunc = (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const { perm } = args.attrs as { perm: number[] };
    if (x.dtype !== 'float32') return fallback(args);
    let k = perm.length;
    while (k > 0 && perm[k - 1] === k - 1) k--;
    const inner = prod(x.shape.slice(k));
    const outerDims = perm.slice(0, k).map((p) => x.shape[p] as number);
    const blocks = prod(outerDims);
    if (k === 0 || inner < TRANSPOSE_MIN_BLOCK || blocks > 1 << 16) return fallback(args);
    const be = args.backend as MathBackendCPU;
    const outShape = perm.map((p) => x.shape[p] as number);
    const out = allocOutput(sizeOf(outShape));
    const src = f32(be, x);
    // Source strides (in blocks) of the outer input axes, taken in output order.
    const inStride = new Array<number>(k);
    for (let i = k - 1, s = 1; i >= 0; i--) {
      inStride[i] = s;
      s *= x.shape[i] as number;
    }
    const strideOut = perm.slice(0, k).map((p) => inStride[p] as number);
    const idx = new Array<number>(k).fill(0);
    for (let b = 0; b < blocks; b++) {
      let from = 0;
      for (let i = 0; i < k; i++) from += (idx[i] as number) * (strideOut[i] as number);
      addon.copyBlocks(src, out, 1, inner, inner, inner, from * inner, b * inner);
      for (let i = k - 1; i >= 0; i--) {
        idx[i] = (idx[i] as number) + 1;
        if ((idx[i] as number) < (outerDims[i] as number)) break;
        idx[i] = 0;
      }
    }
    return output(be, outShape, out);
  };
  return { kernelName: 'Transpose', backendName: BACKEND_NAME, kernelFunc };
}

export function copyKernels(addon: NativeAddon): KernelConfig[] {
  return [
    concatKernel(addon),
    splitKernel(addon),
    gatherKernel(addon),
    sliceKernel(addon),
    padKernel(addon),
    segmentSumKernel(addon),
    transposeKernel(addon),
  ];
}
