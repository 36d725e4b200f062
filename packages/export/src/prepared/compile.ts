import {
  type Backbone,
  ConvBnAct,
  DepthwiseSeparableBlock,
  FeatureResize,
  GlobalAvgPool,
  InvertedResidual,
  MaxPool,
  ResidualBlock,
  ResNetStem,
  Sequential,
  ShuffleUnit,
} from '@adaptnet/backbones';
import { ConfigError, type ForwardContext, type Module, type SubnetConfig } from '@adaptnet/core';
import type { SwitchableBatchNorm } from '@adaptnet/norm';
import { SlimDense } from '@adaptnet/slimmable';
import * as tf from '@tensorflow/tfjs-core';
import { foldConvBn } from '../fold.js';
import type { ConvStep, DenseStep, PreparedStep } from './steps.js';

/** What a compiled configuration was derived from, to tell later whether it is still current. */
export interface PreparedSources {
  /** Every variable read (weights and the configuration's BN tensors). */
  readonly variables: readonly tf.Variable[];
  readonly batchNorms: readonly SwitchableBatchNorm[];
}

/**
 * Walks the backbone's modules once for one configuration and emits the steps of its static
 * subnet: every ConvBnAct sliced and folded, the classifier sliced, residual sums, pools, resizes.
 * Channel counts are followed from the input, so each layer's slicing is checked as in `forward`.
 */
class Compiler {
  readonly variables = new Set<tf.Variable>();
  readonly batchNorms = new Set<SwitchableBatchNorm>();
  /** Every tensor made so far, freed when compiling fails half way (e.g. a configuration without calibrated statistics). */
  readonly created: tf.Tensor[] = [];
  private readonly ctx: ForwardContext;

  constructor(
    private readonly model: Backbone,
    private readonly config: SubnetConfig,
  ) {
    this.ctx = { config, training: false };
  }

  private conv(block: ConvBnAct, channels: number): ConvStep {
    const folded = foldConvBn(block, channels, this.config);
    this.created.push(folded.kernel, folded.bias);
    const { conv, bn } = block;
    this.variables.add(conv.kernel);
    if (conv.bias) this.variables.add(conv.bias);
    // The shared γ/β ('config' policy) and this configuration's own set.
    const own = `${bn.keyFor(this.config)}.`;
    for (const [name, v] of bn.namedVariables()) if (name === 'gamma' || name === 'beta' || name.startsWith(own)) this.variables.add(v);
    this.batchNorms.add(bn);
    return {
      kind: 'conv',
      depthwise: folded.depthwise,
      filter: folded.kernel,
      bias: folded.bias,
      kernelSize: block.kernelSize,
      strides: block.strides,
      padding: Math.floor(block.kernelSize / 2),
      activation: block.activation,
      outChannels: folded.outChannels,
    };
  }

  private chain(mods: readonly ConvBnAct[], channels: number, out: PreparedStep[]): number {
    let c = channels;
    for (const m of mods) {
      const step = this.conv(m, c);
      out.push(step);
      c = step.outChannels;
    }
    return c;
  }

  private dense(m: SlimDense, channels: number): DenseStep {
    const width = this.config.width;
    const cin = m.inPlan.check(channels, width);
    const cout = m.outPlan.active(width);
    const tail = m.inPlan.fixedTail;
    this.variables.add(m.kernel);
    if (m.bias) this.variables.add(m.bias);
    const [kernel, bias] = tf.tidy(() => {
      const head = tf.slice(m.kernel, [0, 0], [cin - tail, cout]);
      const k = tail === 0 ? head : tf.concat([head, tf.slice(m.kernel, [m.inPlan.full - tail, 0], [tail, cout])], 0);
      return [tf.reshape(k, [1, cin, cout]) as tf.Tensor3D, (m.bias ? tf.slice(m.bias, [0], [cout]) : tf.zeros([cout])) as tf.Tensor1D];
    });
    this.created.push(kernel, bias);
    return { kind: 'dense', kernel, bias, outUnits: cout };
  }

  /** Appends `m`'s steps to `out`; returns the channel count after it. */
  module(m: Module, channels: number, out: PreparedStep[]): number {
    if (m instanceof ConvBnAct) return this.chain([m], channels, out);
    if (m instanceof DepthwiseSeparableBlock) return this.chain([m.dw, m.pw], channels, out);
    if (m instanceof InvertedResidual) {
      const body: PreparedStep[] = [];
      const c = this.chain([...(m.expand ? [m.expand] : []), m.dw, m.project], channels, body);
      if (m.residual) out.push({ kind: 'residual', body, shortcut: null, relu: false });
      else out.push(...body);
      return c;
    }
    if (m instanceof ResidualBlock) {
      const body: PreparedStep[] = [];
      const c = this.chain(m.body(), channels, body);
      const shortcut: PreparedStep[] | null = m.shortcut ? [] : null;
      if (m.shortcut && shortcut) this.chain([m.shortcut], channels, shortcut);
      out.push({ kind: 'residual', body, shortcut, relu: true });
      return c;
    }
    if (m instanceof ShuffleUnit) {
      const branch1: PreparedStep[] = [];
      const branch2: PreparedStep[] = [];
      if (m.stride === 1) {
        const k = channels / 2;
        out.push({ kind: 'shuffle', split: true, branch1, branch2 });
        return k + this.chain(m.branch2, k, branch2);
      }
      const c1 = this.chain(m.branch1, channels, branch1);
      const c2 = this.chain(m.branch2, channels, branch2);
      out.push({ kind: 'shuffle', split: false, branch1, branch2 });
      return c1 + c2;
    }
    if (m instanceof ResNetStem) {
      const c = this.chain([m.conv], channels, out);
      return m.pool ? this.module(m.pool, c, out) : c;
    }
    if (m instanceof Sequential) return m.steps.reduce((c, s) => this.module(s, c, out), channels);
    if (m instanceof MaxPool) {
      out.push({ kind: 'maxpool', k: m.k, s: m.s, p: m.p });
      return channels;
    }
    if (m instanceof FeatureResize) {
      const scale = m.scale(this.ctx);
      if (scale !== 1) out.push({ kind: 'resize', scale, name: m.name });
      return channels;
    }
    if (m instanceof GlobalAvgPool) {
      out.push({ kind: 'global-avg-pool' });
      return channels;
    }
    if (m instanceof SlimDense) {
      const step = this.dense(m, channels);
      out.push(step);
      return step.outUnits;
    }
    throw new ConfigError(`prepareSubnet: ${this.model.name} contains ${m.constructor.name} (${m.name}), which has no prepared form`);
  }
}

/** The steps of `model` at `config` and the variables they were computed from. The caller owns the steps' tensors. */
export function compileSubnet(model: Backbone, config: SubnetConfig): { steps: PreparedStep[]; sources: PreparedSources } {
  const compiler = new Compiler(model, config);
  const { stages, head } = model.layout();
  const steps: PreparedStep[] = [];
  try {
    let c = model.inChannels;
    for (const m of [...stages.flat(), ...head]) c = compiler.module(m, c, steps);
  } catch (e) {
    tf.dispose(compiler.created);
    throw e;
  }
  return { steps, sources: { variables: [...compiler.variables], batchNorms: [...compiler.batchNorms] } };
}
