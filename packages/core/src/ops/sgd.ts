import { ADAPTNET_KERNELS } from '@adaptnet/kernel-names';
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, ShapeError } from '../errors.js';

/**
 * A fused SGD-step kernel a backend may provide (@adaptnet/backend-native does):
 *   AdaptNetSgdStep  inputs {param, grad, velocity}, attrs {lr, momentum, nesterov, weightDecay, dampening}
 *                    → [param', velocity']
 * with exactly the arithmetic of the composed path below (float32, same operation order), so
 * both give the same bits. With momentum 0 the kernel returns `velocity` itself as velocity'.
 */
export const SGD_STEP_KERNEL = ADAPTNET_KERNELS.sgdStep;

export interface SgdStepOptions {
  /** Learning rate: finite, ≥ 0. */
  readonly lr: number;
  /** Momentum factor m in [0, 1); 0 is plain SGD. */
  readonly momentum: number;
  /** Nesterov momentum; needs momentum > 0 and dampening 0 (as in PyTorch). */
  readonly nesterov: boolean;
  /** L2 penalty added to the gradient (g' = g + wd·w): finite, ≥ 0. */
  readonly weightDecay: number;
  /** Dampening d in [0, 1] (v' = m·v + (1 − d)·g'); default 0. */
  readonly dampening?: number;
}

export interface SgdStepResult {
  readonly param: tf.Tensor;
  readonly velocity: tf.Tensor;
}

function fail(what: string, value: unknown, allowed: string): never {
  throw new ConfigError(`sgdStep: ${what} must be ${allowed}, got ${String(value)}`);
}

/** Throws ConfigError naming the offending value and what is allowed; returns the dampening. */
function validateOptions(o: SgdStepOptions): number {
  const dampening = o.dampening ?? 0;
  if (typeof o.lr !== 'number' || !Number.isFinite(o.lr) || o.lr < 0) fail('lr', o.lr, 'a finite number ≥ 0');
  if (typeof o.momentum !== 'number' || !(o.momentum >= 0 && o.momentum < 1)) fail('momentum', o.momentum, 'a number in [0, 1)');
  if (typeof dampening !== 'number' || !(dampening >= 0 && dampening <= 1)) fail('dampening', dampening, 'a number in [0, 1]');
  if (typeof o.weightDecay !== 'number' || !Number.isFinite(o.weightDecay) || o.weightDecay < 0) {
    fail('weightDecay', o.weightDecay, 'a finite number ≥ 0');
  }
  if (typeof o.nesterov !== 'boolean') fail('nesterov', o.nesterov, 'true or false');
  if (o.nesterov && (o.momentum === 0 || dampening !== 0)) {
    throw new ConfigError(`sgdStep: nesterov needs momentum > 0 and dampening 0, got momentum ${o.momentum} and dampening ${dampening}`);
  }
  return dampening;
}

function validateShapes(param: tf.Tensor, grad: tf.Tensor, velocity: tf.Tensor): void {
  for (const [name, t] of [
    ['grad', grad],
    ['velocity', velocity],
  ] as const) {
    if (!tf.util.arraysEqual(t.shape, param.shape)) {
      throw new ShapeError(`sgdStep: ${name} shape [${t.shape}] must equal the param shape [${param.shape}]`);
    }
  }
}

/**
 * One step of PyTorch's torch.optim.SGD for one parameter w with gradient g and momentum buffer v:
 *
 *   g' = g + wd·w
 *   v' = m·v + (1 − d)·g'
 *   step = nesterov ? g' + m·v' : v'
 *   w' = w − lr·step
 *
 * Returns NEW tensors (the caller assigns them to its variables and disposes them); the inputs are
 * left as they are. On a backend that registers `AdaptNetSgdStep` (native) this is one kernel call
 * and one pass over memory; elsewhere it is composed from tfjs ops (≈5 kernels) in a tidy.
 *
 * - Momentum 0 is plain SGD (step = g'); `velocity` then comes back unchanged (a new handle on
 *   the same storage, no copy) — pass any tensor of the right shape, e.g. zeros.
 * - Start `velocity` at zeros. PyTorch initialises its buffer to g' on the first step; with
 *   dampening 0 that is exactly m·0 + g', so the two agree from the first step. With dampening
 *   d > 0 PyTorch's first step skips the (1 − d) factor: to reproduce it, call the first step with
 *   `dampening: 0` and later steps with d.
 *
 * Throws ConfigError for options out of range (lr finite ≥ 0, momentum in [0, 1), dampening in
 * [0, 1], weightDecay finite ≥ 0, nesterov only with momentum > 0 and dampening 0) and ShapeError
 * when grad or velocity differs in shape from param.
 */
export function sgdStep(param: tf.Tensor, grad: tf.Tensor, velocity: tf.Tensor, options: SgdStepOptions): SgdStepResult {
  const dampening = validateOptions(options);
  validateShapes(param, grad, velocity);
  const { lr, momentum, nesterov, weightDecay } = options;
  const fused =
    param.dtype === 'float32' &&
    grad.dtype === 'float32' &&
    velocity.dtype === 'float32' &&
    tf.getKernel(SGD_STEP_KERNEL, tf.getBackend()) !== undefined;
  if (fused) {
    const [p, v] = tf
      .engine()
      .runKernel(SGD_STEP_KERNEL, { param, grad, velocity }, { lr, momentum, nesterov, weightDecay, dampening }) as tf.Tensor[];
    return { param: p as tf.Tensor, velocity: v as tf.Tensor };
  }
  // The kernel's contract, op for op (float32 results after every op, in this order).
  const [p, v] = tf.tidy(() => {
    const g = weightDecay > 0 ? tf.add(grad, tf.mul(param, weightDecay)) : grad;
    let step = g;
    let v1 = velocity;
    if (momentum > 0) {
      v1 = tf.add(tf.mul(velocity, momentum), dampening > 0 ? tf.mul(g, 1 - dampening) : g);
      step = nesterov ? tf.add(g, tf.mul(v1, momentum)) : v1;
    }
    // tf.clone: a new handle even when v1 is the input (momentum 0), so the caller always disposes.
    return [tf.sub(param, tf.mul(step, lr)), v1 === velocity ? tf.clone(velocity) : v1];
  });
  return { param: p as tf.Tensor, velocity: v as tf.Tensor };
}
