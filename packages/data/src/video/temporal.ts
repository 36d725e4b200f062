import { ConfigError, type Rng } from '@adaptnet/core';

/**
 * What a clip shorter than the sampling window gets: 'pad' repeats its last frame (PySlowFast's
 * index clamping, the default), 'loop' starts over from its first frame, 'error' rejects it.
 */
export type ShortClipPolicy = 'pad' | 'loop' | 'error';

export const SHORT_CLIP_POLICIES: readonly ShortClipPolicy[] = Object.freeze(['pad', 'loop', 'error']);

/** Source frames a window of `frames` frames at stride `stride` covers: (T − 1)·τ + 1. */
export function windowSpan(frames: number, stride: number): number {
  return (frames - 1) * stride + 1;
}

export function checkWindow(frames: number, stride: number): void {
  if (!Number.isInteger(frames) || frames <= 0) throw new ConfigError(`frames must be a positive integer, got ${frames}`);
  if (!Number.isInteger(stride) || stride <= 0) throw new ConfigError(`stride must be a positive integer, got ${stride}`);
}

/**
 * The source frame of each of the window's `frames` samples: start, start + τ, … Samples past the
 * clip's last frame follow `policy` ('pad': the last frame, 'loop': wrap to the start; 'error'
 * must have been ruled out by the caller).
 */
export function windowFrames(length: number, start: number, frames: number, stride: number, policy: ShortClipPolicy): Int32Array {
  const out = new Int32Array(frames);
  for (let j = 0; j < frames; j++) {
    const f = start + j * stride;
    out[j] = f < length ? f : policy === 'loop' ? f % length : length - 1;
  }
  return out;
}

/** Training: a start drawn uniformly from every position where the window fits (0 when it does not). */
export function randomStart(rng: Rng, length: number, span: number): number {
  return rng.int(Math.max(length - span, 0) + 1);
}

/**
 * Evaluation: `views` windows spread evenly over the clip — view k starts at
 * ⌊(L − span)·(2k + 1) / (2·views)⌋, so one view is the centred window.
 */
export function viewStarts(length: number, span: number, views: number): number[] {
  const slack = Math.max(length - span, 0);
  return Array.from({ length: views }, (_, k) => Math.floor((slack * (2 * k + 1)) / (2 * views)));
}

/**
 * MutualNet's temporal downsampling (TPAMI §4.2): a subnet fed `count` of the clip's `total` frames
 * sees frames picked uniformly over the WHOLE clip, ⌊linspace(0, total − 1, count)⌋ (PySlowFast's
 * `temporal_sampling`), so it keeps the first and last frame and the clip's full time extent; one
 * frame is the middle one.
 */
export function subsampleFrames(total: number, count: number): Int32Array {
  if (!Number.isInteger(count) || count <= 0 || count > total) {
    throw new ConfigError(`frames must be an integer in 1..${total} (the clip's frames), got ${count}`);
  }
  if (count === 1) return Int32Array.of(Math.floor((total - 1) / 2));
  return Int32Array.from({ length: count }, (_, j) => Math.floor((j * (total - 1)) / (count - 1)));
}
