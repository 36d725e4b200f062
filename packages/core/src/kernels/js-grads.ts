import { backend_util, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { AdaptNetError } from '../errors.js';
import { composed } from './compose.js';

/*
 * Gradients that are memory-bound scatters: plain JS loops over the backend's buffers are as fast
 * as anything composed, and (unlike the built-ins they replace) follow the forward formulas exactly.
 */

/** MaxPoolGrad: dy goes to the first maximum of each window (padding never wins). */
export function maxPoolGrad(backendName: string): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
    const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as {
      filterSize: [number, number] | number;
      strides: [number, number] | number;
      pad: 'same' | 'valid' | number | backend_util.ExplicitPadding;
      dimRoundingMode?: 'floor' | 'round' | 'ceil';
    };
    const info = backend_util.computePool2DInfo(
      input.shape as [number, number, number, number],
      filterSize,
      strides,
      1,
      pad,
      dimRoundingMode,
    );
    return composed(backend, backendName, (s) => {
      const x = s.read(input);
      const g = s.read(dy);
      const { batchSize: B, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
      const dx = new Float32Array(B * H * W * C);
      const best = new Float32Array(C);
      const arg = new Int32Array(C);
      for (let b = 0; b < B; b++) {
        for (let oh = 0; oh < OH; oh++) {
          const h0 = oh * info.strideHeight - info.padInfo.top;
          const hs = Math.max(0, h0);
          const he = Math.min(H, h0 + info.effectiveFilterHeight);
          for (let ow = 0; ow < OW; ow++) {
            const w0 = ow * info.strideWidth - info.padInfo.left;
            const ws = Math.max(0, w0);
            const we = Math.min(W, w0 + info.effectiveFilterWidth);
            arg.fill(-1);
            for (let h = hs; h < he; h += info.dilationHeight) {
              for (let w = ws; w < we; w += info.dilationWidth) {
                const base = ((b * H + h) * W + w) * C;
                for (let c = 0; c < C; c++) {
                  const v = x[base + c] as number;
                  if ((arg[c] as number) < 0 || v > (best[c] as number)) {
                    best[c] = v;
                    arg[c] = base + c;
                  }
                }
              }
            }
            const gBase = ((b * OH + oh) * OW + ow) * C;
            for (let c = 0; c < C; c++) {
              const a = arg[c] as number;
              if (a >= 0) dx[a] = (dx[a] as number) + (g[gBase + c] as number);
            }
          }
        }
      }
      return s.fromValues(dx, input.shape);
    });
  };
}

/** Source coordinate of an output index, exactly as tfjs/TF resize kernels compute it. */
function sourceScale(inSize: number, outSize: number, alignCorners: boolean): number {
  const effIn = alignCorners && outSize > 1 ? inSize - 1 : inSize;
  const effOut = alignCorners && outSize > 1 ? outSize - 1 : outSize;
  return effIn / effOut;
}

function nearestIndex(o: number, scale: number, inSize: number, alignCorners: boolean, halfPixel: boolean): number {
  const frac = halfPixel ? scale * (o + 0.5) : scale * o;
  const idx = Math.min(inSize - 1, alignCorners ? Math.round(frac) : Math.floor(frac));
  return halfPixel ? Math.max(0, idx) : idx;
}

function bilinearTaps(o: number, scale: number, inSize: number, halfPixel: boolean): [number, number, number] {
  const frac = halfPixel ? scale * (o + 0.5) - 0.5 : scale * o;
  const lo = Math.max(0, Math.floor(frac));
  const hi = Math.min(inSize - 1, Math.ceil(frac));
  return [lo, hi, frac - lo];
}

type ResizeGradAttrs = { alignCorners: boolean; halfPixelCenters: boolean };

