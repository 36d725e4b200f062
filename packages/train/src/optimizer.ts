import { ConfigError, ShapeError, sgdStep } from '@adaptnet/core';
import * as tf from '@tensorflow/tfjs-core';

export interface OptimizedParameter {
  readonly name: string;
  readonly variable: tf.Variable;
  readonly weightDecay: number;
}

export interface SgdOptions {
  readonly momentum: number;
  readonly nesterov: boolean;
}

/**
 * SGD with momentum, PyTorch semantics (`torch.optim.SGD`: g' = g + wd·w, v = m·v + g',
 * w −= lr·(nesterov ? g' + m·v : v)), one fused `sgdStep` per variable. The velocities start at
 * zero, which makes the first step equal PyTorch's (its buffer starts at g'). A parameter without
 * a gradient this step is left alone, momentum included, as PyTorch does for `grad is None`.
 */
export class SgdOptimizer {
  readonly parameters: readonly OptimizedParameter[];
  readonly momentum: number;
  readonly nesterov: boolean;
  private readonly velocities = new Map<string, tf.Variable>();

  constructor(parameters: readonly OptimizedParameter[], options: SgdOptions) {
    if (!(options.momentum >= 0 && options.momentum < 1)) throw new ConfigError(`momentum must be in [0, 1), got ${options.momentum}`);
    if (options.nesterov && options.momentum === 0) throw new ConfigError('nesterov momentum needs momentum > 0');
    const names = new Set<string>();
    for (const p of parameters) {
      if (names.has(p.name)) throw new ConfigError(`parameter '${p.name}' is listed twice`);
      names.add(p.name);
    }
    this.parameters = [...parameters];
    this.momentum = options.momentum;
    this.nesterov = options.nesterov;
    for (const p of parameters)
      this.velocities.set(
        p.name,
        tf.tidy(() => tf.variable(tf.zerosLike(p.variable), false)),
      );
  }

  /** Applies one update from gradients keyed by parameter name; consumes (disposes) nothing. */
  step(grads: ReadonlyMap<string, tf.Tensor>, lr: number): void {
    if (!(Number.isFinite(lr) && lr >= 0)) throw new ConfigError(`learning rate must be a finite number >= 0, got ${lr}`);
    for (const p of this.parameters) {
      const g = grads.get(p.name);
      if (g === undefined) continue;
      const v = this.velocities.get(p.name) as tf.Variable;
      const next = sgdStep(p.variable, g, v, { lr, momentum: this.momentum, nesterov: this.nesterov, weightDecay: p.weightDecay });
      p.variable.assign(next.param);
      v.assign(next.velocity);
      tf.dispose([next.param, next.velocity]);
    }
  }

  /** Momentum buffers by parameter name (owned by the optimizer). */
  state(): ReadonlyMap<string, tf.Variable> {
    return this.velocities;
  }

  /** Restores momentum buffers; every parameter must be present with its shape. */
  loadState(state: ReadonlyMap<string, tf.Tensor>): void {
    for (const [name, v] of this.velocities) {
      const t = state.get(name);
      if (t === undefined) throw new ConfigError(`optimizer state has no momentum buffer for '${name}'`);
      if (!tf.util.arraysEqual(t.shape, v.shape)) {
        throw new ShapeError(`momentum buffer '${name}' has shape [${t.shape}], the parameter has [${v.shape}]`);
      }
    }
    for (const [name, v] of this.velocities) v.assign(state.get(name) as tf.Tensor);
  }

  dispose(): void {
    for (const v of this.velocities.values()) v.dispose();
    this.velocities.clear();
  }
}
