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
 * A caching allocator for kernel outputs of UNZEROED_MIN floats and more (PyTorch's CPU training
 * loop reuses its buffers the same way). Without it every output is a fresh ArrayBuffer that only
 * V8's garbage collector frees: a ResNet-20 step allocates ~0.5 GB of them, so V8 runs several
 * "external memory pressure" GCs per step, whose background threads compete with the two OpenMP
 * threads for the two cores. With it, a buffer goes back to a free list when the last tensor using
 * it is disposed, and the next output of the same size class takes it.
 *
 * Safety: only buffers this allocator made are pooled; each counts the backend entries whose values
 * view it (cpu's Slice returns subarray views), and goes back only when that count reaches 0. A
 * buffer whose values were ever read out of the backend (readSync: dataSync(), data(), another
 * kernel reading through readSync) has "escaped" — a caller may keep that array — and is never
 * reused. Size classes round up to 1/8 of the power of two below (≤ 12.5% slack); an allocation
 * whose class has no free buffer takes the smallest free one up to twice its size. The free lists
 * hold at most ADAPTNET_NATIVE_POOL_MB MiB (default 1024; 0 turns pooling off); a buffer returned
 * beyond that is left to the GC.
 */
export class BufferPool {
  private readonly free = new Map<number, ArrayBuffer[]>();
  private readonly users = new Map<ArrayBuffer, number>();
  private readonly owned = new WeakSet<ArrayBuffer>();
  private readonly escaped = new WeakSet<ArrayBuffer>();
  private freeBytes = 0;
  private hits = 0;
  private misses = 0;
  /**
   * How many size classes above the requested one `alloc` may take a free buffer from (8: up to
   * twice the size). Training with random widths and resolutions (US-Net, MutualNet) asks for
   * hundreds of distinct sizes; exact classes only left most of them to fresh allocations and GC
   * (MutualNet iteration 467 → 229 ms, batch 64).
   */
  static readonly FIT_CLASSES = 8;

  constructor(readonly capacityBytes: number) {}

  static sizeClass(bytes: number): number {
    const step = 2 ** Math.max(0, Math.floor(Math.log2(bytes)) - 3);
    return Math.ceil(bytes / step) * step;
  }

  alloc(n: number): Float32Array {
    const bytes = BufferPool.sizeClass(n * 4);
    let cls = bytes;
    for (let k = 0; k <= BufferPool.FIT_CLASSES; k++, cls = BufferPool.sizeClass(cls + 1)) {
      const reused = this.free.get(cls)?.pop();
      if (reused) {
        this.freeBytes -= cls;
        this.hits++;
        return new Float32Array(reused, 0, n);
      }
    }
    this.misses++;
    // Buffer.allocUnsafeSlow: an ArrayBuffer of its own, offset 0, not zero-filled.
    const buffer = Buffer.allocUnsafeSlow(bytes).buffer as ArrayBuffer;
    if (this.capacityBytes > 0) this.owned.add(buffer);
    return new Float32Array(buffer, 0, n);
  }

  /** A backend entry now holds `values`. */
  retain(values: unknown): void {
    const b = (values as { buffer?: unknown } | undefined)?.buffer;
    if (b instanceof ArrayBuffer && this.owned.has(b)) this.users.set(b, (this.users.get(b) ?? 0) + 1);
  }

  /** A backend entry holding `values` was deleted. */
  release(values: unknown): void {
    const b = (values as { buffer?: unknown } | undefined)?.buffer;
    if (!(b instanceof ArrayBuffer) || !this.owned.has(b)) return;
    const left = (this.users.get(b) ?? 1) - 1;
    if (left > 0) {
      this.users.set(b, left);
      return;
    }
    this.users.delete(b);
    if (this.escaped.has(b) || this.freeBytes + b.byteLength > this.capacityBytes) return;
    this.freeBytes += b.byteLength;
    const list = this.free.get(b.byteLength);
    if (list) list.push(b);
    else this.free.set(b.byteLength, [b]);
  }

  /** `values` left the backend (readSync): never reuse its buffer. */
  escape(values: unknown): void {
    const b = (values as { buffer?: unknown } | undefined)?.buffer;
    if (b instanceof ArrayBuffer && this.owned.has(b)) this.escaped.add(b);
  }

  stats(): { freeBytes: number; freeBuffers: number; liveBuffers: number; capacityBytes: number; hits: number; misses: number } {
    let freeBuffers = 0;
    for (const l of this.free.values()) freeBuffers += l.length;
    return {
      freeBytes: this.freeBytes,
      freeBuffers,
      liveBuffers: this.users.size,
      capacityBytes: this.capacityBytes,
      hits: this.hits,
      misses: this.misses,
    };
  }
}

/** ADAPTNET_NATIVE_POOL_MB as bytes: unset → 1 GiB; a number ≥ 0 of MiB; anything else throws. */
export function poolCapacityFromEnv(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return 1024 * 2 ** 20;
  const mb = Number(raw);
  if (!Number.isFinite(mb) || mb < 0) {
    throw new Error(`ADAPTNET_NATIVE_POOL_MB=${JSON.stringify(raw)}: expected a number of MiB ≥ 0 (0 turns pooling off; default 1024)`);
  }
  return mb * 2 ** 20;
}

export const outputPool = new BufferPool(poolCapacityFromEnv(process.env.ADAPTNET_NATIVE_POOL_MB));

/**
 * A kernel output buffer, every element of which the kernel writes. Large ones come unzeroed from
 * `outputPool`. malloc-backed external ArrayBuffers were tried and measured 2× slower overall.
 */
export function allocOutput(n: number): Float32Array {
  if (n < UNZEROED_MIN) return new Float32Array(n);
  return outputPool.alloc(n);
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
