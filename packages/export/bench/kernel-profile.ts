/**
 * Counts and times every kernel call on the active backend: each registered kernel is wrapped
 * with a timer (kernels called from inside other kernels count in both; `self` subtracts them).
 */
import { getKernelsForBackend, type KernelConfig, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';

export interface KernelStat {
  readonly kernel: string;
  readonly calls: number;
  readonly selfMs: number;
}

export class KernelProfiler {
  private readonly stats = new Map<string, { calls: number; selfMs: number }>();
  private readonly originals: KernelConfig[] = [];
  private depth: number[] = [];
  enabled = false;

  constructor(readonly backend: string) {
    for (const k of getKernelsForBackend(backend)) {
      this.originals.push(k);
      unregisterKernel(k.kernelName, backend);
      const inner = k.kernelFunc;
      registerKernel({
        ...k,
        kernelFunc: (args) => {
          if (!this.enabled) return inner(args);
          this.depth.push(0);
          const t0 = performance.now();
          const out = inner(args);
          const ms = performance.now() - t0;
          const children = this.depth.pop() ?? 0;
          if (this.depth.length > 0) this.depth[this.depth.length - 1]! += ms;
          const s = this.stats.get(k.kernelName) ?? { calls: 0, selfMs: 0 };
          s.calls++;
          s.selfMs += ms - children;
          this.stats.set(k.kernelName, s);
          return out;
        },
      });
    }
  }

  reset(): void {
    this.stats.clear();
  }

  /** Per kernel, most self time first; calls and times divided by `runs`. */
  report(runs: number): KernelStat[] {
    return [...this.stats.entries()]
      .map(([kernel, s]) => ({ kernel, calls: s.calls / runs, selfMs: s.selfMs / runs }))
      .sort((a, b) => b.selfMs - a.selfMs);
  }

  /** Puts the original kernels back. */
  restore(): void {
    for (const k of this.originals) {
      unregisterKernel(k.kernelName, this.backend);
      registerKernel(k);
    }
  }
}
