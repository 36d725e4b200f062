import type { Module } from '@adaptnet/core';
import { SwitchableBatchNorm } from '@adaptnet/norm';
import { SlimConv2d, SlimConv3d, SlimDense, SlimDepthwiseConv2d, SlimDepthwiseConv3d } from '@adaptnet/slimmable';
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

function kindOf(module: Module, localName: string): ParameterKind {
  if (module instanceof SwitchableBatchNorm) return 'batchNorm';
  if (localName === 'bias') return 'bias';
  if (module instanceof SlimDepthwiseConv2d || module instanceof SlimDepthwiseConv3d) return 'depthwise';
  if (module instanceof SlimDense) return 'dense';
  if (module instanceof SlimConv2d || module instanceof SlimConv3d) return 'conv';
  // Weights of layers this package does not know (a custom head, say) are treated as convolutions.
  return 'conv';
}

/**
 * Every trainable variable of `model` by dotted path with its kind and the weight decay it gets:
 * `weightDecay` where `decay[kind]`, else 0.
 */
export function trainableParameters(model: Module, weightDecay: number, decay: DecaySelection): TrainableParameter[] {
  // namedModules lists parents before children, so the last module seen holding a variable owns it.
  const owner = new Map<string, { module: Module; localName: string }>();
  for (const [path, module] of model.namedModules()) {
    const prefix = path === '' ? '' : `${path}.`;
    for (const name of module.namedVariables(prefix).keys()) owner.set(name, { module, localName: name.slice(prefix.length) });
  }
  const out: TrainableParameter[] = [];
  for (const [name, variable] of model.namedVariables()) {
    if (!variable.trainable) continue;
    const { module, localName } = owner.get(name) as { module: Module; localName: string };
    const kind = kindOf(module, localName);
    out.push({ name, variable, kind, weightDecay: decay[kind] ? weightDecay : 0 });
  }
  return out;
}
