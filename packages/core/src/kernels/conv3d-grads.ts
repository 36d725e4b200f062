import { backend_util, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { KernelScope } from './compose.js';
import { composed } from './compose.js';

/*
 * Conv3D gradients composed from the backend's forward Conv3D (wasm's own Conv3DBackpropInputV2
 * reads uninitialised memory and returns wrong, run-dependent values).
 */

type Conv3DAttrs = {
  strides: [number, number, number] | number;
  pad: 'same' | 'valid';
  inputShape?: [number, number, number, number, number];
  filterShape?: [number, number, number, number, number];
};

/** Zero-inserts NDHWC along D, H, W, keeping `s - 1` trailing zeros on each axis. */
function zeroInsert3d(s: KernelScope, x: TensorInfo, sd: number, sh: number, sw: number): TensorInfo {
  if (sd === 1 && sh === 1 && sw === 1) return x;
  const [b, d, h, w, c] = x.shape as [number, number, number, number, number];
  const alongD = s.reshape(
    s.pad(s.reshape(x, [b, d, 1, h * w * c]), [
      [0, 0],
      [0, 0],
      [0, sd - 1],
      [0, 0],
    ]),
    [b * d * sd, h, 1, w, 1, c],
  );
  const alongHW = s.pad(alongD, [
    [0, 0],
    [0, 0],
    [0, sh - 1],
    [0, 0],
    [0, sw - 1],
    [0, 0],
  ]);
  return s.reshape(alongHW, [b, d * sd, h * sh, w * sw, c]);
}

const VALID_3D = { strides: [1, 1, 1], dilations: [1, 1, 1], pad: 'valid', dataFormat: 'NDHWC' };

export function conv3dBackpropInput(backendName: string): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
    const { strides, pad, inputShape } = attrs as unknown as Conv3DAttrs & { inputShape: [number, number, number, number, number] };
    const fShape = filter.shape as [number, number, number, number, number];
    const info = backend_util.computeConv3DInfo(inputShape, fShape, strides, 1, pad);
    return composed(backend, backendName, (s) => {
      const dyZ = zeroInsert3d(s, dy, info.strideDepth, info.strideHeight, info.strideWidth);
      const p = info.padInfo;
      const full = (inSize: number, k: number, before: number, len: number): [number, number] => [k - 1 - before, inSize + before - len];
      const padded = s.padOrCrop(dyZ, [
        [0, 0],
        full(info.inDepth, info.filterDepth, p.front, dyZ.shape[1] as number),
        full(info.inHeight, info.filterHeight, p.top, dyZ.shape[2] as number),
        full(info.inWidth, info.filterWidth, p.left, dyZ.shape[3] as number),
        [0, 0],
      ]);
      const wFlip = s.transpose(s.reverse(filter, [0, 1, 2]), [0, 1, 2, 4, 3]);
      return s.run('Conv3D', { x: padded, filter: wFlip }, VALID_3D);
    });
  };
}

export function conv3dBackpropFilter(backendName: string): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const { strides, pad, filterShape } = attrs as unknown as Conv3DAttrs & { filterShape: [number, number, number, number, number] };
    const info = backend_util.computeConv3DInfo(x.shape as [number, number, number, number, number], filterShape, strides, 1, pad);
    return composed(backend, backendName, (s) => {
      const p = info.padInfo;
      const xP = s.padOrCrop(x, [
        [0, 0],
        [p.front, p.back],
        [p.top, p.bottom],
        [p.left, p.right],
        [0, 0],
      ]);
      const xT = s.transpose(xP, [4, 1, 2, 3, 0]); // [ci, d, h, w, b]
      const dyT = s.transpose(dy, [1, 2, 3, 0, 4]); // [od, oh, ow, b, co]
      const out = s.run(
        'Conv3D',
        { x: xT, filter: dyT },
        { ...VALID_3D, dilations: [info.strideDepth, info.strideHeight, info.strideWidth] },
      );
      const [ci, , , , co] = out.shape as [number, number, number, number, number];
      const cut = s.slice(out, [0, 0, 0, 0, 0], [ci, info.filterDepth, info.filterHeight, info.filterWidth, co]);
      return s.transpose(cut, [1, 2, 3, 0, 4]);
    });
  };
}
