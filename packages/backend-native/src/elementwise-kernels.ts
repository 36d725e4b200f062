import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { backend_util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeAddon } from './addon.js';
import { allocOutput, BACKEND_NAME, cpuKernel, f32, output, sizeOf } from './kernel-utils.js';

const BINARY: Record<string, number> = { Add: 0, Sub: 1, Multiply: 2, RealDiv: 3, Maximum: 4, Minimum: 5, SquaredDifference: 6 };
const UNARY: Record<string, number> = {
  Relu: 0,
  Relu6: 1,
  Step: 2,
  Neg: 3,
  Square: 4,
  Sqrt: 5,
  Rsqrt: 6,
  Exp: 7,
  Log: 8,
  Abs: 9,
  Sigmoid: 10,
  Tanh: 11,
};
const REDUCE: Record<string, number> = { Sum: 0, Mean: 1, Max: 2, Min: 3 };

/** A float32 kernel with a cpu fallback for every other dtype. */
function float32Only(name: string, native: KernelFunc): KernelConfig {
  const fallback = cpuKernel(name);
  return {
    kernelName: name,
    backendName: BACKEND_NAME,
    kernelFunc: (args) =>
      (Object.values(args.inputs) as TensorInfo[]).every((t) => t.dtype === 'float32') ? native(args) : fallback(args),
  };
}

/** [outer, mid, inner] when the reduced axes are one contiguous block; null otherwise. */
function contiguousBlock(shape: readonly number[], axes: number[]): [number, number, number] | null {
  const sorted = [...axes].sort((a, b) => a - b);
  for (let i = 1; i < sorted.length; i++) if (sorted[i] !== (sorted[i - 1] as number) + 1) return null;
  const first = sorted[0] as number;
  const last = sorted.at(-1) as number;
  return [sizeOf(shape.slice(0, first)), sizeOf(shape.slice(first, last + 1)), sizeOf(shape.slice(last + 1))];
}

export function elementwiseKernels(addon: NativeAddon): KernelConfig[] {
  const configs: KernelConfig[] = [];
  for (const [name, op] of Object.entries(BINARY)) {
    configs.push(
      float32Only(name, ({ inputs, backend }) => {
        const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
        const be = backend as MathBackendCPU;
        const outShape = backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
        const out = allocOutput(sizeOf(outShape));
        addon.binary(op, f32(be, a), a.shape, f32(be, b), b.shape, out, outShape);
        return output(be, outShape, out);
      }),
    );
  }
  for (const [name, op] of Object.entries(UNARY)) {
    configs.push(
      float32Only(name, ({ inputs, backend, attrs }) => {
        const { x } = inputs as { x: TensorInfo };
        const be = backend as MathBackendCPU;
        const out = allocOutput(sizeOf(x.shape));
        addon.unary(op, f32(be, x), out, (attrs as { alpha?: number } | undefined)?.alpha ?? 0);
        return output(be, [...x.shape], out);
      }),
    );
  }
  for (const [name, op] of Object.entries(REDUCE)) {
    const fallback = cpuKernel(name);
    configs.push({
      kernelName: name,
      backendName: BACKEND_NAME,
      kernelFunc: (args) => {
        const { x } = args.inputs as { x: TensorInfo };
        // Sum/Mean name their axes `axis`, Max/Min `reductionIndices`.
        const { axis, reductionIndices, keepDims } = args.attrs as unknown as {
          axis?: number | number[];
          reductionIndices?: number | number[];
          keepDims: boolean;
        };
        const given = axis ?? reductionIndices ?? [];
        const axes = [...new Set((Array.isArray(given) ? given : [given]).map((a) => (a < 0 ? a + x.shape.length : a)))];
        const block = x.dtype === 'float32' && axes.length > 0 ? contiguousBlock(x.shape, axes) : null;
        if (!block) return fallback(args);
        const be = args.backend as MathBackendCPU;
        const [outer, mid, inner] = block;
        const out = allocOutput(outer * inner);
        addon.reduce(op, f32(be, x), out, outer, mid, inner);
        const outShape = keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
        return output(be, outShape, out);
      },
    });
  }
  return configs;
}
