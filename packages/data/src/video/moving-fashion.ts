import { ConfigError, Rng } from '@adaptnet/core';
import type { ImageDataset } from '../dataset.js';
import { deriveSeed } from '../seed.js';
import { seededPermutation } from '../subset.js';
import { checkClipIndex, checkFrameIndices, type DecodedClip, type VideoSource } from './video-source.js';

/** The moving-actions classes, in label order. Directions are as seen on screen (y points down). */
export const MOVING_ACTIONS: readonly string[] = Object.freeze([
  'left',
  'right',
  'up',
  'down',
  'zoom-in',
  'zoom-out',
  'rotate-cw',
  'rotate-ccw',
]);

type Axis = 'x' | 'y' | 'zoom' | 'rotate';
const AXES: readonly Axis[] = ['x', 'y', 'zoom', 'rotate'];
/** Label → [axis, direction]; +1 = towards larger x, y, scale, clockwise angle. */
const ACTION_MOTION: readonly (readonly [Axis, 1 | -1])[] = [
  ['x', -1],
  ['x', 1],
  ['y', -1],
  ['y', 1],
  ['zoom', 1],
  ['zoom', -1],
  ['rotate', 1],
  ['rotate', -1],
];

/** Pixels per frame of a translating item (the canvas wraps around). */
export const MOVING_ACTIONS_STEP_PX = 2;
/** Degrees per frame of a rotating item. */
export const MOVING_ACTIONS_STEP_DEG = 10;
/** Scale range of every item (1 = the item's stored size); a zooming item sweeps all of it. */
export const MOVING_ACTIONS_SCALE: readonly [number, number] = Object.freeze([0.5, 1]) as readonly [number, number];

export interface MovingActionsOptions {
  /** Number of clips. Default 1000. */
  readonly size?: number;
  /** Frames per clip. Default 16. */
  readonly frames?: number;
  /** Square canvas side in pixels. Default 64. */
  readonly canvas?: number;
  /** Distractor items, 0–3, each moving along another axis than the target. Default 3. */
  readonly distractors?: number;
  /** Standard deviation of the Gaussian pixel noise on [0, 1] intensities. Default 0.1. */
  readonly noise?: number;
  /** Control: each clip's frames in a seeded random order, which leaves only chance-level information. Default false. */
  readonly shuffleFrames?: boolean;
  /** Default 0. */
  readonly seed?: number;
  /** Default `moving-fashion/<items' name>`. */
  readonly name?: string;
}

/** The synthetic moving-actions set: a `VideoSource` that renders each clip on demand, deterministically. */
export interface MovingActionsSource extends VideoSource {
  readonly frames: number;
  readonly canvas: number;
  readonly distractors: number;
  readonly shuffleFrames: boolean;
  /** All frames of clip `index`, frames·canvas·canvas bytes. */
  render(index: number): Uint8Array;
}

const CLIP_STREAM = 11;
const LABEL_STREAM = 12;
const SHUFFLE_STREAM = 13;

interface ItemMotion {
  readonly sprite: number;
  readonly axis: Axis;
  readonly direction: 1 | -1;
  /** Frame t shows the item at step progress[t] of its motion: 0, 1, … for the target, a random order for distractors. */
  readonly progress: Int32Array;
  readonly cx: number;
  readonly cy: number;
  readonly logScale: number;
  readonly angle: number;
}

/**
 * Moving Fashion-MNIST actions: every clip shows one target item, a real image from `items`,
 * moving smoothly along one axis (left, right, up, down, zoom in, zoom out, rotate clockwise or
 * counter-clockwise: the label), plus distractor items that visit the states of a motion along each
 * other axis in a random order, and Gaussian noise. Every item's states are drawn from the same
 * distribution whatever the label (positions uniform on a wrap-around canvas, angles uniform,
 * scales log-uniform over `MOVING_ACTIONS_SCALE`), and a clip's motion segment is the same set of
 * states for a class and its time reverse. So one frame at a random time, or the frames in shuffled
 * order, carry no information about the label; only the order of frames does (which item moves
 * smoothly, and which way). Clip i depends only on (seed, i).
 */
