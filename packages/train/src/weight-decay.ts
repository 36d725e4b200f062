import { ConfigError, type Module, type ParameterRole } from '@adaptnet/core';
import type * as tf from '@tensorflow/tfjs-core';

/** What a trainable variable is, for deciding whether weight decay reaches it. */
export type ParameterKind = 'conv' | 'depthwise' | 'dense' | 'batchNorm' | 'bias';

export type DecaySelection = Readonly<Record<ParameterKind, boolean>>;

export interface TrainableParameter {
  readonly name: string;
  readonly variable: tf.Variable;
  readonly kind: ParameterKind;
  readonly weightDecay: number;
}

const KIND_OF_ROLE: Readonly<Record<ParameterRole, ParameterKind | undefined>> = {
  'conv-weight': 'conv',
  'depthwise-weight': 'depthwise',
  'dense-weight': 'dense',
  bias: 'bias',
  'bn-gamma': 'batchNorm',
  'bn-beta': 'batchNorm',
  'bn-statistic': undefined,
};

/**
 * Every trainable variable of `model` by dotted path with its kind and the weight decay it gets:
 * `weightDecay` where `decay[kind]`, else 0.
 */
export function trainableParameters(model: Module, weightDecay: number, decay: DecaySelection): TrainableParameter[] {
  const roles = model.namedRoles();
  const out: TrainableParameter[] = [];
  for (const [name, variable] of model.namedVariables()) {
    if (!variable.trainable) continue;
    const role = roles.get(name);
    const kind = role === undefined ? undefined : KIND_OF_ROLE[role];
    if (kind === undefined) throw new ConfigError(`${name}: a trainable variable with role '${role}' has no weight-decay kind`);
    out.push({ name, variable, kind, weightDecay: decay[kind] ? weightDecay : 0 });
  }
  return out;
}
