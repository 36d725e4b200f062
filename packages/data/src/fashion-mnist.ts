import type { ImageDataset } from './dataset.js';
import { FASHION_MNIST_CLASSES } from './mnist-constants.js';
import { checkSplit, loadMnistStyleDir, type Split } from './mnist-files.js';

export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

export interface FashionMnistOptions {
  /** Default 'train' (60,000 images); 'test' has 10,000. */
  readonly split?: Split;
  /** Default /usr/share/datasets/fashion-mnist (Debian package dataset-fashion-mnist). */
  readonly dir?: string;
}

/** Fashion-MNIST (28×28×1, 10 classes) from gzipped or plain IDX files. */
export async function loadFashionMnist(options: FashionMnistOptions = {}): Promise<ImageDataset> {
  const split = checkSplit(options.split ?? 'train');
  const dir = options.dir ?? FASHION_MNIST_DIR;
  return loadMnistStyleDir({
    dir,
    split,
    title: 'Fashion-MNIST',
    name: `fashion-mnist/${split}`,
    classNames: FASHION_MNIST_CLASSES,
    install:
      dir === FASHION_MNIST_DIR
        ? 'install it with: sudo apt-get install dataset-fashion-mnist'
        : `put the four Fashion-MNIST IDX files there, or install the Debian package (sudo apt-get install dataset-fashion-mnist) and use ${FASHION_MNIST_DIR}`,
  });
}