/** The adjoint of tfjs's ResizeNearestNeighbor for any alignCorners/halfPixelCenters. */
export function resizeNearestNeighborGrad(backendName: string): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { images, dy } = inputs as { images: TensorInfo; dy: TensorInfo };
    const { alignCorners, halfPixelCenters } = attrs as unknown as ResizeGradAttrs;
    return composed(backend, backendName, (s) => {
      const [B, H, W, C] = images.shape as [number, number, number, number];
      const [, OH, OW] = dy.shape as [number, number, number, number];
      const g = s.read(dy);
      const dx = new Float32Array(B * H * W * C);
      const sh = sourceScale(H, OH, alignCorners);
      const sw = sourceScale(W, OW, alignCorners);
      const cols = Int32Array.from({ length: OW }, (_, ow) => nearestIndex(ow, sw, W, alignCorners, halfPixelCenters));
      for (let b = 0; b < B; b++) {
        for (let oh = 0; oh < OH; oh++) {
          const h = nearestIndex(oh, sh, H, alignCorners, halfPixelCenters);
          for (let ow = 0; ow < OW; ow++) {
            const dst = ((b * H + h) * W + (cols[ow] as number)) * C;
            const src = ((b * OH + oh) * OW + ow) * C;
            for (let c = 0; c < C; c++) dx[dst + c] = (dx[dst + c] as number) + (g[src + c] as number);
          }
        }
      }
      return s.fromValues(dx, images.shape);
    });
  };
}

/** The adjoint of tfjs's ResizeBilinear for any alignCorners/halfPixelCenters. */
export function resizeBilinearGrad(backendName: string): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { images, dy } = inputs as { images: TensorInfo; dy: TensorInfo };
    const { alignCorners, halfPixelCenters } = attrs as unknown as ResizeGradAttrs;
    return composed(backend, backendName, (s) => {
      const [B, H, W, C] = images.shape as [number, number, number, number];
      const [, OH, OW] = dy.shape as [number, number, number, number];
      const g = s.read(dy);
      const dx = new Float32Array(B * H * W * C);
      const sh = sourceScale(H, OH, alignCorners);
      const sw = sourceScale(W, OW, alignCorners);
      const colTaps = Array.from({ length: OW }, (_, ow) => bilinearTaps(ow, sw, W, halfPixelCenters));
      for (let b = 0; b < B; b++) {
        for (let oh = 0; oh < OH; oh++) {
          const [top, bot, fy] = bilinearTaps(oh, sh, H, halfPixelCenters);
          for (let ow = 0; ow < OW; ow++) {
            const [left, right, fx] = colTaps[ow] as [number, number, number];
            const src = ((b * OH + oh) * OW + ow) * C;
            const tl = ((b * H + top) * W + left) * C;
            const tr = ((b * H + top) * W + right) * C;
            const bl = ((b * H + bot) * W + left) * C;
            const br = ((b * H + bot) * W + right) * C;
            const wtl = (1 - fy) * (1 - fx);
            const wtr = (1 - fy) * fx;
            const wbl = fy * (1 - fx);
            const wbr = fy * fx;
            for (let c = 0; c < C; c++) {
              const v = g[src + c] as number;
              dx[tl + c] = (dx[tl + c] as number) + v * wtl;
              dx[tr + c] = (dx[tr + c] as number) + v * wtr;
              dx[bl + c] = (dx[bl + c] as number) + v * wbl;
              dx[br + c] = (dx[br + c] as number) + v * wbr;
            }
          }
        }
      }
      return s.fromValues(dx, images.shape);
    });
  };
}

/** UnsortedSegmentSum (the gradient of gather); ids outside [0, numSegments) are dropped, as in TF. */
export function unsortedSegmentSum(backendName: string): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
    const { numSegments } = attrs as unknown as { numSegments: number };
    if (x.dtype !== 'float32' && x.dtype !== 'int32') {
      throw new AdaptNetError('E_KERNEL', `UnsortedSegmentSum: dtype ${x.dtype} is not supported (float32, int32)`);
    }
    return composed(backend, backendName, (s) => {
      const ids = s.read(segmentIds);
      const v = s.read(x);
      const inner = ids.length === 0 ? 0 : v.length / ids.length;
      const out = x.dtype === 'int32' ? new Int32Array(numSegments * inner) : new Float32Array(numSegments * inner);
      for (let i = 0; i < ids.length; i++) {
        const seg = ids[i] as number;
        if (seg < 0 || seg >= numSegments) continue;
        for (let j = 0; j < inner; j++) out[seg * inner + j] = (out[seg * inner + j] as number) + (v[i * inner + j] as number);
      }
      return s.fromValues(out, [numSegments, ...x.shape.slice(segmentIds.shape.length)], x.dtype);
    });
  };
}

