import { ADAPTNET_KERNELS } from '@adaptnet/kernel-names';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { backend_util, type KernelConfig, type KernelFunc, type NamedTensorInfoMap, type TensorInfo, util } from '@tensorflow/tfjs-core';
import type { NativeAddon } from './addon.js';
import { geometry2d } from './conv-kernels.js';
import { allocOutput, BACKEND_NAME, f32, output, run, sizeOf } from './kernel-utils.js';

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

/** Post-op codes of the addon's prepared primitives; other activations use the composed path. */
const POST_OP: Partial<Record<Activation, number>> = { linear: 0, relu: 1, relu6: 2 };

interface PreparedOp {
  readonly handle: number;
  readonly outShape: number[];
}

/**
 * Prepared oneDNN primitives by shape key, least recently used first out (Map keeps insertion
 * order; a hit is moved to the end). Evicted handles are released in the addon.
 */
class PreparedCache {
  private readonly map = new Map<string, PreparedOp>();

  constructor(
    private readonly addon: NativeAddon,
    readonly capacity: number,
  ) {}

  get(key: string, make: () => PreparedOp): PreparedOp {
    const hit = this.map.get(key);
    if (hit) {
      this.map.delete(key);
      this.map.set(key, hit);
      return hit;
    }
    const made = make();
    this.map.set(key, made);
    if (this.map.size > this.capacity) {
      const [oldest, op] = this.map.entries().next().value as [string, PreparedOp];
      this.map.delete(oldest);
      this.addon.release(op.handle);
    }
    return made;
  }

  get size(): number {
    return this.map.size;
  }
}

/**
 * Weight ids for the addon's cache of reordered weights. A tensor's storage (its dataId) never
 * changes while it lives (variables get a new dataId on assign), so the id names that content
 * until the storage is disposed, when `forgetWeights` drops the cached copies. A weight gets an id
 * on its second use only: transient weights (sliced per call) are reordered into a scratch buffer
 * instead of filling the cache.
 */
class WeightIds {
  private readonly seen = new WeakSet<object>();
  private readonly ids = new WeakMap<object, number>();
  private next = 1;
  addon: NativeAddon | null = null;

  idFor(dataId: object): number {
    const id = this.ids.get(dataId);
    if (id !== undefined) return id;
    if (!this.seen.has(dataId)) {
      this.seen.add(dataId);
      return 0;
    }
    const fresh = this.next++;
    this.ids.set(dataId, fresh);
    return fresh;
  }

  forget(dataId: object): void {
    const id = this.ids.get(dataId);
    if (id === undefined) return;
    this.ids.delete(dataId);
    this.addon?.dropWeights(id);
  }
}

const weightIds = new WeightIds();

/** Called by the backend when a tensor's storage is deleted: its reordered weights go too. */
export function forgetWeights(dataId: object): void {
  weightIds.forget(dataId);
}

type FusedConvAttrs = {
  strides: [number, number] | number;
  pad: 'same' | 'valid' | number | backend_util.ExplicitPadding;
  dataFormat?: string;
  dilations?: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  activation?: Activation;
};

/** A bias the primitive can add: absent, or one value per output channel. */
const channelBias = (bias: TensorInfo | undefined, channels: number): boolean =>
  bias === undefined || (bias.dtype === 'float32' && sizeOf(bias.shape) === channels && bias.shape.at(-1) === channels);

/**
 * AdaptNetFusedConv2DAdd where one primitive does not cover it: FusedConv2D (bias, no activation),
 * then Add and the activation, from the registered kernels.
 */
function composedConvAdd(args: Parameters<KernelFunc>[0]): TensorInfo {
  const be = args.backend as MathBackendCPU;
  const { x, filter, bias, add } = args.inputs as { x: TensorInfo; filter: TensorInfo; bias?: TensorInfo; add: TensorInfo };
  const a = args.attrs as unknown as FusedConvAttrs;
  const conv = run(be, 'FusedConv2D', { x, filter, ...(bias ? { bias } : {}) }, { ...a, activation: 'linear' });
  const sum = run(be, 'Add', { a: conv, b: add });
  be.disposeIntermediateTensorInfo(conv);
  const activation = a.activation ?? 'linear';
  if (activation === 'linear') return sum;
  if (activation !== 'relu' && activation !== 'relu6')
    throw new Error(`${ADAPTNET_KERNELS.fusedConv2DAdd}: unsupported activation '${activation}'`);
  const y = run(be, activation === 'relu' ? 'Relu' : 'Relu6', { x: sum });
  be.disposeIntermediateTensorInfo(sum);
  return y;
}

