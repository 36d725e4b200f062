import { ConfigError } from '@adaptnet/core';

/**
 * Runs `prepare(first)`, `prepare(first + 1)`, … `prepare(end − 1)` and yields their results in
 * order, keeping at most `depth` preparations under way beyond the one the consumer holds. Host
 * work for the next batches overlaps the consumer's step; leaving the loop early stops new work.
 */
export async function* prefetched<T>(first: number, end: number, depth: number, prepare: (index: number) => Promise<T>): AsyncGenerator<T> {
  const pending: Promise<T>[] = [];
  let next = first;
  const start = () => {
    const job = prepare(next++);
    job.catch(() => {}); // rejections surface when awaited below, not as unhandled
    pending.push(job);
  };
  while (next < end || pending.length > 0) {
    if (pending.length === 0) start();
    const done = await (pending.shift() as Promise<T>);
    while (pending.length < depth && next < end) start();
    yield done;
  }
}

/** Lets the consumer's step run before synchronous host work. */
export function yieldToConsumer(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}

export function checkEpoch(epoch: number): void {
  if (!Number.isInteger(epoch) || epoch < 0) throw new ConfigError(`epoch must be a non-negative integer, got ${epoch}`);
}

export function checkStartBatch(startBatch: number, batchesPerEpoch: number): void {
  if (!Number.isInteger(startBatch) || startBatch < 0 || startBatch > batchesPerEpoch) {
    throw new ConfigError(`startBatch must be an integer in 0..${batchesPerEpoch} (batches per epoch), got ${startBatch}`);
  }
}

export interface StreamBasics {
  readonly seed: number;
  readonly prefetch: number;
}

/** Validates the options every seeded stream shares: batch size, seed, prefetch depth. */
export function streamBasics(options: { readonly batchSize: number; readonly seed?: number; readonly prefetch?: number }): StreamBasics {
  const { batchSize } = options;
  if (!Number.isInteger(batchSize) || batchSize <= 0) throw new ConfigError(`batchSize must be a positive integer, got ${batchSize}`);
  const seed = options.seed ?? 0;
  if (!Number.isFinite(seed)) throw new ConfigError(`seed must be a finite number, got ${seed}`);
  const prefetch = options.prefetch ?? 2;
  if (!Number.isInteger(prefetch) || prefetch < 0) throw new ConfigError(`prefetch must be a non-negative integer, got ${prefetch}`);
  return { seed, prefetch };
}

/** Batches per epoch, or a ConfigError when there is not a single one. */
export function countBatches(name: string, size: number, batchSize: number, dropLast: boolean, unit: string): number {
  const count = dropLast ? Math.floor(size / batchSize) : Math.ceil(size / batchSize);
  if (count === 0) {
    throw new ConfigError(
      `${name} has ${size} ${unit}: no ${dropLast ? 'full ' : ''}batch of ${batchSize}${dropLast ? ' (dropLast is on)' : ''}`,
    );
  }
  return count;
}
