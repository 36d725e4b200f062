/**
 * This machine's peak multiply-add rate through oneDNN, measured in the same process as the
 * latencies it is compared with: the fastest of `reps` runs of one large 3×3 convolution
 * (56×56×128 → 128 channels, 462M multiply-adds, the shape of a ResNet stage) as a native
 * FusedConv2D (one oneDNN primitive, weights already reordered). "Arithmetic time" of a forward is
 * then its multiply-adds divided by this rate: what the convolutions would cost if every layer ran
 * at the speed of the largest one. `threads` 1 measures one core (another shape, so that the
 * primitive is created for one thread).
 */
import { nativeAddon } from '@adaptnet/backend-native';
import * as tf from '@tensorflow/tfjs-core';

export interface PeakRate {
  /** Multiply-adds per millisecond. */
  readonly macsPerMs: number;
  readonly threads: number;
  readonly shape: string;
  readonly bestMs: number;
}

/**
 * The peak rate on `threads` threads, conservatively: the better of the measured `threads`-thread
 * rate and `threads` × the one-thread rate. On a loaded machine a parallel region waits for its
 * slowest thread, so the measured multi-thread rate understates what the machine can do, and an
 * understated peak would flatter every "× arithmetic time" ratio. Callers keep the best of several
 * calls over a run (`bestPeak`).
 */
export function peakRate(threads: number, reps = 30): PeakRate {
  const many = convRate(threads, reps);
  if (threads === 1) return many;
  const one = convRate(1, reps);
  return one.macsPerMs * threads > many.macsPerMs
    ? { ...one, macsPerMs: one.macsPerMs * threads, threads, shape: `${threads} × one thread's ${one.shape}` }
    : many;
}

/** The better of two peak measurements. */
export const bestPeak = (a: PeakRate | null, b: PeakRate): PeakRate => (a !== null && a.macsPerMs >= b.macsPerMs ? a : b);

function convRate(threads: number, reps: number): PeakRate {
  if (tf.getBackend() !== 'native') throw new Error(`measurePeakRate: needs the native backend, got ${tf.getBackend()}`);
  const addon = nativeAddon();
  if (addon === null) throw new Error('measurePeakRate: the native addon is not loaded');
  const saved = addon.threads();
  addon.threads(threads);
  const co = threads === 1 ? 112 : 128;
  const x = tf.randomNormal([1, 56, 56, 128], 0, 1, 'float32', 1) as tf.Tensor4D;
  const filter = tf.randomNormal([3, 3, 128, co], 0, 0.05, 'float32', 2) as tf.Tensor4D;
  const bias = tf.zeros([co]) as tf.Tensor1D;
  const macs = 56 * 56 * co * 128 * 9;
  let best = Number.POSITIVE_INFINITY;
  try {
    for (let i = 0; i < reps + 2; i++) {
      const t0 = performance.now();
      const y = tf.fused.conv2d({ x, filter, bias, strides: 1, pad: 'same', activation: 'relu' });
      const ms = performance.now() - t0;
      y.dispose();
      if (i >= 2) best = Math.min(best, ms);
    }
  } finally {
    tf.dispose([x, filter, bias]);
    addon.threads(saved);
  }
  return { macsPerMs: macs / best, threads, shape: `conv3x3 1x56x56x128->${co}`, bestMs: best };
}
