import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import {
  getKernel,
  getKernelsForBackend,
  type KernelConfig,
  registerBackend,
  registerKernel,
  unregisterKernel,
} from '@tensorflow/tfjs-core';
import { loadAddon, type NativeAddon } from './addon.js';
import { convKernels, padded3dKernels } from './conv-kernels.js';
import { copyKernels } from './copy-kernels.js';
import { elementwiseKernels } from './elementwise-kernels.js';
import { forgetWeights, fusedKernels } from './fused-kernels.js';
import { batchNormKernels, reluGradKernels } from './fused-training-kernels.js';
import { BACKEND_NAME, outputPool } from './kernel-utils.js';
import { matMulKernels } from './matmul-kernels.js';
import { forgetPlans, planKernels } from './plan-kernels.js';
import { poolKernels } from './pool-kernels.js';
import { resizeKernels } from './resize-kernels.js';
import { sgdKernels } from './sgd-kernels.js';
import { swishKernels } from './swish-kernels.js';

export interface NativeBackendInfo {
  readonly onednn: string;
  readonly threads: number;
  /** Kernels that run in oneDNN or are composed from them; every other kernel is the cpu backend's. */
  readonly nativeKernels: readonly string[];
}

let registered: NativeBackendInfo | null = null;
let loadedAddon: NativeAddon | null = null;

type DataId = Parameters<MathBackendCPU['disposeData']>[0];
type Values = Parameters<MathBackendCPU['write']>[0];

/**
 * The cpu backend, minus its one-time "install tfjs-node to speed things up" banner, with kernel
 * outputs recycled through `outputPool` (see BufferPool for when a buffer may be reused).
 */
class NativeBackend extends MathBackendCPU {
  constructor() {
    super();
    // The banner is printed on the first write while `firstUse` is set (a private field).
    (this as unknown as { firstUse: boolean }).firstUse = false;
  }

  override write(values: Values, shape: number[], dtype: Parameters<MathBackendCPU['write']>[2]): DataId {
    outputPool.retain(values);
    return super.write(values, shape, dtype);
  }

  override move(dataId: DataId, values: Values, shape: number[], dtype: Parameters<MathBackendCPU['move']>[3], refCount: number): void {
    outputPool.retain(values);
    super.move(dataId, values, shape, dtype, refCount);
  }

  override disposeData(dataId: DataId, force = false): boolean {
    const values = this.data.get(dataId)?.values;
    const deleted = super.disposeData(dataId, force);
    if (deleted) {
      if (values !== undefined) outputPool.release(values);
      forgetWeights(dataId);
      forgetPlans(dataId);
    }
    return deleted;
  }

  override readSync(dataId: DataId): ReturnType<MathBackendCPU['readSync']> {
    outputPool.escape(this.data.get(dataId)?.values);
    return super.readSync(dataId);
  }
}

/**
 * Registers the 'native' tfjs backend: the cpu backend's tensor storage and every cpu kernel, with
 * convolutions, their gradients and matMul run by oneDNN in place on the same Float32Arrays.
 * Idempotent. Throws when the addon is not built.
 */
export function registerNativeBackend(options: { threads?: number } = {}): NativeBackendInfo {
  if (registered) return registered;
  const addon: NativeAddon = loadAddon();
  loadedAddon = addon;
  const fromEnv = Number(process.env.ADAPTNET_NATIVE_THREADS) || undefined;
  const wanted = options.threads ?? fromEnv;
  const threads = wanted === undefined ? addon.threads() : addon.threads(wanted);
  // Low priority: tfjs must never pick it on its own; initBackend() selects it explicitly.
  registerBackend(BACKEND_NAME, () => new NativeBackend(), -1);
  for (const k of getKernelsForBackend('cpu')) {
    if (!getKernel(k.kernelName, BACKEND_NAME)) registerKernel({ ...k, backendName: BACKEND_NAME });
  }
  const overrides: KernelConfig[] = [
    ...convKernels(addon),
    ...padded3dKernels(addon),
    ...matMulKernels(addon),
    ...elementwiseKernels(addon),
    ...batchNormKernels(addon),
    ...reluGradKernels(addon),
    ...swishKernels(addon),
    ...resizeKernels(addon),
    ...poolKernels(addon),
    ...sgdKernels(addon),
    ...copyKernels(addon),
    ...fusedKernels(addon),
    ...planKernels(addon),
  ];
  for (const k of overrides) {
    if (getKernel(k.kernelName, BACKEND_NAME)) unregisterKernel(k.kernelName, BACKEND_NAME);
    registerKernel(k);
  }
  registered = { onednn: addon.version().onednn, threads, nativeKernels: overrides.map((k) => k.kernelName) };
  return registered;
}

/**
 * The kernel-output buffer pool's state: bytes and buffers free for reuse, buffers in use, the
 * bound (ADAPTNET_NATIVE_POOL_MB), and how many allocations it served (`hits`) or had to make.
 */
export function outputPoolStats(): ReturnType<typeof outputPool.stats> {
  return outputPool.stats();
}

/**
 * The inference kernels' caches: prepared oneDNN primitives alive, weight tensors whose reordered
 * copy is cached, the bytes of those copies and their bound (ADAPTNET_NATIVE_WEIGHT_CACHE_MB).
 */
export function inferenceCacheStats(): ReturnType<NativeAddon['inferenceCacheStats']> {
  if (!loadedAddon) throw new Error('inferenceCacheStats: the native backend is not registered');
  return loadedAddon.inferenceCacheStats();
}

/** Whole-network plans (AdaptNetRunPlan) alive in the addon and the bytes they hold. */
export function nativePlanStats(): ReturnType<NativeAddon['planStats']> {
  if (!loadedAddon) throw new Error('nativePlanStats: the native backend is not registered');
  return loadedAddon.planStats();
}

/** The loaded addon itself (benchmarks and profiles call it directly); null before registration. */
export function nativeAddon(): NativeAddon | null {
  return loadedAddon;
}
