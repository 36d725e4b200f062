import { ConfigError, type ForwardContext, type LayerCost, Module, type Rng } from '@adaptnet/core';
import { SlimConv2d } from '@adaptnet/slimmable';
import * as tf from '@tensorflow/tfjs-core';
import { GroupNorm } from './group-norm.js';

export interface FcosHeadOptions {
  readonly channels: number;
  readonly numClasses: number;
  /** 3×3 conv + GroupNorm + ReLU blocks in each tower. */
  readonly convs: number;
  readonly groups: number;
  readonly levels: number;
  /** Initial foreground probability of the classifier (focal-loss prior). */
  readonly priorProb: number;
  /** The backbone's width range: the head runs unchanged at every width in it. */
  readonly widthRange: { readonly min: number; readonly max: number };
  readonly rng: Rng;
}

/** The head's raw outputs on one level, each `[N, H, W, ·]`. */
export interface LevelOutputs {
  readonly cls: tf.Tensor4D;
  /** exp(scaleₗ · x): positive stride-normalised ltrb distances. */
  readonly ltrb: tf.Tensor4D;
  readonly centerness: tf.Tensor4D;
}

function fixedConv(name: string, o: FcosHeadOptions, inC: number, outC: number, std: number, bias = 0): SlimConv2d {
  const rng = o.rng;
  const conv = new SlimConv2d(name, {
    inChannels: inC,
    outChannels: outC,
    kernelSize: 3,
    useBias: true,
    input: { slim: false },
    output: { slim: false },
    widthRange: o.widthRange,
    rng,
  });
  const seed = Math.floor(rng.next() * 2 ** 31);
  tf.tidy(() => {
    conv.kernel.assign(tf.randomNormal(conv.kernel.shape, 0, std, 'float32', seed));
    conv.bias?.assign(tf.fill([outC], bias));
  });
  return conv;
}

/**
 * FCOS head (Tian et al. 2019), one set of weights for every level: a classification tower and a
 * regression tower of `convs` × (3×3 conv, GroupNorm, ReLU), then K class logits, 4 distances
 * (exp of a learnt per-level scale times the output) and a centre-ness logit on the regression
 * tower. Fixed width: every sub-network of the backbone shares it.
 */
export class FcosHead extends Module {
  readonly options: FcosHeadOptions;
  private readonly clsTower: Module[] = [];
  private readonly regTower: Module[] = [];
  readonly clsOut: SlimConv2d;
  readonly regOut: SlimConv2d;
  readonly ctrOut: SlimConv2d;
  readonly scales: tf.Variable[];

  constructor(name: string, o: FcosHeadOptions) {
    super(name);
    if (!Number.isInteger(o.numClasses) || o.numClasses <= 0)
      throw new ConfigError(`${name}: numClasses must be a positive integer, got ${o.numClasses}`);
    if (!Number.isInteger(o.convs) || o.convs < 0) throw new ConfigError(`${name}: convs must be an integer >= 0, got ${o.convs}`);
    if (!(o.priorProb > 0 && o.priorProb < 1)) throw new ConfigError(`${name}: priorProb must be in (0, 1), got ${o.priorProb}`);
    this.options = o;
    const c = o.channels;
    for (let i = 0; i < o.convs; i++) {
      for (const [tower, key] of [
        [this.clsTower, 'cls'],
        [this.regTower, 'reg'],
      ] as const) {
        tower.push(this.addModule(`${key}Conv${i}`, fixedConv(`${name}.${key}Conv${i}`, o, c, c, 0.01)));
        tower.push(this.addModule(`${key}Norm${i}`, new GroupNorm(`${name}.${key}Norm${i}`, c, o.groups)));
      }
    }
    this.clsOut = this.addModule(
      'clsOut',
      fixedConv(`${name}.clsOut`, o, c, o.numClasses, 0.01, -Math.log((1 - o.priorProb) / o.priorProb)),
    );
    this.regOut = this.addModule('regOut', fixedConv(`${name}.regOut`, o, c, 4, 0.01));
    this.ctrOut = this.addModule('ctrOut', fixedConv(`${name}.ctrOut`, o, c, 1, 0.01));
    this.scales = Array.from({ length: o.levels }, (_, i) =>
      this.addVariable(
        `scale${i}`,
        tf.tidy(() => tf.variable(tf.ones([1]), true)),
        'bias',
      ),
    );
  }

  private tower(modules: readonly Module[], x: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    let h = x;
    modules.forEach((m, i) => {
      h = m.forward(h, ctx);
      if (i % 2 === 1) h = tf.relu(h);
    });
    return h;
  }

  /** Not a single-tensor module: use `forwardLevel`. */
  forward(_x: tf.Tensor, _ctx: ForwardContext): tf.Tensor {
    throw new ConfigError(`${this.name}: call forwardLevel(x, level, ctx)`);
  }

  forwardLevel(x: tf.Tensor4D, level: number, ctx: ForwardContext): LevelOutputs {
    const scale = this.scales[level];
    if (scale === undefined) throw new ConfigError(`${this.name}: level ${level} is outside 0..${this.scales.length - 1}`);
    return tf.tidy(() => {
      const c = this.tower(this.clsTower, x, ctx);
      const r = this.tower(this.regTower, x, ctx);
      // Clipped so that an early, large regression output cannot overflow exp.
      const ltrb = tf.exp(tf.clipByValue(tf.mul(this.regOut.forward(r, ctx), scale), -10, 10)) as tf.Tensor4D;
      return {
        cls: this.clsOut.forward(c, ctx) as tf.Tensor4D,
        ltrb,
        centerness: this.ctrOut.forward(r, ctx) as tf.Tensor4D,
      };
    });
  }

  levelCost(shape: readonly number[], ctx: ForwardContext): LayerCost[] {
    const layers: LayerCost[] = [];
    const run = (modules: readonly Module[], s: readonly number[]): readonly number[] => {
      let out = s;
      for (const m of modules) {
        const c = m.cost(out, ctx);
        layers.push(...c.layers);
        out = c.outShape;
      }
      return out;
    };
    const c = run(this.clsTower, shape);
    const r = run(this.regTower, shape);
    run([this.clsOut], c);
    run([this.regOut], r);
    run([this.ctrOut], r);
    return layers;
  }

  cost(): never {
    throw new ConfigError(`${this.name}: call levelCost(shape, ctx)`);
  }
}
