import { backend_util, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { AdaptNetError } from '../errors.js';
import { composed, type KernelScope } from './compose.js';

/*
 * Convolution gradients composed from forward convolutions of the same backend:
 * - weight gradient = ONE convolution of x (batch moved to channels) with dy as the filter,
 *   dilated by the forward stride;
 * - input gradient = zero-insertion of dy + ONE convolution with the flipped, transposed filter.
 * This reuses the backend's fastest primitive (XNNPACK on wasm) for all three passes.
 */

type Pads2 = { top: number; bottom: number; left: number; right: number };

function channelsLastOnly(dataFormat: unknown, kernel: string): void {
  if (dataFormat !== undefined && dataFormat !== 'NHWC' && dataFormat !== 'channelsLast') {
    throw new AdaptNetError('E_KERNEL', `${kernel}: only NHWC is supported, got dataFormat ${String(dataFormat)}`);
  }
}

function explicitPad(p: Pads2): [number, number][] {
  return [
    [0, 0],
    [p.top, p.bottom],
    [p.left, p.right],
    [0, 0],
  ];
}

/** Zero-inserts an NHWC tensor along H and W, keeping `s - 1` trailing zeros on each axis. */
function zeroInsert2d(scope: KernelScope, x: TensorInfo, sh: number, sw: number): TensorInfo {
  if (sh === 1 && sw === 1) return x;
  const [b, h, w, c] = x.shape as [number, number, number, number];
  const r = scope.reshape(x, [b, h, 1, w, 1, c]);
  const p = scope.pad(r, [
    [0, 0],
    [0, 0],
    [0, sh - 1],
    [0, 0],
    [0, sw - 1],
    [0, 0],
  ]);
  return scope.reshape(p, [b, h * sh, w * sw, c]);
}

/**
 * Pads (or crops) the zero-inserted gradient so that a VALID stride-1 correlation with the flipped
 * kernel yields the input gradient. `len` is the zero-inserted length (trailing zeros included).
 */
function fullCorrelationPads(inSize: number, effKernel: number, padBefore: number, len: number): [number, number] {
  return [effKernel - 1 - padBefore, inSize + padBefore - len];
}

/** Runs the flipped-kernel correlation, folding non-negative padding into the conv itself. */
function correlateFlipped(
  scope: KernelScope,
  kernelName: 'Conv2D' | 'DepthwiseConv2dNative',
  dyZ: TensorInfo,
  filterFlipped: TensorInfo,
  pads: [[number, number], [number, number]],
): TensorInfo {
  const [[pt, pb], [pl, pr]] = pads;
  const attrs = { strides: [1, 1], dilations: [1, 1], dataFormat: 'NHWC', dimRoundingMode: undefined };
  if (pt >= 0 && pb >= 0 && pl >= 0 && pr >= 0) {
    return scope.run(
      kernelName,
      { x: dyZ, filter: filterFlipped },
      { ...attrs, pad: explicitPad({ top: pt, bottom: pb, left: pl, right: pr }) },
    );
  }
  const cropped = scope.padOrCrop(dyZ, [
    [0, 0],
    [pt, pb],
    [pl, pr],
    [0, 0],
  ]);
  return scope.run(kernelName, { x: cropped, filter: filterFlipped }, { ...attrs, pad: 'valid' });
}

export function conv2dBackpropInput(backendName: string): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as {
      strides: [number, number] | number;
      pad: backend_util.ExplicitPadding | 'same' | 'valid' | number;
      dataFormat: string;
      dimRoundingMode?: 'floor' | 'round' | 'ceil';
      inputShape: [number, number, number, number];
    };
    channelsLastOnly(dataFormat, 'Conv2DBackpropInput');
    const info = backend_util.computeConv2DInfo(
      inputShape,
      filter.shape as [number, number, number, number],
      strides,
      1,
      pad,
      dimRoundingMode,
    );
    return composed(backend, backendName, (s) => {
      const dyZ = zeroInsert2d(s, dy, info.strideHeight, info.strideWidth);
      // [kh, kw, ci, co] -> flipped spatially, in/out swapped: [kh, kw, co, ci]
      const wFlip = s.transpose(s.reverse(filter, [0, 1]), [0, 1, 3, 2]);
      return correlateFlipped(s, 'Conv2D', dyZ, wFlip, [
        fullCorrelationPads(info.inHeight, info.filterHeight, info.padInfo.top, dyZ.shape[1] as number),
        fullCorrelationPads(info.inWidth, info.filterWidth, info.padInfo.left, dyZ.shape[2] as number),
      ]);
    });
  };
}

