import { ConfigError, ShapeError } from '@adaptnet/core';
import * as tf from '@tensorflow/tfjs-core';
import { type CrossEntropyOptions, crossEntropy } from './cross-entropy.js';
import { detach } from './detach.js';
import { type KlDistillOptions, klDistill } from './kl.js';
import { checkSameShape } from './logits.js';

/** `'vanilla'`: Eq. 8, Σ_s KL(p0 ‖ p_s). `'full'`: Eq. 10, (2/(S+1)) Σ_{t<s} KL(p_t ‖ p_s). */
export type MredMode = 'full' | 'vanilla';

export interface MredDistillOptions extends KlDistillOptions {
  /** Default 'full' (RS-Nets' default). */
  readonly mode?: MredMode;
}

export interface MredLossOptions extends MredDistillOptions, CrossEntropyOptions {}

/**
 * The (teacher, student) index pairs of MRED's distillation, 0 being the ensemble and 1..S the
 * resolutions from largest to smallest: S pairs for 'vanilla', S(S+1)/2 for 'full'.
 */
export function mredPairs(numResolutions: number, mode: MredMode = 'full'): [teacher: number, student: number][] {
  checkSize(numResolutions);
  checkMode(mode);
  const pairs: [number, number][] = [];
  const lastTeacher = mode === 'full' ? numResolutions - 1 : 0;
  for (let t = 0; t <= lastTeacher; t++) for (let s = t + 1; s <= numResolutions; s++) pairs.push([t, s]);
  return pairs;
}

function checkSize(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(`MRED needs an integer number of resolutions >= 1, got ${n}`);
}

function checkMode(mode: string): void {
  if (mode !== 'full' && mode !== 'vanilla') throw new ConfigError(`MRED mode '${mode}' is not one of 'full', 'vanilla'`);
}

/**
 * RS-Nets' multi-resolution ensemble distillation (§3.3). Holds the S learnable importance scores
 * α (initialised to 0, i.e. equal weights); `weights()` = softmax(α) lies on the simplex.
 *
 * Gradient routing, as in the paper: the ensemble logit z0 = Σ_s softmax(α)_s z_s is built from
 * detached z_s, so `ensembleLoss` (L_ens, Eq. 6) updates α only; in `distillLoss` every teacher,
 * z0 included, is detached, so it updates the network only. All methods take the S logits ordered
 * from the largest resolution down.
 */
export class MredEnsemble {
  readonly size: number;
  readonly alpha: tf.Variable<tf.Rank.R1>;

  constructor(numResolutions: number, options: { readonly name?: string } = {}) {
    checkSize(numResolutions);
    this.size = numResolutions;
    this.alpha = tf.tidy(() => tf.variable(tf.zeros([numResolutions]), true, options.name) as tf.Variable<tf.Rank.R1>);
  }

  /** softmax(α): the ensemble weights, non-negative and summing to 1. */
  weights(): tf.Tensor1D {
    return tf.softmax(this.alpha);
  }

  /** z0 = Σ_s softmax(α)_s · z_s, differentiable in α only. */
  ensembleLogits(logits: readonly tf.Tensor[]): tf.Tensor {
    this.checkLogits(logits);
    return tf.tidy(() => {
      const stacked = tf.stack(logits.map((z) => detach(z)));
      const w = tf.reshape(this.weights(), [this.size, ...new Array<number>(stacked.rank - 1).fill(1)]);
      return tf.sum(tf.mul(stacked, w), 0);
    });
  }

  /** L_ens = CE(z0, y) (Eq. 6); its only gradient goes to α. */
  ensembleLoss(logits: readonly tf.Tensor[], labels: tf.Tensor): tf.Scalar {
    return tf.tidy(() => crossEntropy(this.ensembleLogits(logits), labels));
  }

  /** L_dis (Eq. 8 or 10), teachers detached; default full-version. */
  distillLoss(logits: readonly tf.Tensor[], options: MredDistillOptions = {}): tf.Scalar {
    const mode = options.mode ?? 'full';
    checkMode(mode);
    this.checkLogits(logits);
    return tf.tidy(() => {
      const z = [this.ensembleLogits(logits), ...logits];
      const terms = mredPairs(this.size, mode).map(([t, s]) => klDistill(z[s] as tf.Tensor, z[t] as tf.Tensor, options));
      const sum = terms.length === 1 ? (terms[0] as tf.Scalar) : tf.addN(terms);
      return mode === 'full' ? tf.mul(sum, 2 / (this.size + 1)) : sum;
    });
  }

  /**
   * The whole RS-Nets objective, Eq. 9: L_cls (Σ_s CE(z_s, y), Eq. 2) + L_ens + L_dis. One
   * optimizer step over the network's variables and `alpha` applies each part where it belongs.
   */
  loss(logits: readonly tf.Tensor[], labels: tf.Tensor, options: MredLossOptions = {}): tf.Scalar {
    return tf.tidy(() => {
      const cls = logits.map((z) => crossEntropy(z, labels, options));
      return tf.addN([...cls, this.ensembleLoss(logits, labels), this.distillLoss(logits, options)]);
    });
  }

  dispose(): void {
    this.alpha.dispose();
  }

  private checkLogits(logits: readonly tf.Tensor[]): void {
    if (logits.length !== this.size) {
      throw new ShapeError(
        `MRED over ${this.size} resolutions needs ${this.size} logits tensors (largest resolution first), got ${logits.length}`,
      );
    }
    const first = logits[0] as tf.Tensor;
    if (first.rank < 2) throw new ShapeError(`logits must have rank >= 2 (classes last), got shape [${first.shape.join(', ')}]`);
    logits.forEach((z, s) => checkSameShape(`logits[${s}]`, z, 'logits[0]', first));
  }
}