type PoolGradAttrs = {
  filterSize: number[] | number;
  strides: number[] | number;
  pad: 'same' | 'valid' | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
};

/**
 * AvgPoolGrad / AvgPool3DGrad: each output spreads dy evenly over the in-bounds elements of its
 * window — the count the forward pass divides by. (tfjs's built-ins divide by the full window
 * size, which is wrong at 'same'-padded borders.)
 */
export function avgPoolGrad(backendName: string, spatialRank: 2 | 3): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
    const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as PoolGradAttrs;
    let inSp: number[];
    let outSp: number[];
    let k: number[];
    let st: number[];
    let before: number[];
    if (spatialRank === 2) {
      const i = backend_util.computePool2DInfo(
        input.shape as [number, number, number, number],
        filterSize as [number, number],
        strides as [number, number],
        1,
        pad,
        dimRoundingMode,
      );
      [inSp, outSp, k, st, before] = [
        [i.inHeight, i.inWidth],
        [i.outHeight, i.outWidth],
        [i.filterHeight, i.filterWidth],
        [i.strideHeight, i.strideWidth],
        [i.padInfo.top, i.padInfo.left],
      ];
    } else {
      const i = backend_util.computePool3DInfo(
        input.shape as [number, number, number, number, number],
        filterSize as [number, number, number],
        strides as [number, number, number],
        1,
        pad as 'same' | 'valid' | number,
        dimRoundingMode,
      );
      [inSp, outSp, k, st, before] = [
        [i.inDepth, i.inHeight, i.inWidth],
        [i.outDepth, i.outHeight, i.outWidth],
        [i.filterDepth, i.filterHeight, i.filterWidth],
        [i.strideDepth, i.strideHeight, i.strideWidth],
        [i.padInfo.front, i.padInfo.top, i.padInfo.left],
      ];
    }
    return composed(backend, backendName, (s) => {
      const g = s.read(dy);
      const B = input.shape[0] as number;
      const C = input.shape[input.shape.length - 1] as number;
      const inCount = inSp.reduce((a, b) => a * b, 1);
      const outCount = outSp.reduce((a, b) => a * b, 1);
      const dx = new Float32Array(B * inCount * C);
      // Per output position: the in-bounds [start, end) range along each spatial axis.
      const lo = new Int32Array(spatialRank);
      const hi = new Int32Array(spatialRank);
      const pos = new Int32Array(spatialRank);
      for (let o = 0; o < outCount; o++) {
        let rem = o;
        let count = 1;
        for (let a = spatialRank - 1; a >= 0; a--) {
          const oa = rem % (outSp[a] as number);
          rem = Math.floor(rem / (outSp[a] as number));
          const start = oa * (st[a] as number) - (before[a] as number);
          lo[a] = Math.max(0, start);
          hi[a] = Math.min(inSp[a] as number, start + (k[a] as number));
          count *= (hi[a] as number) - (lo[a] as number);
        }
        if (count <= 0) continue;
        const inv = 1 / count;
        pos.set(lo);
        for (;;) {
          let flat = 0;
          for (let a = 0; a < spatialRank; a++) flat = flat * (inSp[a] as number) + (pos[a] as number);
          for (let b = 0; b < B; b++) {
            const src = (b * outCount + o) * C;
            const dst = (b * inCount + flat) * C;
            for (let c = 0; c < C; c++) dx[dst + c] = (dx[dst + c] as number) + (g[src + c] as number) * inv;
          }
          let a = spatialRank - 1;
          while (a >= 0) {
            pos[a] = (pos[a] as number) + 1;
            if ((pos[a] as number) < (hi[a] as number)) break;
            pos[a] = lo[a] as number;
            a--;
          }
          if (a < 0) break;
        }
      }
      return s.fromValues(dx, input.shape);
    });
  };
}
