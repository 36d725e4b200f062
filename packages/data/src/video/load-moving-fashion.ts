import { type FashionMnistOptions, loadFashionMnist } from '../fashion-mnist.js';
import type { Split } from '../mnist-files.js';
import { type MovingActionsOptions, type MovingActionsSource, movingFashionActions } from './moving-fashion.js';

export interface LoadMovingActionsOptions extends MovingActionsOptions {
  /** Which Fashion-MNIST split the items come from (train and test clips never share an item). Default 'train'. */
  readonly split?: Split;
  /** Fashion-MNIST folder; default /usr/share/datasets/fashion-mnist (Debian package dataset-fashion-mnist). */
  readonly dir?: string;
}

/** `movingFashionActions` over the real Fashion-MNIST items of one split. */
export async function loadMovingFashionActions(options: LoadMovingActionsOptions = {}): Promise<MovingActionsSource> {
  const { split = 'train', dir, ...rest } = options;
  const fashion: FashionMnistOptions = dir === undefined ? { split } : { split, dir };
  const items = await loadFashionMnist(fashion);
  return movingFashionActions(items, { name: `moving-fashion${rest.shuffleFrames ? '-shuffled' : ''}/${split}`, ...rest });
}
