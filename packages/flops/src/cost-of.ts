import { ConfigError, type Cost, type ForwardContext, type LayerCost, type SubnetConfig } from '@adaptnet/core';

/** Anything with an analytic cost: every AdaptNet `Module`. */
export interface Costed {
  cost(inShape: readonly number[], ctx: ForwardContext): Cost;
}

/** A model that knows its own input shape for a configuration (the backbones: `[1, r, r, inChannels]`). */
export interface ShapedCosted extends Costed {
  inputShape(config: SubnetConfig): readonly number[];
}

export interface CostReport {
  /** Multiply-adds of the whole model (conv, dense, global average pooling as C·H·W). */
  readonly macs: number;
  /** Parameters of the active subnet. */
  readonly params: number;
  readonly inShape: readonly number[];
  readonly outShape: readonly number[];
  readonly config: SubnetConfig;
  /** One row per leaf layer in execution order. */
  readonly layers: readonly LayerCost[];
}

function hasInputShape(model: Costed): model is ShapedCosted {
  return typeof (model as Partial<ShapedCosted>).inputShape === 'function';
}

/**
 * MACs and active parameters of `model` at `config`, by walking its `cost()` — no tensors are
 * created. `inShape` defaults to the model's `inputShape(config)` (batch 1).
 */
export function costOf(model: Costed, config: SubnetConfig, inShape?: readonly number[]): CostReport {
  let shape = inShape;
  if (shape === undefined) {
    if (!hasInputShape(model)) {
      throw new ConfigError('costOf: this model has no inputShape(config); pass inShape, e.g. [1, 224, 224, 3]');
    }
    shape = model.inputShape(config);
  }
  if (shape.length === 0 || shape.some((d) => !Number.isInteger(d) || d <= 0)) {
    throw new ConfigError(`costOf: inShape must be positive integers, got [${shape.join(', ')}]`);
  }
  const c = model.cost(shape, { config, training: false });
  const macs = c.layers.reduce((s, l) => s + l.macs, 0);
  const params = c.layers.reduce((s, l) => s + l.params, 0);
  if (macs !== c.macs || params !== c.params) {
    throw new ConfigError(`costOf: layer rows sum to ${macs} MACs / ${params} params but the model reports ${c.macs} / ${c.params}`);
  }
  return { macs: c.macs, params: c.params, inShape: [...shape], outShape: c.outShape, config, layers: c.layers };
}

/** Parameters of the rows whose kind is not in `excludeKinds` (e.g. `['batchnorm']` for conv+dense only). */
export function paramsExcluding(report: Pick<CostReport, 'layers'>, excludeKinds: readonly string[]): number {
  return report.layers.filter((l) => !excludeKinds.includes(l.kind)).reduce((s, l) => s + l.params, 0);
}