function fusedConvKernel(addon: NativeAddon, cache: PreparedCache, depthwise: boolean, composed: KernelFunc, withAdd = false): KernelFunc {
  return (args) => {
    const { x, filter, bias, add } = args.inputs as { x: TensorInfo; filter: TensorInfo; bias?: TensorInfo; add?: TensorInfo };
    const a = args.attrs as unknown as FusedConvAttrs;
    const act = POST_OP[a.activation ?? 'linear'];
    const co = depthwise ? (filter.shape[2] as number) * (filter.shape[3] as number) : (filter.shape[3] as number);
    const covered =
      act !== undefined &&
      x.dtype === 'float32' &&
      filter.dtype === 'float32' &&
      (a.dataFormat === undefined || a.dataFormat === 'NHWC') &&
      channelBias(bias, co) &&
      (!withAdd || add?.dtype === 'float32');
    if (!covered) return composed(args);
    const dil = a.dilations ?? 1;
    const key = `${withAdd ? 'a' : ''}${depthwise ? 'd' : 'c'}${x.shape}|${filter.shape}|${a.strides}|${a.pad}|${dil}|${a.dimRoundingMode}|${bias ? 1 : 0}${act}`;
    const op = cache.get(key, () => {
      const info = backend_util.computeConv2DInfo(
        x.shape as [number, number, number, number],
        filter.shape as [number, number, number, number],
        a.strides,
        dil,
        a.pad,
        a.dimRoundingMode,
        depthwise,
      );
      const g = geometry2d(info, depthwise);
      const handle = addon.convPrepare(
        g.n,
        g.ci,
        g.co,
        g.groups,
        g.inSpatial,
        g.outSpatial,
        g.kernel,
        g.strides,
        g.dilations,
        g.padBefore,
        g.padAfter,
        bias !== undefined,
        act,
        withAdd,
      );
      return { handle, outShape: [...g.outShape] };
    });
    const be = args.backend as MathBackendCPU;
    if (withAdd && !util.arraysEqual(add!.shape, op.outShape)) {
      throw new Error(`${ADAPTNET_KERNELS.fusedConv2DAdd}: add has shape [${add!.shape}], the convolution's output [${op.outShape}]`);
    }
    const out = allocOutput(sizeOf(op.outShape));
    const b = bias ? f32(be, bias) : null;
    if (withAdd) addon.fusedRun(op.handle, f32(be, x), f32(be, filter), b, out, weightIds.idFor(filter.dataId), f32(be, add!));
    else addon.fusedRun(op.handle, f32(be, x), f32(be, filter), b, out, weightIds.idFor(filter.dataId));
    return output(be, op.outShape, out);
  };
}

type FusedMatMulAttrs = { transposeA: boolean; transposeB: boolean; activation?: Activation };

function fusedMatMulKernel(addon: NativeAddon, cache: PreparedCache, composed: KernelFunc): KernelFunc {
  return (args) => {
    const { a, b, bias } = args.inputs as { a: TensorInfo; b: TensorInfo; bias?: TensorInfo };
    const { transposeA, transposeB, activation } = args.attrs as unknown as FusedMatMulAttrs;
    const act = POST_OP[activation ?? 'linear'];
    // A single matrix on each side (tfjs passes them as [1, m, k] and [1, k, n]).
    const single = (t: TensorInfo) => t.shape.length >= 2 && sizeOf(t.shape.slice(0, -2)) === 1;
    const n = (transposeB ? b.shape.at(-2) : b.shape.at(-1)) as number;
    const covered =
      act !== undefined &&
      !transposeA &&
      a.dtype === 'float32' &&
      b.dtype === 'float32' &&
      single(a) &&
      single(b) &&
      a.shape.at(-1) === (transposeB ? b.shape.at(-1) : b.shape.at(-2)) &&
      channelBias(bias, n);
    if (!covered) return composed(args);
    const m = a.shape.at(-2) as number;
    const k = a.shape.at(-1) as number;
    const outShape = [...(a.shape.length >= b.shape.length ? a.shape : b.shape).slice(0, -2), m, n];
    const op = cache.get(`m${m}|${k}|${n}|${transposeB ? 1 : 0}|${bias ? 1 : 0}${act}`, () => ({
      handle: addon.matmulPrepare(m, k, n, transposeB, bias !== undefined, act),
      outShape,
    }));
    const be = args.backend as MathBackendCPU;
    const out = allocOutput(sizeOf(outShape));
    addon.fusedRun(op.handle, f32(be, a), f32(be, b), bias ? f32(be, bias) : null, out, weightIds.idFor(b.dataId));
    return output(be, outShape, out);
  };
}

/** ADAPTNET_NATIVE_CACHE (default 2048) bounds the prepared primitives too. */
const capacity = (): number => {
  const n = Number(process.env.ADAPTNET_NATIVE_CACHE);
  return Number.isInteger(n) && n > 0 ? n : 2048;
};

/** Prepared fused primitives alive on the JS side (for tests). */
export let preparedFusedPrimitives: () => number = () => 0;

export function fusedKernels(addon: NativeAddon): KernelConfig[] {
  weightIds.addon = addon;
  const cache = new PreparedCache(addon, capacity());
  preparedFusedPrimitives = () => cache.size;
  const conv = fused('Conv2D', (i) => ({ x: i.x as TensorInfo, filter: i.filter as TensorInfo }));
  const dw = fused('DepthwiseConv2dNative', (i) => ({ x: i.x as TensorInfo, filter: i.filter as TensorInfo }));
  const mm = fused('BatchMatMul', (i) => ({ a: i.a as TensorInfo, b: i.b as TensorInfo }));
  return [
    { kernelName: 'FusedConv2D', backendName: BACKEND_NAME, kernelFunc: fusedConvKernel(addon, cache, false, conv) },
    { kernelName: 'FusedDepthwiseConv2D', backendName: BACKEND_NAME, kernelFunc: fusedConvKernel(addon, cache, true, dw) },
    { kernelName: '_FusedMatMul', backendName: BACKEND_NAME, kernelFunc: fusedMatMulKernel(addon, cache, mm) },
    {
      kernelName: ADAPTNET_KERNELS.fusedConv2DAdd,
      backendName: BACKEND_NAME,
      kernelFunc: fusedConvKernel(addon, cache, false, composedConvAdd as KernelFunc, true),
    },
  ];
}
