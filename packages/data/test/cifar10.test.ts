import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CIFAR10_CLASSES, DatasetError } from '../src/index.js';
import { loadCifar10 } from '../src/node.js';
import { tempDir } from './helpers/tmp.js';

/** A CIFAR-10 binary record: label, then R, G, B planes of 32×32; pixel (y, x) of plane c = (c·100 + y + x) mod 256. */
function record(label: number, tag: number): Uint8Array {
  const r = new Uint8Array(3073);
  r[0] = label;
  for (let c = 0; c < 3; c++)
    for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) r[1 + c * 1024 + y * 32 + x] = (c * 100 + y + x + tag) % 256;
  return r;
}

const concat = (parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => Array.from(p)));
const root = await tempDir('cifar');

async function writeBatches(dir: string, perFile: number): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (let f = 1; f <= 5; f++) {
    await writeFile(join(dir, `data_batch_${f}.bin`), concat(Array.from({ length: perFile }, (_, i) => record((f + i) % 10, f * 10 + i))));
  }
  await writeFile(join(dir, 'test_batch.bin'), concat([record(9, 77)]));
}

describe('CIFAR-10 binary batches', () => {
  it('reads data_batch_1..5 in order and converts the planes to HWC', async () => {
    const dir = join(root, 'flat');
    await writeBatches(dir, 2);
    const ds = await loadCifar10({ dir });
    expect([ds.name, ds.size, ds.height, ds.width, ds.channels, ds.numClasses]).toEqual(['cifar10/train', 10, 32, 32, 3, 10]);
    expect(Array.from(ds.labels)).toEqual([1, 2, 2, 3, 3, 4, 4, 5, 5, 6]);
    expect(ds.classNames).toEqual(CIFAR10_CLASSES);
    // image 3 = file 2, record 1 (tag 21): pixel (y=4, x=7) is [R, G, B] = [21+11, 121+11, 221+11]
    const at = (k: number, y: number, x: number) =>
      Array.from(ds.pixels.subarray(((k * 32 + y) * 32 + x) * 3, ((k * 32 + y) * 32 + x) * 3 + 3));
    expect(at(3, 4, 7)).toEqual([32, 132, 232]);
    expect(at(0, 0, 0)).toEqual([10, 110, 210]);
    expect(at(9, 31, 31)).toEqual([(51 + 62) % 256, (151 + 62) % 256, (251 + 62) % 256]);
    const test = await loadCifar10({ dir, split: 'test' });
    expect([test.size, test.labels[0]]).toEqual([1, 9]);
  });

  it('finds the cifar-10-batches-bin sub-folder of the extracted archive', async () => {
    await writeBatches(join(root, 'archive', 'cifar-10-batches-bin'), 1);
    expect((await loadCifar10({ dir: join(root, 'archive'), split: 'test' })).size).toBe(1);
  });

  it('missing files name the path and how to get them; truncated files and bad labels are named errors', async () => {
    const missing = join(root, 'none');
    const err = await loadCifar10({ dir: missing }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetError);
    expect(err).toMatchObject({ reason: 'missing', path: join(missing, 'data_batch_1.bin') });
    expect((err as Error).message).toMatch(/^CIFAR-10 not found at .*none\/data_batch_1\.bin .*cifar-10-binary\.tar\.gz/);

    const bad = join(root, 'bad');
    await writeBatches(bad, 1);
    await writeFile(join(bad, 'data_batch_3.bin'), record(1, 0).subarray(0, 3000));
    await expect(loadCifar10({ dir: bad })).rejects.toThrow(
      `${join(bad, 'data_batch_3.bin')} is 3000 bytes, not a whole number of 3073-byte CIFAR-10 records`,
    );
    await writeFile(join(bad, 'test_batch.bin'), record(12, 0));
    await expect(loadCifar10({ dir: bad, split: 'test' })).rejects.toThrow(/record 0 has label 12; CIFAR-10 labels are 0..9/);
  });
});
