import * as tf from '@tensorflow/tfjs-core';

export interface FocalLossOptions {
  /** Weight of the positive class. Default 0.25. */
  readonly alpha?: number;
  /** Focusing exponent. Default 2. */
  readonly gamma?: number;
}

/** Numerically stable binary cross-entropy with logits, elementwise: max(x, 0) − x·y + log(1 + e^−|x|). */
export function bceWithLogits(logits: tf.Tensor, targets: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.add(tf.sub(tf.relu(logits), tf.mul(logits, targets)), tf.log1p(tf.exp(tf.neg(tf.abs(logits))))));
}

/**
 * Sigmoid focal loss (Lin et al. 2017), summed over all elements:
 * Σ α_t (1 − p_t)^γ · BCE(x, y), p = σ(x), p_t = p·y + (1 − p)(1 − y), α_t = α·y + (1 − α)(1 − y).
 * `targets` are 0/1 (one-hot per class), the same shape as `logits`.
 */
export function sigmoidFocalLoss(logits: tf.Tensor, targets: tf.Tensor, options: FocalLossOptions = {}): tf.Scalar {
  const alpha = options.alpha ?? 0.25;
  const gamma = options.gamma ?? 2;
  return tf.tidy(() => {
    const p = tf.sigmoid(logits);
    const ce = bceWithLogits(logits, targets);
    const pt = tf.add(tf.mul(p, targets), tf.mul(tf.sub(1, p), tf.sub(1, targets)));
    const at = tf.add(tf.mul(alpha, targets), tf.mul(1 - alpha, tf.sub(1, targets)));
    const q = tf.sub(1, pt);
    return tf.sum(tf.mul(tf.mul(at, gamma === 2 ? tf.square(q) : tf.pow(q, gamma)), ce));
  });
}

/**
 * Generalised IoU loss (Rezatofighi et al. 2019) of boxes that share their anchor point, given as
 * `[M, 4]` ltrb distances: 1 − GIoU per row, GIoU = IoU − (C − U)/C with C the enclosing box.
 * Returns the `[M]` losses.
 */
export function giouLoss(pred: tf.Tensor2D, target: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const [pl, pt, pr, pb] = tf.split(pred, 4, 1) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
    const [tl, tt, tr, tb] = tf.split(target, 4, 1) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
    const predArea = tf.mul(tf.add(pl, pr), tf.add(pt, pb));
    const targetArea = tf.mul(tf.add(tl, tr), tf.add(tt, tb));
    const iw = tf.add(tf.minimum(pl, tl), tf.minimum(pr, tr));
    const ih = tf.add(tf.minimum(pt, tt), tf.minimum(pb, tb));
    const inter = tf.mul(tf.relu(iw), tf.relu(ih));
    const union = tf.sub(tf.add(predArea, targetArea), inter);
    const cw = tf.add(tf.maximum(pl, tl), tf.maximum(pr, tr));
    const ch = tf.add(tf.maximum(pt, tt), tf.maximum(pb, tb));
    const enclose = tf.add(tf.mul(cw, ch), 1e-7);
    const iouV = tf.div(inter, tf.add(union, 1e-7));
    const giou = tf.sub(iouV, tf.div(tf.sub(enclose, union), enclose));
    return tf.reshape(tf.sub(1, giou), [-1]) as tf.Tensor1D;
  });
}

export interface DetectionLossOptions extends FocalLossOptions {}

export interface DetectionLossParts {
  readonly total: tf.Scalar;
  readonly classification: tf.Scalar;
  readonly regression: tf.Scalar;
  readonly centerness: tf.Scalar;
}

/** The targets `detectionLoss` needs per image (see `assignTargets`). */
export interface LossTargets {
  readonly labels: Int32Array;
  readonly ltrb: Float32Array;
  readonly centerness: Float32Array;
}

/**
 * FCOS loss of a batch: focal loss over every point and class divided by the number of positive
 * points, GIoU loss of the positives weighted by their centre-ness targets (divided by the sum of
 * those), and the centre-ness BCE averaged over the positives. `output` is the detector's
 * `[N, P, K + 5]`.
 */
export function detectionLossParts(
  output: tf.Tensor,
  targets: readonly LossTargets[],
  numClasses: number,
  options: DetectionLossOptions = {},
): DetectionLossParts {
  const [n, p, d] = output.shape as [number, number, number];
  if (targets.length !== n) throw new Error(`detectionLoss: ${targets.length} targets for a batch of ${n}`);
  const onehot = new Float32Array(n * p * numClasses);
  const positives: number[] = [];
  for (let b = 0; b < n; b++) {
    const t = targets[b] as LossTargets;
    if (t.labels.length !== p) throw new Error(`detectionLoss: image ${b} has targets for ${t.labels.length} points, the output ${p}`);
    for (let q = 0; q < p; q++) {
      const l = t.labels[q] as number;
      if (l < 0) continue;
      onehot[(b * p + q) * numClasses + l] = 1;
      positives.push(b * p + q);
    }
  }
  const m = positives.length;
  // Regression and centre-ness run on every point with weight 0 off the positives (a gather's
  // gradient, a segment sum, is several times slower in tfjs than these elementwise ops).
  const regT = new Float32Array(n * p * 4);
  const ctrT = new Float32Array(n * p);
  const posMask = new Float32Array(n * p);
  for (const row of positives) {
    const t = targets[Math.floor(row / p)] as LossTargets;
    const q = row % p;
    regT.set(t.ltrb.subarray(q * 4, q * 4 + 4), row * 4);
    ctrT[row] = t.centerness[q] as number;
    posMask[row] = 1;
  }
  const ctrSum = ctrT.reduce((a, v) => a + v, 0);
  return tf.tidy(() => {
    const flat = tf.reshape(output, [n * p, d]);
    const cls = tf.slice(flat, [0, 0], [-1, numClasses]);
    const classification = tf.div(sigmoidFocalLoss(cls, tf.tensor2d(onehot, [n * p, numClasses]), options), Math.max(1, m)) as tf.Scalar;
    if (m === 0) {
      const zero = tf.scalar(0);
      return { total: classification, classification, regression: zero, centerness: tf.clone(zero) };
    }
    const ctrTarget = tf.tensor1d(ctrT);
    // Off the positives the target is a zero box: GIoU stays finite there (the prediction's area is > 0).
    const giou = giouLoss(tf.slice(flat, [0, numClasses], [-1, 4]) as tf.Tensor2D, tf.tensor2d(regT, [n * p, 4]));
    const regression = tf.div(tf.sum(tf.mul(giou, ctrTarget)), Math.max(1e-6, ctrSum)) as tf.Scalar;
    const bce = bceWithLogits(tf.reshape(tf.slice(flat, [0, numClasses + 4], [-1, 1]), [-1]), ctrTarget);
    const centerness = tf.div(tf.sum(tf.mul(bce, tf.tensor1d(posMask))), m) as tf.Scalar;
    return { total: tf.addN([classification, regression, centerness]) as tf.Scalar, classification, regression, centerness };
  });
}

/** `detectionLossParts(...).total` alone. */
export function detectionLoss(
  output: tf.Tensor,
  targets: readonly LossTargets[],
  numClasses: number,
  options: DetectionLossOptions = {},
): tf.Scalar {
  return tf.tidy(() => detectionLossParts(output, targets, numClasses, options).total);
}
