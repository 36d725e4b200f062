import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '@adaptnet/core';
import { useBackend } from '@adaptnet/testing';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { calibrationClips, subsetClips, VideoStream } from '../src/index.js';
import { loadVideoDataset, type VideoFolderSource } from '../src/node.js';
import { hasFfmpeg, testClipsDir } from './helpers/clips.js';
import { tempDir } from './helpers/tmp.js';

describe('video data sets by name, subsets, calibration batches', () => {
  it('moving-fashion and its shuffled control; train and test differ; unknown names are a ConfigError', async () => {
    const train = await loadVideoDataset('moving-fashion', { actions: { size: 16, seed: 4 } });
    const test = await loadVideoDataset('moving-fashion', { split: 'test', actions: { size: 16, seed: 4 } });
    const control = await loadVideoDataset('moving-fashion-shuffled', { actions: { size: 16, seed: 4 } });
    expect([train.name, test.name, control.name]).toEqual(['moving-fashion/train', 'moving-fashion/test', 'moving-fashion-shuffled/train']);
    const frames = async (src: typeof train) => Buffer.from((await src.readClip(0, [0, 5, 15])).pixels);
    expect((await frames(train)).equals(await frames(test))).toBe(false);
    expect(Array.from(control.labels)).toEqual(Array.from(train.labels));
    expect((await frames(train)).equals(await frames(control))).toBe(false);
    await expect(loadVideoDataset('kinetics')).rejects.toThrow(
      'unknown video dataset "kinetics"; allowed: moving-fashion, moving-fashion-shuffled, folder:<path>',
    );
    await expect(loadVideoDataset('kinetics')).rejects.toThrow(ConfigError);
    await expect(loadVideoDataset('folder:')).rejects.toThrow("dataset 'folder:' needs a path, e.g. folder:/data/ucf101");
  });

  it('subsetClips and calibrationClips keep labels, frame counts and decoding; configBatches disposes as it goes', async () => {
    await useBackend('cpu');
    const src = await loadVideoDataset('moving-fashion', { actions: { size: 12, frames: 8, canvas: 32 } });
    const sub = subsetClips(src, [5, 2, 5]);
    expect([sub.size, sub.name]).toEqual([3, 'moving-fashion/train[3]']);
    expect(Array.from(sub.labels)).toEqual([src.labels[5], src.labels[2], src.labels[5]]);
    expect(Buffer.from((await sub.readClip(1, [3])).pixels).equals(Buffer.from((await src.readClip(2, [3])).pixels))).toBe(true);
    expect(sub.clipName(0)).toBe('moving-fashion/train#5');
    const calib = calibrationClips(src, 6, 1);
    expect(calib.size).toBe(6);
    expect(Array.from(calibrationClips(src, 6, 1).labels)).toEqual(Array.from(calib.labels));
    expect(() => calibrationClips(src, 13)).toThrow('count must be an integer in 0..12 (the clips of moving-fashion/train), got 13');
    const stream = new VideoStream(calib, { batchSize: 4, frames: 8 });
    const before = tf.memory().numTensors;
    const shapes: number[][] = [];
    for await (const x of stream.configBatches(16, 3)) shapes.push(x.shape);
    expect(shapes).toEqual([
      [4, 3, 16, 16, 1],
      [2, 3, 16, 16, 1],
    ]);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => stream.configBatches(16, 9)).toThrow(ConfigError);
  });

  const clips = testClipsDir();
  it.runIf(clips !== undefined && hasFfmpeg())('folder:<path> picks the split sub-folder', async () => {
    const root = await tempDir('video-registry');
    for (const split of ['train', 'val']) {
      await mkdir(join(root, split, 'tree'), { recursive: true });
      await symlink(join(clips as string, 'tree.avi'), join(root, split, 'tree', `${split}.avi`));
    }
    const train = (await loadVideoDataset(`folder:${root}`, { folder: { side: 16 } })) as VideoFolderSource;
    const test = (await loadVideoDataset(`folder:${root}`, { split: 'test', folder: { side: 16 } })) as VideoFolderSource;
    expect(train.files).toEqual([join(root, 'train', 'tree', 'train.avi')]);
    expect(test.files).toEqual([join(root, 'val', 'tree', 'val.avi')]);
  });
});
