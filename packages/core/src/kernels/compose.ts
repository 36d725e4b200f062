import {
  type DataType,
  getKernel,
  type KernelBackend,
  type NamedAttrMap,
  type NamedTensorInfoMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { AdaptNetError } from '../errors.js';

/**
 * Runs registered kernels of one backend directly (below the engine), so a kernel can be composed
 * from other kernels of the same backend without creating engine tensors. Every intermediate is
 * tracked and released by `dispose()` unless handed out with `keep()`.
 */
export class KernelScope {
  private readonly temps: TensorInfo[] = [];

  constructor(
    readonly backend: KernelBackend,
    readonly backendName: string,
  ) {}

  run(kernelName: string, inputs: NamedTensorInfoMap, attrs: object = {}): TensorInfo {
    const kernel = getKernel(kernelName, this.backendName);
    if (!kernel) {
      throw new AdaptNetError('E_KERNEL', `kernel ${kernelName} is not registered for backend '${this.backendName}'`);
    }
    const out = kernel.kernelFunc({ inputs, backend: this.backend, attrs: attrs as NamedAttrMap });
    if (Array.isArray(out)) {
      throw new AdaptNetError('E_KERNEL', `KernelScope.run expects single-output kernels; ${kernelName} returned ${out.length}`);
    }
    this.temps.push(out);
    return out;
  }

  reshape(x: TensorInfo, shape: readonly number[]): TensorInfo {
    return this.run('Reshape', { x }, { shape: [...shape] });
  }

  transpose(x: TensorInfo, perm: readonly number[]): TensorInfo {
    return this.run('Transpose', { x }, { perm: [...perm] });
  }

  slice(x: TensorInfo, begin: readonly number[], size: readonly number[]): TensorInfo {
    return this.run('Slice', { x }, { begin: [...begin], size: [...size] });
  }

  pad(x: TensorInfo, paddings: ReadonlyArray<readonly [number, number]>): TensorInfo {
    return this.run('PadV2', { x }, { paddings: paddings.map((p) => [p[0], p[1]]), constantValue: 0 });
  }

  reverse(x: TensorInfo, dims: readonly number[]): TensorInfo {
    return this.run('Reverse', { x }, { dims: [...dims] });
  }

  /**
   * Pads (positive amounts) or crops (negative amounts) each axis; one Slice and/or one PadV2.
   */
  padOrCrop(x: TensorInfo, amounts: ReadonlyArray<readonly [number, number]>): TensorInfo {
    let t = x;
    if (amounts.some(([a, b]) => a < 0 || b < 0)) {
      const begin = amounts.map(([a]) => Math.max(0, -a));
      const size = amounts.map(([a, b], i) => (t.shape[i] as number) - Math.max(0, -a) - Math.max(0, -b));
      t = this.slice(t, begin, size);
    }
    if (amounts.some(([a, b]) => a > 0 || b > 0)) {
      t = this.pad(
        t,
        amounts.map(([a, b]) => [Math.max(0, a), Math.max(0, b)] as const),
      );
    }
    return t;
  }

  /**
   * Inserts `stride - 1` zeros between consecutive elements along `axis` (no trailing zeros):
   * length n becomes (n - 1) * stride + 1. One reshape + pad + reshape + slice.
   */
  dilateAxis(x: TensorInfo, axis: number, stride: number): TensorInfo {
    if (stride === 1) return x;
    const shape = x.shape;
    const n = shape[axis] as number;
    const pre = shape.slice(0, axis).reduce((a, b) => a * b, 1);
    const post = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
    const r = this.reshape(x, [pre, n, 1, post]);
    const p = this.pad(r, [
      [0, 0],
      [0, 0],
      [0, stride - 1],
      [0, 0],
    ]);
    const flat = this.reshape(p, [pre, n * stride, post]);
    const cut = this.slice(flat, [0, 0, 0], [pre, (n - 1) * stride + 1, post]);
    const outShape = [...shape];
    outShape[axis] = (n - 1) * stride + 1;
    return this.reshape(cut, outShape);
  }

  /** Makes a tensor from values computed in JS. */
  fromValues(values: Float32Array | Int32Array, shape: readonly number[], dtype: DataType = 'float32'): TensorInfo {
    const dataId = this.backend.write(values, [...shape], dtype);
    const out: TensorInfo = { dataId, shape: [...shape], dtype };
    this.temps.push(out);
    return out;
  }

  read(x: TensorInfo): Float32Array | Int32Array {
    const v = this.backend.readSync(x.dataId);
    if (!(v instanceof Float32Array || v instanceof Int32Array)) {
      throw new AdaptNetError('E_KERNEL', `expected numeric tensor data, got dtype ${x.dtype}`);
    }
    return v;
  }

  owns(t: TensorInfo): boolean {
    return this.temps.includes(t);
  }

  /** Removes `out` from the tracked temporaries so it survives `dispose()`. */
  keep(out: TensorInfo): TensorInfo {
    const i = this.temps.lastIndexOf(out);
    if (i >= 0) this.temps.splice(i, 1);
    return out;
  }

  dispose(): void {
    for (const t of this.temps) this.backend.disposeData(t.dataId);
    this.temps.length = 0;
  }
}

/** Runs `body` in a fresh scope, keeps its result, releases everything else. */
export function composed(backend: unknown, backendName: string, body: (scope: KernelScope) => TensorInfo): TensorInfo {
  const scope = new KernelScope(backend as KernelBackend, backendName);
  try {
    const out = body(scope);
    // A body may legitimately return one of its inputs unchanged; hand out a new reference to it.
    return scope.owns(out) ? scope.keep(out) : scope.keep(scope.run('Identity', { x: out }));
  } finally {
    scope.dispose();
  }
}
