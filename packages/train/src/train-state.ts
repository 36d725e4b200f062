import { CheckpointError, ConfigError } from '@adaptnet/core';
import { loadCheckpoint, saveCheckpoint } from '@adaptnet/core/node';
import type * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import type { TrainConfig } from './config.js';
import { canonicalJson, sha256Hex } from './run/hash.js';

/** Where training stands: the next iteration to run and what it needs to run exactly as before. */
export interface TrainPosition {
  /** Iterations done (global). */
  readonly step: number;
  /** Epoch of the next batch, and that batch's index within the epoch. */
  readonly epoch: number;
  readonly batchInEpoch: number;
  readonly samplerState: unknown;
  readonly elapsedSeconds: number;
}

const positionSchema = z.object({
  step: z.number().int().nonnegative(),
  epoch: z.number().int().nonnegative(),
  batchInEpoch: z.number().int().nonnegative(),
  samplerState: z.unknown(),
  elapsedSeconds: z.number().nonnegative(),
});

const metaSchema = z.object({
  kind: z.literal('adaptnet-train-state'),
  position: positionSchema,
  config: z.record(z.string(), z.unknown()),
  /** sha256 of the canonical JSON of { position, config } (the weights have their own in the header); absent in older states. */
  sha256: z.string().optional(),
});

const sealOf = (position: unknown, config: unknown): string => sha256Hex(canonicalJson({ position, config }));

const GROUPS = ['model', 'optimizer', 'extra'] as const;
export type StateGroup = (typeof GROUPS)[number];

export interface TrainStateTensors {
  readonly model: ReadonlyMap<string, tf.Tensor>;
  readonly optimizer: ReadonlyMap<string, tf.Tensor>;
  readonly extra: ReadonlyMap<string, tf.Tensor>;
}

/** Saves weights, BN statistics, momentum buffers and the position atomically (core's checkpoint). */
export async function saveTrainState(
  dir: string,
  architecture: string,
  config: TrainConfig,
  tensors: TrainStateTensors,
  position: TrainPosition,
): Promise<void> {
  const all = new Map<string, tf.Tensor>();
  for (const group of GROUPS) for (const [name, t] of tensors[group]) all.set(`${group}/${name}`, t);
  await saveCheckpoint(dir, all, {
    architecture,
    meta: { kind: 'adaptnet-train-state', position, config, sha256: sealOf(position, config) },
  });
}

export interface LoadedTrainState {
  readonly tensors: { readonly [G in StateGroup]: Map<string, tf.Tensor> };
  readonly position: TrainPosition;
  readonly config: Record<string, unknown>;
}

/** Loads a train state; the caller owns (and disposes) the tensors. */
export async function loadTrainState(dir: string, architecture: string): Promise<LoadedTrainState> {
  const { header, tensors } = await loadCheckpoint(dir, { expectArchitecture: architecture });
  const meta = metaSchema.safeParse(header.meta);
  if (!meta.success) {
    for (const t of tensors.values()) t.dispose();
    throw new CheckpointError('E_CHECKPOINT_FORMAT', `${dir} holds a checkpoint but not a training state (no position/config in its meta)`);
  }
  if (meta.data.sha256 !== undefined && meta.data.sha256 !== sealOf(meta.data.position, meta.data.config)) {
    for (const t of tensors.values()) t.dispose();
    throw new CheckpointError(
      'E_CHECKPOINT_CORRUPT',
      `training state ${dir}: its position and configuration fail their sha256 check (edited or corrupt)`,
    );
  }
  const groups = { model: new Map<string, tf.Tensor>(), optimizer: new Map<string, tf.Tensor>(), extra: new Map<string, tf.Tensor>() };
  for (const [name, t] of tensors) {
    const slash = name.indexOf('/');
    const group = name.slice(0, slash) as StateGroup;
    if (!GROUPS.includes(group)) {
      for (const x of tensors.values()) x.dispose();
      throw new CheckpointError(
        'E_CHECKPOINT_FORMAT',
        `training state ${dir} has a tensor '${name}' outside the groups ${GROUPS.join(', ')}`,
      );
    }
    groups[group].set(name.slice(slash + 1), t);
  }
  return { tensors: groups, position: meta.data.position as TrainPosition, config: meta.data.config };
}

/** Fields that must not change across a resume, or the resumed run would not continue the same one. */
const RESUME_FIELDS = [
  'strategy',
  'widthRange',
  'resolutions',
  'frames',
  'width',
  'resolution',
  'frameCount',
  'numRandom',
  'widthStep',
  'batchSize',
  'seed',
  'resizable',
] as const;

export function checkResumable(saved: Record<string, unknown>, current: TrainConfig, dir: string): void {
  const differing = RESUME_FIELDS.filter((k) => JSON.stringify(saved[k]) !== JSON.stringify(current[k]));
  if (differing.length > 0) {
    const detail = differing.map((k) => `${k}: checkpoint ${JSON.stringify(saved[k])}, now ${JSON.stringify(current[k])}`).join('; ');
    throw new ConfigError(
      `cannot resume from ${dir}: the configuration changed (${detail}); use another output directory or the same settings`,
    );
  }
}
