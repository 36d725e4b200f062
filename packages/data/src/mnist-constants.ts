export const FASHION_MNIST_CLASSES: readonly string[] = Object.freeze([
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
]);

/** Per-channel mean and std of the Fashion-MNIST training pixels on [0, 1] (the reference recipe's values). */
export const FASHION_MNIST_NORMALIZE = Object.freeze({ mean: Object.freeze([0.286]), std: Object.freeze([0.353]) });

/** Per-channel mean and std of the MNIST training pixels on [0, 1]. */
export const MNIST_NORMALIZE = Object.freeze({ mean: Object.freeze([0.1307]), std: Object.freeze([0.3081]) });
