import * as tf from '@tensorflow/tfjs-core';
// The models come from the built packages (dist): @adaptnet/backbones is not a dependency of this
// package (core → backend-native → backbones would be a cycle), so the benches reach it by path.
import { createBackbone, resampleClip, type VideoBackbone } from '../../backbones/dist/index.js';
import { type ConfigSpace, type SgdStepOptions, type SubnetConfig, sgdStep } from '../../core/src/index.js';
import { createStrategy, parseTrainConfig, type TrainBatch, type TrainingStrategy } from '../../train/dist/index.js';

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
  if (name === 'slowfast-small' || (x.shape[1] === config.frames && x.shape[2] === config.resolution)) return x;
  return resampleClip(x, config.frames as number, config.resolution, config.resolution);
}

const listOf = (v: ConfigSpace['resolutions'] | ConfigSpace['frames']): number[] => (Array.isArray(v) ? [...v] : []);

/**
 * @adaptnet/train's MutualNet strategy for the net over its default MutualNet space (one-branch for
 * Slow and X3D, two-branch for SlowFast), and `count` of its seeded iterations [full, rand1, rand2].
 * The bench replays the iterations in turn, and the PyTorch side cycles through the same subnets.
 */
export function mutualNetIterations(
  net: VideoBackbone,
  batch: number,
  count: number,
): { strategy: TrainingStrategy; iterations: SubnetConfig[][] } {
  const space = net.configSpace;
  const config = parseTrainConfig({
    strategy: 'mutualnet',
    resolutions: listOf(space.resolutions),
    frames: listOf(space.frames),
    widthRange: space.width,
    epochs: 1,
    batchSize: batch,
    checkpointEvery: 0,
    seed: 1,
  });
  const strategy = createStrategy(config, net);
  const iterations = Array.from({ length: count }, () => strategy.sampler.next() as SubnetConfig[]);
  return { strategy, iterations };
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
 * One train step of `variant` through core's fused sgdStep; the loss is read back each step.
 * `full`: the full configuration on the labels. `sandwich`: one iteration of @adaptnet/train's
 * MutualNet strategy (`strategy.gradients`: the full configuration on the labels, then each
 * subnet by KL to the detached full logits, each forward + backward on its own, gradients summed),
 * replaying `iterations` in turn, on a batch whose `inputs(size)` resamples the fixed clip
 * (`subnetInput`); then one update.
 */
export function videoTrainer(
  name: VideoNetName,
  net: VideoBackbone,
  entry: VideoBenchEntry,
  variant: VideoVariant,
  sandwich: { strategy: TrainingStrategy; iterations: SubnetConfig[][] } | undefined,
): { step: (x: tf.Tensor5D, y: tf.Tensor2D) => void; dispose: () => void } {
  const variables = net.trainableVariables();
  const params = variables.map((v) => ({ name: v.name, variable: v, weightDecay: 0 }));
  const velocities = variables.map((v) => tf.variable(tf.zerosLike(v), false));
  const labels = tf.tensor1d(
    Array.from({ length: entry.batch }, (_, i) => i % 10),
    'int32',
  );
  let iteration = 0;
  const update = (grad: (v: tf.Variable) => tf.Tensor) =>
    variables.forEach((v, i) => {
      const vel = velocities[i] as tf.Variable;
      const r = sgdStep(v, grad(v), vel, VIDEO_SGD);
      v.assign(r.param);
      vel.assign(r.velocity);
      tf.dispose([r.param, r.velocity]);
    });
  return {
    step: (x, y) => {
      if (variant === 'full' || !sandwich) {
        const { value, grads } = tf.variableGrads(
          () => tf.losses.softmaxCrossEntropy(y, net.forward(x, { config: entry.full, training: true })) as tf.Scalar,
          variables,
        );
        update((v) => grads[v.name] as tf.Tensor);
        value.dataSync();
        tf.dispose([value, ...Object.values(grads)]);
        return;
      }
      const configs = sandwich.iterations[iteration++ % sandwich.iterations.length] as SubnetConfig[];
      const made = new Map<string, tf.Tensor>();
      const batch: TrainBatch = {
        size: entry.batch,
        labels,
        inputs: (size) => {
          const key = `${size.resolution}x${size.frames}`;
          let t = made.get(key);
          if (!t) {
            const c = { width: 1, resolution: size.resolution, frames: size.frames as number };
            t = subnetInput(name, x, c);
            made.set(key, t);
          }
          return t;
        },
      };
      const { grads } = sandwich.strategy.gradients(net, batch, configs, params);
      update((v) => grads.get(v.name) as tf.Tensor);
      tf.dispose([...grads.values(), ...[...made.values()].filter((t) => t !== x)]);
    },
    dispose: () => tf.dispose([...velocities, labels]),
  };
}