export function movingFashionActions(items: ImageDataset, options: MovingActionsOptions = {}): MovingActionsSource {
  const size = options.size ?? 1000;
  const frames = options.frames ?? 16;
  const canvas = options.canvas ?? 64;
  const distractors = options.distractors ?? 3;
  const noise = options.noise ?? 0.1;
  const seed = options.seed ?? 0;
  const shuffleFrames = options.shuffleFrames ?? false;
  const positiveInt = (key: string, v: number, min: number) => {
    if (!Number.isInteger(v) || v < min) throw new ConfigError(`${key} must be an integer >= ${min}, got ${v}`);
  };
  positiveInt('size', size, 1);
  positiveInt('frames', frames, 2);
  positiveInt('canvas', canvas, 8);
  if (!Number.isInteger(distractors) || distractors < 0 || distractors > 3) {
    throw new ConfigError(`distractors must be an integer in 0..3, got ${distractors}`);
  }
  if (!(Number.isFinite(noise) && noise >= 0)) throw new ConfigError(`noise must be a non-negative number, got ${noise}`);
  if (!Number.isFinite(seed)) throw new ConfigError(`seed must be a finite number, got ${seed}`);
  if (typeof shuffleFrames !== 'boolean') throw new ConfigError(`shuffleFrames must be true or false, got ${shuffleFrames}`);
  if (items.channels !== 1) throw new ConfigError(`${items.name}: moving actions need greyscale items (1 channel), got ${items.channels}`);
  if (items.size === 0) throw new ConfigError(`${items.name} has no images to animate`);

  const numClasses = MOVING_ACTIONS.length;
  const perm = seededPermutation(size, deriveSeed(seed, LABEL_STREAM));
  const labels = Int32Array.from(perm, (p) => p % numClasses);
  const name = options.name ?? `moving-fashion/${items.name}`;
  const frameBytes = canvas * canvas;

  const motions = (index: number, rng: Rng): ItemMotion[] => {
    const [axis, direction] = ACTION_MOTION[labels[index] as number] as readonly [Axis, 1 | -1];
    const others = rng.shuffle(AXES.filter((a) => a !== axis)).slice(0, distractors);
    const [logLo, logHi] = [Math.log(MOVING_ACTIONS_SCALE[0]), Math.log(MOVING_ACTIONS_SCALE[1])];
    const item = (a: Axis, dir: 1 | -1, progress: Int32Array): ItemMotion => ({
      sprite: rng.int(items.size),
      axis: a,
      direction: dir,
      progress,
      cx: rng.uniform(0, canvas),
      cy: rng.uniform(0, canvas),
      logScale: rng.uniform(logLo, logHi),
      angle: rng.uniform(0, 2 * Math.PI),
    });
    const steps = () => Int32Array.from({ length: frames }, (_, t) => t);
    return [
      item(axis, direction, steps()),
      ...others.map((a) => item(a, rng.next() < 0.5 ? 1 : -1, Int32Array.from(rng.shuffle(Array.from(steps()))))),
    ];
  };

  // Uniform draws the noise of one frame takes from the clip's stream (two per pixel pair).
  const noiseDraws = noise > 0 ? 2 * Math.ceil(frameBytes / 2) : 0;

  /**
   * Frames `wanted` (rendered frame numbers, before any shuffle) of clip `index`, each at
   * `t * frameBytes` in a clip-sized buffer (the others left zero). Frames before the last wanted one
   * are skipped by advancing the random stream past their noise, so a frame's pixels are the same
   * whichever others are read; frames after it are never reached.
   */
  const renderFrames = (index: number, wanted: ArrayLike<number>): Uint8Array => {
    checkClipIndex({ name, size }, index);
    const rng = new Rng(deriveSeed(seed, index, CLIP_STREAM));
    const scene = motions(index, rng);
    const out = new Uint8Array(frames * frameBytes);
    const frame = new Float32Array(frameBytes);
    const need = new Uint8Array(frames);
    let last = -1;
    for (let j = 0; j < wanted.length; j++) {
      const t = wanted[j] as number;
      need[t] = 1;
      last = Math.max(last, t);
    }
    for (let t = 0; t <= last; t++) {
      if (need[t] === 0) {
        for (let k = 0; k < noiseDraws; k++) rng.nextUint32();
        continue;
      }
      frame.fill(0);
      for (const m of scene) drawItem(frame, canvas, items, m, state(m, t, frames));
      const base = t * frameBytes;
      for (let p = 0; p < frameBytes; p += 2) {
        // Box–Muller, both outputs used.
        let n0 = 0;
        let n1 = 0;
        if (noise > 0) {
          const r = noise * Math.sqrt(-2 * Math.log(1 - rng.next()));
          const a = 2 * Math.PI * rng.next();
          n0 = r * Math.cos(a);
          n1 = r * Math.sin(a);
        }
        out[base + p] = Math.round(255 * Math.min(1, Math.max(0, (frame[p] as number) + n0)));
        if (p + 1 < frameBytes) out[base + p + 1] = Math.round(255 * Math.min(1, Math.max(0, (frame[p + 1] as number) + n1)));
      }
    }
    return out;
  };
  const allFrames = Int32Array.from({ length: frames }, (_, t) => t);
  // Output frame t of a frame-shuffled clip is rendered frame shuffleOrder(index)[t].
  const shuffleOrder = (index: number) => seededPermutation(frames, deriveSeed(seed, index, SHUFFLE_STREAM));

  const render = (index: number): Uint8Array => {
    const out = renderFrames(index, allFrames);
    if (!shuffleFrames) return out;
    const shuffled = new Uint8Array(out.length);
    shuffleOrder(index).forEach((src, t) => {
      shuffled.set(out.subarray(src * frameBytes, (src + 1) * frameBytes), t * frameBytes);
    });
    return shuffled;
  };

  return Object.freeze({
    name,
    size,
    channels: 1,
    numClasses,
    classNames: MOVING_ACTIONS,
    labels,
    frameCounts: new Int32Array(size).fill(frames),
    height: canvas,
    width: canvas,
    frames,
    canvas,
    distractors,
    shuffleFrames,
    clipName: (index: number) => `${name}#${index}`,
    render,
    readClip: async (index: number, frameIndices: ArrayLike<number>): Promise<DecodedClip> => {
      checkFrameIndices(`${name}#${index}`, frames, frameIndices);
      // Only the frames read are drawn (a training clip reads 2–8 of 16).
      const order = shuffleFrames ? shuffleOrder(index) : allFrames;
      const sources = Array.from(frameIndices, (f) => order[f] as number);
      const rendered = renderFrames(index, sources);
      const pixels = new Uint8Array(frameIndices.length * frameBytes);
      sources.forEach((f, j) => {
        pixels.set(rendered.subarray(f * frameBytes, (f + 1) * frameBytes), j * frameBytes);
      });
      return { pixels, frames: frameIndices.length, height: canvas, width: canvas };
    },
  });
}

