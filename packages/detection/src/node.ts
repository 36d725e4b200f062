import { loadModel } from '@adaptnet/backbones/node';
import type { CocoDataset } from '@adaptnet/coco';
import type { CocoFolder } from '@adaptnet/coco/node';
import { CheckpointError, type CheckpointHeader } from '@adaptnet/core';
import { loadCheckpoint, saveModule } from '@adaptnet/core/node';
import { findBatchNorms } from '@adaptnet/norm';
import type * as tf from '@tensorflow/tfjs-core';
import { type DetectionSample, groundTruthOf } from './data.js';
import { DETECTOR_SPEC_FORMAT, Detector, type DetectorSpec } from './detector.js';
import { initBackboneFrom, type TransferReport } from './transfer.js';

/** The checkpoint architecture id of every detector. */
export const DETECTOR_ARCHITECTURE = 'adaptnet-detector';

/** Saves a detector's variables (calibrated BN sets included) with its spec in the header's `meta.detector`. */
export async function saveDetector(dir: string, detector: Detector, meta: Record<string, unknown> = {}): Promise<CheckpointHeader> {
  return saveModule(dir, detector, { architecture: DETECTOR_ARCHITECTURE, meta: { ...meta, detector: detector.spec } });
}

export interface LoadedDetector {
  readonly detector: Detector;
  readonly header: CheckpointHeader;
  /** Calibrated configuration keys found, e.g. `w1.000-r96`; sorted. */
  readonly calibrated: readonly string[];
}

const STAT_SUFFIX = '.running_mean';

/** Rebuilds a detector saved by `saveDetector` or `Trainer` (with `weightsMeta: { detector: spec }`). */
export async function loadDetector(dir: string): Promise<LoadedDetector> {
  const { header, tensors } = await loadCheckpoint(dir, { expectArchitecture: DETECTOR_ARCHITECTURE });
  let detector: Detector | undefined;
  try {
    const spec = header.meta.detector as DetectorSpec | undefined;
    if (spec === undefined || spec.format !== DETECTOR_SPEC_FORMAT) {
      throw new CheckpointError('E_CHECKPOINT_FORMAT', `${dir}: the checkpoint header has no detector spec (meta.detector)`);
    }
    detector = new Detector(spec);
    const calibrated = new Set<string>();
    for (const { path, bn } of findBatchNorms(detector)) {
      if (bn.policy !== 'config') continue;
      for (const name of tensors.keys()) {
        if (!name.startsWith(`${path}.`) || !name.endsWith(STAT_SUFFIX)) continue;
        const key = name.slice(path.length + 1, -STAT_SUFFIX.length);
        if (!bn.hasKey(key)) bn.setStatistics(key, new Float32Array(bn.channels), new Float32Array(bn.channels).fill(1));
        calibrated.add(key);
      }
    }
    const vars = detector.namedVariables();
    const missing = [...vars.keys()].filter((k) => !tensors.has(k));
    const unknown = [...tensors.keys()].filter((k) => !vars.has(k));
    if (missing.length > 0 || unknown.length > 0) {
      throw new CheckpointError(
        'E_CHECKPOINT_MISMATCH',
        `${dir} does not match the detector its spec describes: missing [${missing.slice(0, 5).join(', ')}], unknown [${unknown.slice(0, 5).join(', ')}]`,
      );
    }
    for (const [name, v] of vars) {
      const t = tensors.get(name) as tf.Tensor;
      if (t.shape.join() !== v.shape.join()) {
        throw new CheckpointError('E_CHECKPOINT_MISMATCH', `${dir}: '${name}' is [${t.shape}], the detector has [${v.shape}]`);
      }
    }
    for (const [name, v] of vars) v.assign(tensors.get(name) as tf.Tensor);
    return { detector, header, calibrated: [...calibrated].sort() };
  } catch (e) {
    detector?.dispose();
    throw e;
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
}

/**
 * Initialises the detector's backbone from a classification checkpoint directory (an
 * `adaptnet-classify` run's `model/`, read with `@adaptnet/backbones/node`'s `loadModel`).
 */
export async function initBackboneFromCheckpoint(detector: Detector, modelDir: string): Promise<TransferReport> {
  const loaded = await loadModel(modelDir);
  try {
    if (loaded.spec.architecture !== detector.spec.backbone.architecture) {
      throw new CheckpointError(
        'E_CHECKPOINT_ARCH',
        `${modelDir} holds a '${loaded.spec.architecture}', the detector's backbone is a '${detector.spec.backbone.architecture}'`,
      );
    }
    return initBackboneFrom(detector, loaded.model, modelDir);
  } finally {
    loaded.model.dispose();
  }
}

/** Loads a COCO folder's images (all, or `imageIds`) with their ground truth into memory. */
export async function loadDetectionSamples(
  folder: CocoFolder,
  options: { channels?: 1 | 3; imageIds?: readonly number[] } = {},
): Promise<DetectionSample[]> {
  const ids = options.imageIds ?? folder.dataset.imageIds;
  const out: DetectionSample[] = [];
  for (const id of ids) {
    const img = await folder.load(id, { channels: options.channels ?? 1 });
    out.push({ imageId: id, ...img, objects: groundTruthOf(folder.dataset as CocoDataset, id) });
  }
  return out;
}