export function conv2dBackpropFilter(backendName: string): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as {
      strides: [number, number] | number;
      pad: backend_util.ExplicitPadding | 'same' | 'valid' | number;
      dataFormat: string;
      dimRoundingMode?: 'floor' | 'round' | 'ceil';
      filterShape: [number, number, number, number];
    };
    channelsLastOnly(dataFormat, 'Conv2DBackpropFilter');
    const info = backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode);
    return composed(backend, backendName, (s) => {
      const xT = s.transpose(x, [3, 1, 2, 0]); // [ci, h, w, b]: channels become the batch
      const dyT = s.transpose(dy, [1, 2, 0, 3]); // [oh, ow, b, co]: dy becomes the filter
      const out = s.run(
        'Conv2D',
        { x: xT, filter: dyT },
        { strides: [1, 1], dilations: [info.strideHeight, info.strideWidth], pad: explicitPad(info.padInfo), dataFormat: 'NHWC' },
      );
      const [ci, , , co] = out.shape as [number, number, number, number];
      const cut = s.slice(out, [0, 0, 0, 0], [ci, info.filterHeight, info.filterWidth, co]);
      return s.transpose(cut, [1, 2, 0, 3]);
    });
  };
}

export function depthwiseBackpropInput(backendName: string): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
    const { strides, pad, dimRoundingMode, inputShape } = attrs as unknown as {
      strides: [number, number] | number;
      pad: backend_util.ExplicitPadding | 'same' | 'valid' | number;
      dimRoundingMode?: 'floor' | 'round' | 'ceil';
      inputShape: [number, number, number, number];
    };
    const [kh, kw, ci, mult] = filter.shape as [number, number, number, number];
    const info = backend_util.computeConv2DInfo(inputShape, [kh, kw, ci, mult], strides, 1, pad, dimRoundingMode, true);
    return composed(backend, backendName, (s) => {
      const [b, oh, ow] = dy.shape as [number, number, number, number];
      // Channel order (ci, q) -> (q, ci) so that each of the `mult` groups is a plain depthwise conv.
      let dyG = dy;
      let wG = s.reverse(filter, [0, 1]);
      if (mult > 1) {
        dyG = s.reshape(s.transpose(s.reshape(dy, [b, oh, ow, ci, mult]), [0, 1, 2, 4, 3]), [b, oh, ow, mult * ci]);
        wG = s.reshape(s.transpose(wG, [0, 1, 3, 2]), [kh, kw, mult * ci, 1]);
      }
      const dyZ = zeroInsert2d(s, dyG, info.strideHeight, info.strideWidth);
      const out = correlateFlipped(s, 'DepthwiseConv2dNative', dyZ, wG, [
        fullCorrelationPads(info.inHeight, kh, info.padInfo.top, dyZ.shape[1] as number),
        fullCorrelationPads(info.inWidth, kw, info.padInfo.left, dyZ.shape[2] as number),
      ]);
      if (mult === 1) return out;
      const [, h, w] = inputShape;
      const grouped = s.reshape(out, [b * h * w, mult, ci]);
      return s.reshape(s.run('Sum', { x: grouped }, { axis: [1], keepDims: false }), [b, h, w, ci]);
    });
  };
}

export function depthwiseBackpropFilter(backendName: string): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const { strides, pad, dimRoundingMode, filterShape } = attrs as unknown as {
      strides: [number, number] | number;
      pad: backend_util.ExplicitPadding | 'same' | 'valid' | number;
      dimRoundingMode?: 'floor' | 'round' | 'ceil';
      filterShape: [number, number, number, number];
    };
    const [kh, kw, ci, mult] = filterShape;
    const info = backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filterShape,
      strides,
      1,
      pad,
      dimRoundingMode,
      true,
    );
    return composed(backend, backendName, (s) => {
      const [b, h, w] = x.shape as [number, number, number, number];
      const [, oh, ow] = dy.shape as [number, number, number, number];
      // Fold the batch into channels: one depthwise conv over b*ci channels, dy as the filter.
      const xF = s.reshape(s.transpose(x, [1, 2, 0, 3]), [1, h, w, b * ci]);
      const dyF = s.reshape(s.transpose(dy, [1, 2, 0, 3]), [oh, ow, b * ci, mult]);
      const out = s.run(
        'DepthwiseConv2dNative',
        { x: xF, filter: dyF },
        { strides: [1, 1], dilations: [info.strideHeight, info.strideWidth], pad: explicitPad(info.padInfo), dataFormat: 'NHWC' },
      );
      const cut = s.slice(out, [0, 0, 0, 0], [1, kh, kw, b * ci * mult]);
      const perTap = s.reshape(cut, [kh * kw, b, ci * mult]);
      return s.reshape(s.run('Sum', { x: perTap }, { axis: [1], keepDims: false }), [kh, kw, ci, mult]);
    });
  };
}
