/**
 * Video-stream throughput on the cpu backend: moving Fashion-MNIST actions (batch 16, 16 frames of
 * 64², a sandwich at (64, 16), (48, 12), (32, 6)) rendered on the fly, and — when the opencv-doc
 * clips are fetched (scripts/fetch-test-clips.sh) — ffmpeg decoding of 16-frame windows of
 * Megamind.avi and tree.avi at short side 128, cropped to 112. Run: pnpm --filter @adaptnet/data bench.
 */
import { mkdir, mkdtemp, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '@adaptnet/core/node';
import { bench, describe } from 'vitest';
import { VideoStream } from '../src/index.js';
import { loadMovingFashionActions, loadVideoFolder } from '../src/node.js';
import { testClipsDir } from '../test/helpers/clips.js';

await initBackend({ backend: 'cpu', log: false });

function batches(stream: VideoStream, configs: [number, number][], count: number) {
  return async () => {
    let n = 0;
    for await (const batch of stream.epoch(n)) {
      for (const [r, t] of configs) batch.clips(r, t).dataSync();
      batch.dispose();
      if (++n === count) break;
    }
  };
}

describe('video', async () => {
  const actions = await loadMovingFashionActions({ split: 'train', size: 64 });
  const stream = new VideoStream(actions, { batchSize: 16, frames: 16, augment: { kind: 'pad-crop', padding: 4, flip: false } });
  bench(
    'moving actions: 4 batches of 16 clips, sandwich (64,16) (48,12) (32,6)',
    batches(
      stream,
      [
        [64, 16],
        [48, 12],
        [32, 6],
      ],
      4,
    ),
    { iterations: 3 },
  );

  const clips = testClipsDir();
  if (clips !== undefined) {
    const dir = await mkdtemp(join(tmpdir(), 'adaptnet-bench-video-'));
    for (const [cls, file] of [
      ['a', 'Megamind.avi'],
      ['b', 'tree.avi'],
    ]) {
      await mkdir(join(dir, cls as string));
      await symlink(join(clips, file as string), join(dir, cls as string, file as string));
    }
    const folder = await loadVideoFolder({ dir, side: 128 });
    const decode = new VideoStream(folder, {
      batchSize: 2,
      frames: 16,
      stride: 2,
      augment: { kind: 'random-resized-crop', scale: [0.25, 1], flip: true },
    });
    bench('ffmpeg folder: 1 batch of 2 clips × 16 frames (stride 2) at 128 px, crop to 112', batches(decode, [[112, 16]], 1), {
      iterations: 3,
    });
  }
});
