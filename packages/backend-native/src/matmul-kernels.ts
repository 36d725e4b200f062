import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { type KernelConfig, type KernelFunc, type TensorInfo, util } from '@tensorflow/tfjs-core';
import type { NativeAddon } from './addon.js';
import { allocOutput, BACKEND_NAME, cpuKernel, f32, output, sizeOf } from './kernel-utils.js';

export function matMulKernels(addon: NativeAddon): KernelConfig[] {
  const fallback = cpuKernel('BatchMatMul');
  const batchMatMul: KernelFunc = (args) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const { transposeA, transposeB } = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
    const batchShapeA = a.shape.slice(0, -2);
    const batchShapeB = b.shape.slice(0, -2);
    const batchA = sizeOf(batchShapeA);
    const batchB = sizeOf(batchShapeB);
    // Native covers equal batches and a batch broadcast against a single matrix.
    const covered =
      a.dtype === 'float32' && b.dtype === 'float32' && (util.arraysEqual(batchShapeA, batchShapeB) || batchA === 1 || batchB === 1);
    if (!covered) return fallback(args);
    const m = transposeA ? (a.shape.at(-1) as number) : (a.shape.at(-2) as number);
    const k = transposeA ? (a.shape.at(-2) as number) : (a.shape.at(-1) as number);
    const n = transposeB ? (b.shape.at(-2) as number) : (b.shape.at(-1) as number);
    const kB = transposeB ? (b.shape.at(-1) as number) : (b.shape.at(-2) as number);
    if (k !== kB) {
      throw new Error(
        `Error in matMul: inner shapes (${k}) and (${kB}) of Tensors with shapes ${a.shape} and ${b.shape} and transposeA=${transposeA} and transposeB=${transposeB} must match.`,
      );
    }
    const batchShape = batchA >= batchB ? batchShapeA : batchShapeB;
    const outShape = [...batchShape, m, n];
    const be = args.backend as MathBackendCPU;
    const out = allocOutput(sizeOf(outShape));
    addon.matmul(f32(be, a), f32(be, b), out, batchA, batchB, m, k, n, transposeA, transposeB);
    return output(be, outShape, out);
  };
  return [{ kernelName: 'BatchMatMul', backendName: BACKEND_NAME, kernelFunc: batchMatMul }];
}
