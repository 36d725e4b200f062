import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { KernelConfig, KernelFunc, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { BACKEND_NAME, run } from './kernel-utils.js';

type Activation = 'linear' | 'relu' | 'relu6' | 'elu' | 'sigmoid' | 'leakyrelu' | 'prelu';

/**
 * The cpu backend's fused kernels call its own conv/matMul directly, bypassing the registry; these
 * re-compose them from the registered (native) kernels: op, + bias, activation.
 */
function fused(opName: string, opInputs: (inputs: NamedTensorInfoMap) => NamedTensorInfoMap): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const be = backend as MathBackendCPU;
    const { bias, preluActivationWeights } = inputs as { bias?: TensorInfo; preluActivationWeights?: TensorInfo };
    const { activation, leakyreluAlpha } = attrs as unknown as { activation: Activation; leakyreluAlpha?: number };
    const temps: TensorInfo[] = [];
    const step = (t: TensorInfo) => {
      temps.push(t);
      return t;
    };
    try {
      let y = step(run(be, opName, opInputs(inputs), attrs));
      if (bias) y = step(run(be, 'Add', { a: y, b: bias }));
      switch (activation ?? 'linear') {
        case 'linear':
          break;
        case 'relu':
          y = step(run(be, 'Relu', { x: y }));
          break;
        case 'relu6':
          y = step(run(be, 'Relu6', { x: y }));
          break;
        case 'elu':
          y = step(run(be, 'Elu', { x: y }));
          break;
        case 'sigmoid':
          y = step(run(be, 'Sigmoid', { x: y }));
          break;
        case 'leakyrelu':
          y = step(run(be, 'LeakyRelu', { x: y }, { alpha: leakyreluAlpha ?? 0.2 }));
          break;
        case 'prelu':
          y = step(run(be, 'Prelu', { x: y, alpha: preluActivationWeights as TensorInfo }));
          break;
        default:
          throw new Error(`unsupported fused activation '${String(activation)}'`);
      }
      temps.pop();
      return y;
    } finally {
      for (const t of temps) be.disposeIntermediateTensorInfo(t);
    }
  };
}

export function fusedKernels(): KernelConfig[] {
  return [
    {
      kernelName: 'FusedConv2D',
      backendName: BACKEND_NAME,
      kernelFunc: fused('Conv2D', (i) => ({ x: i.x as TensorInfo, filter: i.filter as TensorInfo })),
    },
    {
      kernelName: 'FusedDepthwiseConv2D',
      backendName: BACKEND_NAME,
      kernelFunc: fused('DepthwiseConv2dNative', (i) => ({ x: i.x as TensorInfo, filter: i.filter as TensorInfo })),
    },
    {
      kernelName: '_FusedMatMul',
      backendName: BACKEND_NAME,
      kernelFunc: fused('BatchMatMul', (i) => ({ a: i.a as TensorInfo, b: i.b as TensorInfo })),
    },
  ];
}
