import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createImageDataset, type ImageDataset } from './dataset.js';
import { DatasetError } from './errors.js';
import { exists } from './files.js';
import { checkSplit, type Split } from './mnist-files.js';

export const CIFAR10_CLASSES: readonly string[] = Object.freeze([
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
]);

/** Per-channel mean and std of the CIFAR-10 training pixels on [0, 1]. */
export const CIFAR10_NORMALIZE = Object.freeze({
  mean: Object.freeze([0.4914, 0.4822, 0.4465]),
  std: Object.freeze([0.247, 0.2435, 0.2616]),
});

const SIDE = 32;
const PLANE = SIDE * SIDE;
const RECORD = 1 + 3 * PLANE;
const INSTALL =
  'download the binary version and extract it there: curl -LO https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz && tar xzf cifar-10-binary.tar.gz';

export interface Cifar10Options {
  /** Folder holding data_batch_1.bin … data_batch_5.bin and test_batch.bin (or its `cifar-10-batches-bin` sub-folder). */
  readonly dir: string;
  /** Default 'train' (data_batch_1..5); 'test' reads test_batch.bin. */
  readonly split?: Split;
}

/** Decodes CIFAR-10 binary records (label byte, then 32×32 R, G and B planes) into HWC pixels. */
export function decodeCifarRecords(bytes: Uint8Array, path: string, into: { pixels: Uint8Array; labels: Int32Array; at: number }): number {
  if (bytes.length === 0 || bytes.length % RECORD !== 0) {
    throw new DatasetError(
      'corrupt',
      path,
      `${path} is ${bytes.length} bytes, not a whole number of ${RECORD}-byte CIFAR-10 records (label + 3×32×32); it may be truncated`,
    );
  }
  const n = bytes.length / RECORD;
  for (let r = 0; r < n; r++) {
    const rec = r * RECORD;
    const label = bytes[rec] as number;
    if (label > 9) throw new DatasetError('corrupt', path, `${path}: record ${r} has label ${label}; CIFAR-10 labels are 0..9`);
    into.labels[into.at + r] = label;
    const out = (into.at + r) * 3 * PLANE;
    for (let p = 0; p < PLANE; p++) {
      into.pixels[out + 3 * p] = bytes[rec + 1 + p] as number;
      into.pixels[out + 3 * p + 1] = bytes[rec + 1 + PLANE + p] as number;
      into.pixels[out + 3 * p + 2] = bytes[rec + 1 + 2 * PLANE + p] as number;
    }
  }
  return n;
}

/** CIFAR-10 (32×32×3, 10 classes) from the user's copy of the binary batches. */
export async function loadCifar10(options: Cifar10Options): Promise<ImageDataset> {
  const split = checkSplit(options.split ?? 'train');
  const names = split === 'train' ? [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`) : ['test_batch.bin'];
  const nested = join(options.dir, 'cifar-10-batches-bin');
  const dir =
    !(await exists(join(options.dir, names[0] as string))) && (await exists(join(nested, names[0] as string))) ? nested : options.dir;
  const files: Uint8Array[] = [];
  for (const name of names) {
    const path = join(dir, name);
    try {
      files.push(await readFile(path));
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new DatasetError('unreadable', path, `cannot read ${path}: ${(cause as Error).message}`, { cause });
      }
      const present = await readdir(dir).catch(() => undefined);
      throw new DatasetError(
        'missing',
        path,
        `CIFAR-10 not found at ${path}${present === undefined ? ` (${dir} does not exist)` : ''}; ${INSTALL} -C ${options.dir}`,
        { cause },
      );
    }
  }
  const total = files.reduce((a, f) => a + Math.floor(f.length / RECORD), 0);
  const into = { pixels: new Uint8Array(total * 3 * PLANE), labels: new Int32Array(total), at: 0 };
  files.forEach((bytes, i) => {
    into.at += decodeCifarRecords(bytes, join(dir, names[i] as string), into);
  });
  return createImageDataset({
    name: `cifar10/${split}`,
    height: SIDE,
    width: SIDE,
    channels: 3,
    classNames: CIFAR10_CLASSES,
    pixels: into.pixels,
    labels: into.labels,
  });
}
