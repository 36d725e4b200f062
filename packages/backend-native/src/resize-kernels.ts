import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeAddon, ResizeFn } from './addon.js';
import { allocOutput, BACKEND_NAME, cpuKernel, f32, output, sizeOf } from './kernel-utils.js';

type ResizeAttrs = { alignCorners: boolean; halfPixelCenters: boolean; size?: [number, number] };

/**
 * Forward: images [b, h, w, c] → [b, size, c]. Gradient: dy [b, oh, ow, c] → dx shaped like images.
 * Both call one native function (src, dst, b, h, w, c, oh, ow, alignCorners, halfPixelCenters).
 */
function resizeKernel(name: string, fn: ResizeFn, grad: boolean): KernelConfig {
  const fallback = cpuKernel(name);
  const kernelFunc: KernelFunc = (args) => {
    const { images, dy } = args.inputs as { images: TensorInfo; dy?: TensorInfo };
    if (images.dtype !== 'float32' || (dy && dy.dtype !== 'float32')) return fallback(args);
    const { alignCorners, halfPixelCenters, size } = args.attrs as unknown as ResizeAttrs;
    const [b, h, w, c] = images.shape as [number, number, number, number];
    const [oh, ow] = grad ? [(dy as TensorInfo).shape[1] as number, (dy as TensorInfo).shape[2] as number] : (size as [number, number]);
    const be = args.backend as MathBackendCPU;
    const outShape = grad ? [b, h, w, c] : [b, oh, ow, c];
    const out = allocOutput(sizeOf(outShape));
    fn(f32(be, grad ? (dy as TensorInfo) : images), out, b, h, w, c, oh, ow, alignCorners, halfPixelCenters);
    return output(be, outShape, out);
  };
  return { kernelName: name, backendName: BACKEND_NAME, kernelFunc };
}

export function resizeKernels(addon: NativeAddon): KernelConfig[] {
  return [
    resizeKernel('ResizeBilinear', addon.resizeBilinear, false),
    resizeKernel('ResizeBilinearGrad', addon.resizeBilinearGrad, true),
    resizeKernel('ResizeNearestNeighbor', addon.resizeNearest, false),
    resizeKernel('ResizeNearestNeighborGrad', addon.resizeNearestGrad, true),
  ];
}
