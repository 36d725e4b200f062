import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { getKernel, type KernelFunc, type NamedAttrMap, type NamedTensorInfoMap, type TensorInfo } from '@tensorflow/tfjs-core';

export const BACKEND_NAME = 'native';

/**
 * The cpu backend's Float32Array for a float32 tensor, used in place. Some cpu kernels store
 * float32 results in other containers (a plain array, an Int32Array); those are converted once and
 * the converted array is stored back so later reads are free.
 */
export function f32(backend: MathBackendCPU, t: TensorInfo): Float32Array {
  const data = backend.data.get(t.dataId);
  const v = data?.values;
  if (v instanceof Float32Array) return v;
  if (t.dtype !== 'float32' || !data || v === undefined || typeof (v as ArrayLike<unknown>).length !== 'number') {
    throw new Error(`native kernels need float32 data, got dtype ${t.dtype}`);
  }
  const converted = Float32Array.from(v as ArrayLike<number>);
  data.values = converted;
  return converted;
}

const UNZEROED_MIN = 4096;

/**
 * A kernel output buffer, every element of which the kernel writes. Large ones skip V8's zero-fill
 * (Buffer.allocUnsafeSlow: an ArrayBuffer of its own, offset 0, V8-managed). malloc-backed external
 * ArrayBuffers were tried and measured 2× slower overall.
 */
export function allocOutput(n: number): Float32Array {
  if (n < UNZEROED_MIN) return new Float32Array(n);
  return new Float32Array(Buffer.allocUnsafeSlow(n * 4).buffer, 0, n);
}

export function output(backend: MathBackendCPU, shape: number[], values: Float32Array): TensorInfo {
  return backend.makeTensorInfo(shape, 'float32', values);
}

export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Runs another kernel registered on this backend (native override or the copied cpu kernel). */
export function run(backend: MathBackendCPU, name: string, inputs: NamedTensorInfoMap, attrs: object = {}): TensorInfo {
  const k = getKernel(name, BACKEND_NAME);
  if (!k) throw new Error(`kernel ${name} is not registered for backend '${BACKEND_NAME}'`);
  return k.kernelFunc({ inputs, backend, attrs: attrs as NamedAttrMap }) as TensorInfo;
}

/** The cpu backend's own implementation of a kernel, for cases native does not handle. */
export function cpuKernel(name: string): KernelFunc {
  const k = getKernel(name, 'cpu');
  if (!k) throw new Error(`kernel ${name} is not registered for backend 'cpu'`);
  return k.kernelFunc;
}
