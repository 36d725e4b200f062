import { type KernelBackend, type KernelFunc, slice_util, type TensorInfo, type TypedArray } from '@tensorflow/tfjs-core';
import { builtinKernel } from './registry.js';

/*
 * Slice and PadV2 as block copies. tfjs's cpu kernels compute every element's multi-index (~1 ms
 * for one 3×3×256×512 slice); slimmable layers slice every weight and BN vector of every narrow
 * subnet and the gradient of each slice is a pad, so these two dominated a sandwich step. Here the
 * trailing axes that are copied whole merge into one contiguous run per outer index.
 */

type Values = Float32Array | Int32Array;

function isCopyable(backend: KernelBackend, x: TensorInfo): Values | undefined {
  if (x.dtype !== 'float32' && x.dtype !== 'int32' && x.dtype !== 'bool') return undefined;
  const v = backend.readSync(x.dataId) as TypedArray;
  return v instanceof Float32Array || v instanceof Int32Array ? v : undefined;
}

function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = (s[i + 1] as number) * (shape[i + 1] as number);
  return s;
}

/**
 * Copies the box `size` at `srcBegin` of `src` (shape `srcShape`) to `dstBegin` of `dst`
 * (shape `dstShape`). Axes after `k` are whole in both, so each outer index moves one run.
 */
function copyBox(
  src: Values,
  srcShape: readonly number[],
  srcBegin: readonly number[],
  dst: Values,
  dstShape: readonly number[],
  dstBegin: readonly number[],
  size: readonly number[],
): void {
  const rank = size.length;
  if (rank === 0) {
    dst[0] = src[0] as number;
    return;
  }
  let k = rank - 1;
  while (k > 0 && size[k] === srcShape[k] && size[k] === dstShape[k]) k--;
  const srcStrides = stridesOf(srcShape);
  const dstStrides = stridesOf(dstShape);
  const run = (size[k] as number) * (srcStrides[k] as number);
  if (run === 0) return;
  const outer = size.slice(0, k);
  const count = outer.reduce((a, b) => a * b, 1);
  const idx = new Array<number>(k).fill(0);
  for (let n = 0; n < count; n++) {
    let s = (srcBegin[k] as number) * (srcStrides[k] as number);
    let d = (dstBegin[k] as number) * (dstStrides[k] as number);
    for (let a = 0; a < k; a++) {
      s += ((srcBegin[a] as number) + (idx[a] as number)) * (srcStrides[a] as number);
      d += ((dstBegin[a] as number) + (idx[a] as number)) * (dstStrides[a] as number);
    }
    dst.set(src.subarray(s, s + run), d);
    for (let a = k - 1; a >= 0; a--) {
      idx[a] = (idx[a] as number) + 1;
      if ((idx[a] as number) < (outer[a] as number)) break;
      idx[a] = 0;
    }
  }
}

function fallback(kernelName: string, backendName: string): KernelFunc {
  const builtin = builtinKernel(kernelName, backendName);
  if (!builtin) throw new Error(`${kernelName} has no built-in kernel on ${backendName}`);
  return builtin.kernelFunc;
}

export function fastSlice(backendName: string): KernelFunc {
  return (args) => {
    const { attrs } = args;
    const backend = args.backend as KernelBackend;
    const { x } = args.inputs as { x: TensorInfo };
    const values = isCopyable(backend, x);
    if (values === undefined) return fallback('Slice', backendName)(args);
    const { begin, size } = attrs as unknown as { begin: number | number[]; size?: number | number[] };
    const [b, s] = slice_util.parseSliceParams(x, begin, size) as [number[], number[]];
    slice_util.assertParamsValid(x, b, s);
    const out = new (values instanceof Float32Array ? Float32Array : Int32Array)(s.reduce((p, q) => p * q, 1));
    copyBox(values, x.shape, b, out, s, new Array<number>(s.length).fill(0), s);
    return { dataId: backend.write(out, s, x.dtype), shape: s, dtype: x.dtype };
  };
}

export function fastPad(backendName: string): KernelFunc {
  return (args) => {
    const { attrs } = args;
    const backend = args.backend as KernelBackend;
    const { x } = args.inputs as { x: TensorInfo };
    const values = isCopyable(backend, x);
    if (values === undefined) return fallback('PadV2', backendName)(args);
    const { paddings, constantValue } = attrs as unknown as { paddings: [number, number][]; constantValue: number };
    const shape = x.shape.map((n, i) => (paddings[i]?.[0] ?? 0) + n + (paddings[i]?.[1] ?? 0));
    const out = new (values instanceof Float32Array ? Float32Array : Int32Array)(shape.reduce((p, q) => p * q, 1));
    if (constantValue !== 0) out.fill(constantValue);
    copyBox(
      values,
      x.shape,
      new Array<number>(x.shape.length).fill(0),
      out,
      shape,
      paddings.map((p) => p[0]),
      x.shape,
    );
    return { dataId: backend.write(out, shape, x.dtype), shape, dtype: x.dtype };
  };
}
