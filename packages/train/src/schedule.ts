import { ConfigError } from '@adaptnet/core';

export interface LrScheduleOptions {
  readonly kind: 'cosine' | 'constant';
  readonly baseLr: number;
  readonly totalSteps: number;
  readonly warmupSteps?: number;
  readonly finalLr?: number;
}

/**
 * Learning rate of iteration `step` (0-based), set per iteration: linear warm-up from 0 over
 * `warmupSteps`, then constant or cosine from `baseLr` to `finalLr` at `totalSteps`
 * (PyTorch's per-iteration CosineAnnealingLR with T_max = totalSteps − warmupSteps).
 */
export function learningRate(step: number, o: LrScheduleOptions): number {
  const warmup = o.warmupSteps ?? 0;
  const finalLr = o.finalLr ?? 0;
  if (!Number.isInteger(o.totalSteps) || o.totalSteps <= 0)
    throw new ConfigError(`totalSteps must be a positive integer, got ${o.totalSteps}`);
  if (warmup >= o.totalSteps && warmup > 0) {
    throw new ConfigError(`warmupSteps ${warmup} must be smaller than the ${o.totalSteps} training steps`);
  }
  if (step < warmup) return (o.baseLr * (step + 1)) / warmup;
  if (o.kind === 'constant') return o.baseLr;
  const t = Math.min(step - warmup, o.totalSteps - warmup) / (o.totalSteps - warmup);
  return finalLr + 0.5 * (o.baseLr - finalLr) * (1 + Math.cos(Math.PI * t));
}
