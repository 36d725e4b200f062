import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CheckpointError } from '@adaptnet/core';
import { writeFileAtomic } from '@adaptnet/core/node';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';

export const SUBNET_MODEL_FILE = 'model.json';
export const SUBNET_WEIGHTS_FILE = 'weights.bin';

export interface SavedSubnet {
  readonly modelPath: string;
  readonly weightsPath: string;
  readonly weightBytes: number;
}

async function layersArtifacts(model: LayersModel): Promise<tf.io.ModelArtifacts | undefined> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return artifacts;
}

/**
 * Writes an exported subnet as a standard tfjs model: `<dir>/model.json` (topology, weights
 * manifest, `userDefinedMetadata`; a graph export also its `signature`) and `<dir>/weights.bin`,
 * each atomically, the weights first. A Layers export (`exportSubnet(...)`) loads with
 * `tf.loadLayersModel`, a graph export (`exportSubnet(..., { format: 'graph' })`) with
 * `tf.loadGraphModel`: from `https://.../model.json` in a browser, `file://` with tfjs-node, or
 * `tf.io.fromMemory` from the two files (`subnetFiles(dir)`).
 */
export async function saveSubnet(model: LayersModel | tf.io.ModelArtifacts, dir: string): Promise<SavedSubnet> {
  const artifacts = 'save' in model ? await layersArtifacts(model) : model;
  if (artifacts?.weightSpecs === undefined || artifacts.weightData === undefined) {
    throw new CheckpointError('E_CHECKPOINT_FORMAT', `saveSubnet: ${'name' in model ? model.name : 'the model'} has no weights to save`);
  }
  const weights = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData));
  const json: tf.io.ModelJSON = {
    modelTopology: artifacts.modelTopology as object,
    weightsManifest: [{ paths: [SUBNET_WEIGHTS_FILE], weights: artifacts.weightSpecs }],
    ...(artifacts.format === undefined ? {} : { format: artifacts.format }),
    ...(artifacts.generatedBy === undefined ? {} : { generatedBy: artifacts.generatedBy }),
    ...(artifacts.convertedBy == null ? {} : { convertedBy: artifacts.convertedBy }),
    ...(artifacts.signature === undefined ? {} : { signature: artifacts.signature }),
    ...(artifacts.userDefinedMetadata === undefined ? {} : { userDefinedMetadata: artifacts.userDefinedMetadata }),
  };
  await mkdir(dir, { recursive: true });
  const weightsPath = join(dir, SUBNET_WEIGHTS_FILE);
  const modelPath = join(dir, SUBNET_MODEL_FILE);
  await writeFileAtomic(weightsPath, weights);
  await writeFileAtomic(modelPath, `${JSON.stringify(json)}\n`);
  return { modelPath, weightsPath, weightBytes: weights.byteLength };
}

/** An IOHandler over a saved subnet's files, for `tf.loadLayersModel` / `tf.loadGraphModel` in Node without tfjs-node. */
export async function subnetFiles(dir: string): Promise<tf.io.IOHandler> {
  const modelPath = join(dir, SUBNET_MODEL_FILE);
  let json: tf.io.ModelJSON;
  try {
    json = JSON.parse(await readFile(modelPath, 'utf8')) as tf.io.ModelJSON;
  } catch (e) {
    throw new CheckpointError('E_CHECKPOINT_MISSING', `cannot read the exported model ${modelPath}: ${(e as Error).message}`);
  }
  const paths = json.weightsManifest.flatMap((g) => g.paths);
  const parts = await Promise.all(paths.map(async (p) => new Uint8Array(await readFile(join(dir, p)))));
  const weightData = tf.io.CompositeArrayBuffer.join(parts.map((p) => p.buffer.slice(p.byteOffset, p.byteOffset + p.byteLength)));
  return tf.io.fromMemory(
    await tf.io.getModelArtifactsForJSON(json, async () => [json.weightsManifest.flatMap((g) => g.weights), weightData]),
  );
}

/** Removes a saved subnet's two files (not the directory). */
export async function removeSubnet(dir: string): Promise<void> {
  await Promise.all([SUBNET_MODEL_FILE, SUBNET_WEIGHTS_FILE].map((f) => rm(join(dir, f), { force: true })));
}