interface ItemState {
  readonly cx: number;
  readonly cy: number;
  readonly scale: number;
  readonly angle: number;
}

/** Where item `m` is in frame t: its base state moved `progress[t]` steps along its axis. */
function state(m: ItemMotion, t: number, frames: number): ItemState {
  const step = m.progress[t] as number;
  let { cx, cy, logScale, angle } = m;
  if (m.axis === 'x') cx += m.direction * MOVING_ACTIONS_STEP_PX * step;
  else if (m.axis === 'y') cy += m.direction * MOVING_ACTIONS_STEP_PX * step;
  else if (m.axis === 'rotate') angle += (m.direction * MOVING_ACTIONS_STEP_DEG * step * Math.PI) / 180;
  else {
    // A zoom sweeps the whole scale range, so its states are the same set whichever way it runs.
    const [lo, hi] = [Math.log(MOVING_ACTIONS_SCALE[0]), Math.log(MOVING_ACTIONS_SCALE[1])];
    const u = step / (frames - 1);
    logScale = lo + (hi - lo) * (m.direction === 1 ? u : 1 - u);
  }
  return { cx, cy, scale: Math.exp(logScale), angle };
}

/**
 * Draws sprite `m.sprite` scaled, rotated (clockwise on screen for a positive angle: y points down)
 * and centred at (cx, cy) on a wrap-around canvas, bilinear, keeping the brighter pixel where items overlap.
 */
function drawItem(frame: Float32Array, side: number, items: ImageDataset, m: ItemMotion, s: ItemState): void {
  const { height: h, width: w } = items;
  const sprite = items.pixels.subarray(m.sprite * h * w, (m.sprite + 1) * h * w);
  const midY = (h - 1) / 2;
  const midX = (w - 1) / 2;
  const radius = Math.ceil((Math.hypot(h, w) / 2) * s.scale) + 1;
  const cos = Math.cos(s.angle) / s.scale;
  const sin = Math.sin(s.angle) / s.scale;
  const px0 = Math.floor(s.cx);
  const py0 = Math.floor(s.cy);
  for (let dy = -radius; dy <= radius; dy++) {
    const py = py0 + dy;
    const oy = py - s.cy;
    const row = (((py % side) + side) % side) * side;
    for (let dx = -radius; dx <= radius; dx++) {
      const px = px0 + dx;
      const ox = px - s.cx;
      // Inverse of "scale, then rotate by angle": the sprite offset that lands on this pixel.
      const u = midX + cos * ox + sin * oy;
      const v = midY - sin * ox + cos * oy;
      const x0 = Math.floor(u);
      const y0 = Math.floor(v);
      if (x0 < -1 || y0 < -1 || x0 >= w || y0 >= h) continue;
      const fx = u - x0;
      const fy = v - y0;
      const inX0 = x0 >= 0;
      const inX1 = x0 + 1 < w;
      const inY0 = y0 >= 0;
      const inY1 = y0 + 1 < h;
      const i00 = y0 * w + x0;
      const p00 = inY0 && inX0 ? (sprite[i00] as number) : 0;
      const p01 = inY0 && inX1 ? (sprite[i00 + 1] as number) : 0;
      const p10 = inY1 && inX0 ? (sprite[i00 + w] as number) : 0;
      const p11 = inY1 && inX1 ? (sprite[i00 + w + 1] as number) : 0;
      const value = ((p00 + (p01 - p00) * fx) * (1 - fy) + (p10 + (p11 - p10) * fx) * fy) / 255;
      const p = row + (((px % side) + side) % side);
      if (value > (frame[p] as number)) frame[p] = value;
    }
  }
}
