import * as tf from '@tensorflow/tfjs-core';
// The models come from the built packages (dist): @adaptnet/backbones is not a dependency of this
// package (core → backend-native → backbones would be a cycle), so the benches reach it by path.
import { createBackbone, resampleClip, type VideoBackbone } from '../../backbones/dist/index.js';
import { type ConfigSpace, Rng, type SgdStepOptions, type SubnetConfig, sgdStep } from '../../core/src/index.js';
import { klDistill } from '../../distill/dist/index.js';

/*
 * The video benchmark nets: @adaptnet/backbones' small variants at their full configuration, as
 * bench/torch_video_nets.py builds them in PyTorch (it checks its parameter count and conv + linear
 * multiply-adds against ours at every configuration the bench runs).
 */

export const VIDEO_NET_NAMES = ['slow-small', 'slowfast-small', 'x3d-small'] as const;
export type VideoNetName = (typeof VIDEO_NET_NAMES)[number];

export interface VideoBenchEntry {
  readonly batch: number;
  /** The full configuration (SlowFast: `frames` are the Slow pathway's; its clip has α× as many). */
  readonly full: SubnetConfig;
}

export const VIDEO_BENCH_NETS: Record<VideoNetName, VideoBenchEntry> = {
  'slow-small': { batch: 8, full: { width: 1, resolution: 64, frames: 8 } },
  'slowfast-small': { batch: 8, full: { width: 1, resolution: 64, frames: 4 } },
  'x3d-small': { batch: 8, full: { width: 1, resolution: 64, frames: 16 } },
};

/** One train step per variant: `full` (the full configuration on labels) or a MutualNet `sandwich`. */
export const VIDEO_VARIANTS = ['full', 'sandwich'] as const;
export type VideoVariant = (typeof VIDEO_VARIANTS)[number];

export function makeVideoNet(name: VideoNetName, seed = 0): VideoBackbone {
  return createBackbone(name, { numClasses: 10, seed }) as VideoBackbone;
}

/** The clip the step trains on: [batch, T, H, W, 3] (SlowFast: the Fast pathway's α·T frames). */
export function clipShape(net: VideoBackbone, entry: VideoBenchEntry): number[] {
  const s = net.inputShape(entry.full);
  s[0] = entry.batch;
  return s;
}

/** A fixed random clip batch and one-hot labels (class i mod 10). */
export function videoBatch(shape: readonly number[]): { x: tf.Tensor5D; y: tf.Tensor2D } {
  return tf.tidy(() => {
    const x = tf.randomNormal(shape as [number, number, number, number, number], 0, 1, 'float32', 1) as tf.Tensor5D;
    const n = shape[0] as number;
    const y = tf.oneHot(
      tf.tensor1d(
        Array.from({ length: n }, (_, i) => i % 10),
        'int32',
      ),
      10,
    ) as tf.Tensor2D;
    return { x, y };
  });
}

/**
 * A subnet's input: Slow and X3D get the clip resampled to its frames (nearest) and resolution
 * (bilinear, half-pixel), SlowFast the whole clip (it samples its Slow input itself; the Fast
 * pathway always runs at full width, space and time).
 */
export function subnetInput(name: VideoNetName, x: tf.Tensor, config: SubnetConfig): tf.Tensor {
  if (name === 'slowfast-small') return x;
  return resampleClip(x, config.frames as number, config.resolution, config.resolution);
}

const listOf = (v: ConfigSpace['resolutions'] | ConfigSpace['frames']): number[] => (Array.isArray(v) ? [...v] : []);

/**
 * `count` seeded pairs of subnet configurations drawn from the net's MutualNet space: width uniform
 * in its range, resolution and frames uniform over their lists. The PyTorch side cycles through
 * the same pairs.
 */
export function sandwichPairs(net: VideoBackbone, count: number, seed = 1): [SubnetConfig, SubnetConfig][] {
  const rng = new Rng(seed);
  const space = net.configSpace;
  const res = listOf(space.resolutions);
  const frames = listOf(space.frames);
  const pick = (xs: number[]) => xs[rng.int(xs.length)] as number;
  const one = (): SubnetConfig => ({
    width: Number(rng.uniform(space.width.min, space.width.max).toFixed(4)),
    resolution: pick(res),
    frames: pick(frames),
  });
  return Array.from({ length: count }, () => [one(), one()]);
}

/** Conv + linear multiply-adds of one clip's forward pass at `config` (PySlowFast / fvcore's count). */
export function convLinearMacsPerClip(net: VideoBackbone, name: VideoNetName, shape: readonly number[], config: SubnetConfig): number {
  const one = [1, ...shape.slice(1)];
  const inShape = name === 'slowfast-small' ? one : [1, config.frames as number, config.resolution, config.resolution, one[4] as number];
  return net
    .cost(inShape, { config, training: true })
    .layers.filter((l) => l.kind !== 'global-avg-pool')
    .reduce((s, l) => s + l.macs, 0);
}

/** SGD momentum 0.9, lr 0.05, as the PyTorch side. */
export const VIDEO_SGD: SgdStepOptions = { lr: 0.05, momentum: 0.9, nesterov: false, weightDecay: 0 };

/**
 * One train step of `variant` through core's fused sgdStep; the loss is read back each step. The
 * sandwich: the full configuration on the labels, then the step's two subnets by KL to the detached
 * full logits, each forward + backward on its own (PyTorch's `loss.backward()` per subnet), the
 * gradients summed, one update.
 */
export function videoTrainer(
  name: VideoNetName,
  net: VideoBackbone,
  entry: VideoBenchEntry,
  variant: VideoVariant,
  pairs: readonly (readonly SubnetConfig[])[],
): { step: (x: tf.Tensor5D, y: tf.Tensor2D) => void; dispose: () => void } {
  const variables = net.trainableVariables();
  const velocities = variables.map((v) => tf.variable(tf.zerosLike(v), false));
  let iteration = 0;
  const add = (sum: Map<string, tf.Tensor>, grads: tf.NamedTensorMap) => {
    for (const [k, g] of Object.entries(grads)) {
      const prev = sum.get(k);
      if (prev === undefined) sum.set(k, g);
      else {
        sum.set(k, tf.add(prev, g));
        tf.dispose([prev, g]);
      }
    }
  };
  return {
    step: (x, y) => {
      const sum = new Map<string, tf.Tensor>();
      let teacher: tf.Tensor | undefined;
      const { value, grads } = tf.variableGrads(() => {
        const logits = net.forward(x, { config: entry.full, training: true });
        if (variant === 'sandwich') teacher = tf.keep(logits);
        return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
      }, variables);
      add(sum, grads);
      if (variant === 'sandwich') {
        for (const config of pairs[iteration % pairs.length] ?? []) {
          const r = tf.tidy(() => {
            const xi = subnetInput(name, x, config);
            return tf.variableGrads(() => klDistill(net.forward(xi, { config, training: true }), teacher as tf.Tensor), variables);
          });
          r.value.dispose();
          add(sum, r.grads);
        }
        iteration++;
        teacher?.dispose();
      }
      variables.forEach((v, i) => {
        const vel = velocities[i] as tf.Variable;
        const r = sgdStep(v, sum.get(v.name) as tf.Tensor, vel, VIDEO_SGD);
        v.assign(r.param);
        vel.assign(r.velocity);
        tf.dispose([r.param, r.velocity]);
      });
      value.dataSync();
      tf.dispose([value, ...sum.values()]);
    },
    dispose: () => tf.dispose(velocities),
  };
}
