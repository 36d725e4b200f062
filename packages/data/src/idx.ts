import { createImageDataset, type ImageDataset, numberedClasses } from './dataset.js';
import { DatasetError } from './errors.js';
import { readMaybeGzip } from './files.js';
import { type IdxArray, parseIdx } from './idx-format.js';

/** Reads and validates an IDX file, gzipped or plain. */
export async function readIdx(path: string, options: { expectedRank?: number; missingHint?: string } = {}): Promise<IdxArray> {
  return parseIdx(await readMaybeGzip(path, options.missingHint), path, options.expectedRank);
}

export interface MnistIdxOptions {
  /** Images file (`*-images-idx3-ubyte[.gz]`): dimensions [N, H, W] or [N, H, W, C]. */
  readonly images: string;
  /** Labels file (`*-labels-idx1-ubyte[.gz]`): dimensions [N]. */
  readonly labels: string;
  /** Default: the images file name. */
  readonly name?: string;
  /** Default: '0'…'9' (or up to the largest label). */
  readonly classNames?: readonly string[];
  /** Appended to the "does not exist" error (e.g. the command that installs the files). */
  readonly missingHint?: string;
}

/** MNIST-format (IDX) images and labels at any paths, gzipped or plain. */
export async function loadMnistIdx(options: MnistIdxOptions): Promise<ImageDataset> {
  const [images, labels] = await Promise.all([
    readIdx(options.images, { missingHint: options.missingHint }),
    readIdx(options.labels, { expectedRank: 1, missingHint: options.missingHint }),
  ]);
  if (images.dims.length !== 3 && images.dims.length !== 4) {
    throw new DatasetError(
      'corrupt',
      options.images,
      `${options.images} has dimensions [${images.dims.join(', ')}]; an images file needs [N, H, W] or [N, H, W, C]`,
    );
  }
  const [n, height, width, channels = 1] = images.dims as [number, number, number, number?];
  const count = labels.dims[0] as number;
  if (count !== n) {
    throw new DatasetError('corrupt', options.labels, `${options.labels} holds ${count} labels but ${options.images} holds ${n} images`);
  }
  const labelArray = Int32Array.from(labels.data);
  let maxLabel = 0;
  for (const y of labelArray) maxLabel = Math.max(maxLabel, y);
  const classNames = options.classNames ?? numberedClasses(Math.max(10, maxLabel + 1));
  if (maxLabel >= classNames.length) {
    throw new DatasetError(
      'corrupt',
      options.labels,
      `${options.labels} contains label ${maxLabel} but only ${classNames.length} class names were given`,
    );
  }
  return createImageDataset({
    name: options.name ?? options.images,
    height,
    width,
    channels,
    classNames,
    pixels: images.data,
    labels: labelArray,
  });
}
