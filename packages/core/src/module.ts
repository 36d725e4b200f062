import type { Tensor, Variable } from '@tensorflow/tfjs-core';
import type { ForwardContext } from './config.js';
import { ConfigError } from './errors.js';

/** Cost of one leaf layer for the FLOPs counter. */
export interface LayerCost {
  readonly name: string;
  readonly kind: string;
  /** Multiply-adds. */
  readonly macs: number;
  /** Parameters of the active (sliced) subnet. */
  readonly params: number;
  readonly outShape: readonly number[];
}

export interface Cost {
  readonly macs: number;
  readonly params: number;
  readonly outShape: readonly number[];
  readonly layers: readonly LayerCost[];
}

export function leafCost(layer: LayerCost): Cost {
  return { macs: layer.macs, params: layer.params, outShape: layer.outShape, layers: [layer] };
}

/** Cost of modules applied one after another. */
export function sequentialCost(steps: ReadonlyArray<(inShape: readonly number[]) => Cost>, inShape: readonly number[]): Cost {
  let shape = inShape;
  let macs = 0;
  let params = 0;
  const layers: LayerCost[] = [];
  for (const step of steps) {
    const c = step(shape);
    macs += c.macs;
    params += c.params;
    layers.push(...c.layers);
    shape = c.outShape;
  }
  return { macs, params, outShape: shape, layers };
}

/**
 * What a variable is, declared when it is created: optimisers and weight decay read it instead of
 * asking which class owns the variable (`instanceof` breaks when ESM and CJS copies of a package meet).
 */
export type ParameterRole = 'conv-weight' | 'depthwise-weight' | 'dense-weight' | 'bias' | 'bn-gamma' | 'bn-beta' | 'bn-statistic';

/**
 * Base of every AdaptNet layer and model. `forward` and `cost` walk the same tree, so the FLOPs
 * counter cannot disagree with the network that runs.
 */
export abstract class Module {
  readonly name: string;
  private readonly ownVariables = new Map<string, Variable>();
  private readonly roles = new Map<string, ParameterRole>();
  private readonly children = new Map<string, Module>();

  constructor(name: string) {
    this.name = name;
  }

  abstract forward(x: Tensor, ctx: ForwardContext): Tensor;

  abstract cost(inShape: readonly number[], ctx: ForwardContext): Cost;

  protected addVariable<V extends Variable>(localName: string, variable: V, role: ParameterRole): V {
    if (this.ownVariables.has(localName) || this.children.has(localName)) {
      throw new ConfigError(`${this.name}: duplicate parameter name '${localName}'`);
    }
    this.ownVariables.set(localName, variable);
    this.roles.set(localName, role);
    return variable;
  }

  protected addModule<M extends Module>(localName: string, module: M): M {
    if (this.ownVariables.has(localName) || this.children.has(localName)) {
      throw new ConfigError(`${this.name}: duplicate child name '${localName}'`);
    }
    this.children.set(localName, module);
    return module;
  }

  /** All variables (trainable and state such as BN running statistics), by dotted path. */
  namedVariables(prefix = ''): Map<string, Variable> {
    const out = new Map<string, Variable>();
    for (const [n, v] of this.ownVariables) out.set(prefix + n, v);
    for (const [n, m] of this.children) {
      for (const [cn, v] of m.namedVariables(`${prefix}${n}.`)) out.set(cn, v);
    }
    return out;
  }

  /** The role of every variable, by the same dotted paths as `namedVariables`. */
  namedRoles(prefix = ''): Map<string, ParameterRole> {
    const out = new Map<string, ParameterRole>();
    for (const [n, role] of this.roles) out.set(prefix + n, role);
    for (const [n, m] of this.children) {
      for (const [cn, role] of m.namedRoles(`${prefix}${n}.`)) out.set(cn, role);
    }
    return out;
  }

  /**
   * This module and every descendant, by dotted path ('' for this module itself), depth first in
   * registration order.
   */
  namedModules(prefix = ''): Map<string, Module> {
    const out = new Map<string, Module>([[prefix.replace(/\.$/, ''), this]]);
    for (const [n, m] of this.children) {
      for (const [path, sub] of m.namedModules(`${prefix}${n}.`)) out.set(path, sub);
    }
    return out;
  }

  trainableVariables(): Variable[] {
    return [...this.namedVariables().values()].filter((v) => v.trainable);
  }

  /** Number of elements over all trainable variables at full size. */
  parameterCount(): number {
    return this.trainableVariables().reduce((n, v) => n + v.size, 0);
  }

  dispose(): void {
    for (const v of this.namedVariables().values()) v.dispose();
  }
}
