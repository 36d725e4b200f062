import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** (src, dst, b, h, w, c, oh, ow, alignCorners, halfPixelCenters); h, w: the image, oh, ow: resized. */
export type ResizeFn = (
  src: Float32Array,
  dst: Float32Array,
  b: number,
  h: number,
  w: number,
  c: number,
  oh: number,
  ow: number,
  alignCorners: boolean,
  halfPixelCenters: boolean,
) => void;

export interface NativeAddon {
  /** kind 0: forward (x, w → y); 1: backward data (dy, w → dx); 2: backward weights (x, dy → dw). */
  conv(
    kind: 0 | 1 | 2,
    a: Float32Array,
    b: Float32Array,
    out: Float32Array,
    n: number,
    ci: number,
    co: number,
    groups: number,
    inSpatial: number[],
    outSpatial: number[],
    kernel: number[],
    strides: number[],
    dilations: number[],
    padBefore: number[],
    padAfter: number[],
  ): void;
  matmul(
    a: Float32Array,
    b: Float32Array,
    out: Float32Array,
    batchA: number,
    batchB: number,
    m: number,
    k: number,
    n: number,
    transA: boolean,
    transB: boolean,
  ): void;
  /** out = op(a, b) with numpy broadcasting; op: 0 add, 1 sub, 2 mul, 3 div, 4 max, 5 min, 6 squared difference. */
  binary(op: number, a: Float32Array, aShape: number[], b: Float32Array, bShape: number[], out: Float32Array, outShape: number[]): void;
  /** op: 0 relu, 1 relu6, 2 step(alpha), 3 neg, 4 square, 5 sqrt, 6 rsqrt, 7 exp, 8 log, 9 abs, 10 sigmoid, 11 tanh. */
  unary(op: number, x: Float32Array, out: Float32Array, alpha?: number): void;
  /** out[o, i] = reduce over m of x[o, m, i]; op: 0 sum, 1 mean, 2 max, 3 min. */
  reduce(op: number, x: Float32Array, out: Float32Array, outer: number, mid: number, inner: number): void;
  batchNormTrain(
    x: Float32Array,
    gamma: Float32Array,
    beta: Float32Array,
    eps: number,
    y: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
  ): void;
  batchNormGrad(
    dy: Float32Array,
    x: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    gamma: Float32Array,
    eps: number,
    dx: Float32Array,
    dgamma: Float32Array,
    dbeta: Float32Array,
  ): void;
  /** dx = dy where 0 < x (and x ≤ cap when cap > 0), else 0. */
  reluGrad(dy: Float32Array, x: Float32Array, dx: Float32Array, cap: number): void;
  /** y = x·σ(x). */
  swish(x: Float32Array, y: Float32Array): void;
  /** dx = dy·σ(x)·(1 + x·(1 − σ(x))). */
  swishGrad(dy: Float32Array, x: Float32Array, dx: Float32Array): void;
  /** src [b, h, w, c] → dst [b, oh, ow, c] (forward) or src = dy [b, oh, ow, c] → dst = dx [b, h, w, c] (grad). */
  resizeBilinear: ResizeFn;
  resizeBilinearGrad: ResizeFn;
  resizeNearest: ResizeFn;
  resizeNearestGrad: ResizeFn;
  /** 2D pooling; kind 0 max, 1 avg; geometry = [b, h, w, c, oh, ow, kh, kw, sh, sw, padTop, padLeft, dh, dw]. */
  pool(kind: 0 | 1, x: Float32Array, y: Float32Array, ...geometry: number[]): void;
  poolGrad(kind: 0 | 1, dy: Float32Array, x: Float32Array, dx: Float32Array, ...geometry: number[]): void;
  /**
   * One SGD step (AdaptNetSgdStep): wOut = w − lr·step, vOut = v' (see native/sgd.cc); with
   * momentum 0, v and vOut are not touched (pass empty arrays).
   */
  sgdStep(
    w: Float32Array,
    g: Float32Array,
    v: Float32Array,
    wOut: Float32Array,
    vOut: Float32Array,
    lr: number,
    momentum: number,
    nesterov: boolean,
    weightDecay: number,
    dampening: number,
  ): void;
  /**
   * An inference convolution (oneDNN forward_inference) with optional bias and activation post-op
   * (0 linear, 1 relu, 2 relu6), prepared once; returns its handle for `fusedRun`.
   */
  convPrepare(
    n: number,
    ci: number,
    co: number,
    groups: number,
    inSpatial: number[],
    outSpatial: number[],
    kernel: number[],
    strides: number[],
    dilations: number[],
    padBefore: number[],
    padAfter: number[],
    hasBias: boolean,
    activation: number,
    /** The output starts as a residual given to `fusedRun` (oneDNN sum post-op, before the activation). */
    hasAdd?: boolean,
  ): number;
  /** out[m, n] = a[m, k] · b (b [k, n], or [n, k] with transB) + bias, activation; returns a handle. */
  matmulPrepare(m: number, k: number, n: number, transB: boolean, hasBias: boolean, activation: number): number;
  /**
   * Runs a prepared primitive. weightId > 0: the weights reordered into the primitive's format are
   * cached under that id until `dropWeights(weightId)` (or eviction); 0: reordered every call.
   */
  fusedRun(
    handle: number,
    x: Float32Array,
    w: Float32Array,
    bias: Float32Array | null,
    out: Float32Array,
    weightId: number,
    add?: Float32Array,
  ): void;
  /**
   * A whole network as oneDNN primitives with their own reordered weights and activation buffers
   * (native/plan.cc describes `ops`); returns a handle for `planRun`.
   */
  planCreate(ops: Float64Array[], slotFloats: number[], weights: Float32Array[], shareFrom?: number): number;
  /** Runs a plan: x → out, one call. */
  planRun(handle: number, x: Float32Array, out: Float32Array): void;
  /** Per op of a plan, the fastest of `reps` runs in ns (each op waited for; for profiles). */
  planProfile(handle: number, x: Float32Array, out: Float32Array, reps: number): Float64Array;
  planRelease(handle: number): void;
  /**
   * Plans alive, the bytes they hold (activation buffers; reordered weights and biases once,
   * however many plans share them), how many of their steps run a direct kernel, and how many of
   * those are depthwise layers run on a channel-blocked copy of their input.
   */
  planStats(): { plans: number; bytes: number; directSteps: number; blockedSteps: number };
  /**
   * Whether plans built from now on run small layers with the direct kernels (native/direct.h)
   * rather than oneDNN primitives: 1×1, depthwise and few-input-channel convolutions, global
   * average pools and dense layers up to ~64K MACs; depthwise layers of ≤ 16 channels and
   * one-input-channel stems of 8 outputs up to the one-thread size. Sets it when given. Default true.
   */
  planDirect(enabled?: boolean): boolean;
  /**
   * The instruction set the direct kernels run with: 'x86-64-v4' (AVX-512), 'x86-64-v3' (AVX2 +
   * FMA), or 'none' (an x86 CPU below x86-64-v3, or not x86: plans use oneDNN only).
   * Given 'best' or a level at or below the detected one, selects it (tests run both x86 levels);
   * throws for a level the CPU does not run.
   */
  planDirectIsa(isa?: 'best' | 'x86-64-v4' | 'x86-64-v3'): string;
  /** Does nothing: the cost of an N-API call, for profiles. */
  noop(): void;
  /** Frees a prepared primitive. */
  release(handle: number): void;
  /** Forgets the reordered copies of the weights cached under this id. */
  dropWeights(weightId: number): void;
  /** Prepared primitives alive, cached reordered weight tensors and their bytes, the bound (ADAPTNET_NATIVE_WEIGHT_CACHE_MB). */
  inferenceCacheStats(): { primitives: number; weightTensors: number; weightBytes: number; weightCapacityBytes: number };
  /**
   * for o < outer: dst[dstOffset + o·dstStride + i] = src[srcOffset + o·srcStride + i], i < len
   * (memcpy per block, OpenMP over blocks). The caller checks the bounds.
   */
  copyBlocks(
    src: Float32Array,
    dst: Float32Array,
    outer: number,
    len: number,
    srcStride: number,
    dstStride: number,
    srcOffset: number,
    dstOffset: number,
  ): void;
  /** out = 0, then out[ids[r]] += x[r] over rows of `inner` floats; ids outside [0, segments) are dropped. */
  segmentSum(x: Float32Array, ids: Int32Array, out: Float32Array, rows: number, inner: number, segments: number): void;
  /** Every element of dst = value. */
  fill(dst: Float32Array, value: number): void;
  /** Primitives cached now, per kind, and the bound (ADAPTNET_NATIVE_CACHE, default 2048). */
  cacheSizes(): { conv: number; matmul: number; capacity: number };
  version(): { onednn: string; cpuRuntime: string; isa: number };
  threads(n?: number): number;
}

function packageRoot(): string {
  // dist/index.{js,cjs} and src/addon.ts both sit one level below the package root.
  const here = typeof __dirname === 'string' ? __dirname : dirname(fileURLToPath(import.meta.url));
  return join(here, '..');
}

/** Loads the compiled addon; throws a message that says how to get it when it is absent. */
export function loadAddon(): NativeAddon {
  const path = join(packageRoot(), 'build', 'Release', 'adaptnet_native.node');
  if (!existsSync(path)) {
    throw new Error(
      `the native addon was not built (${path} is missing): install a C++ compiler and oneDNN (apt-get install libdnnl-dev), then run 'pnpm --filter @adaptnet/backend-native build:addon'`,
    );
  }
  const require = createRequire(join(packageRoot(), 'package.json'));
  return require(path) as NativeAddon;
}
