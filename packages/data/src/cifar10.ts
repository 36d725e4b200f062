import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CIFAR10_CLASSES, CIFAR10_RECORD, CIFAR10_SIDE, decodeCifarRecords } from './cifar10-format.js';
import { createImageDataset, type ImageDataset } from './dataset.js';
import { DatasetError } from './errors.js';
import { exists } from './files.js';
import { checkSplit, type Split } from './mnist-files.js';

const INSTALL =
  'download the binary version and extract it there: curl -LO https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz && tar xzf cifar-10-binary.tar.gz';

export interface Cifar10Options {
  /** Folder holding data_batch_1.bin … data_batch_5.bin and test_batch.bin (or its `cifar-10-batches-bin` sub-folder). */
  readonly dir: string;
  /** Default 'train' (data_batch_1..5); 'test' reads test_batch.bin. */
  readonly split?: Split;
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
  const total = files.reduce((a, f) => a + Math.floor(f.length / CIFAR10_RECORD), 0);
  const into = { pixels: new Uint8Array(total * 3 * CIFAR10_SIDE * CIFAR10_SIDE), labels: new Int32Array(total), at: 0 };
  files.forEach((bytes, i) => {
    into.at += decodeCifarRecords(bytes, join(dir, names[i] as string), into);
  });
  return createImageDataset({
    name: `cifar10/${split}`,
    height: CIFAR10_SIDE,
    width: CIFAR10_SIDE,
    channels: 3,
    classNames: CIFAR10_CLASSES,
    pixels: into.pixels,
    labels: into.labels,
  });
}
