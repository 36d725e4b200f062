import type { AdaptNetPlan, AdaptNetPlanOp } from '@adaptnet/kernel-names';
import type * as tf from '@tensorflow/tfjs-core';
import type { PreparedStep } from './steps.js';

const ACTIVATION = { relu: 'relu', relu6: 'relu6', none: 'linear' } as const;

/** A prepared subnet as one AdaptNetRunPlan: the plan and its weight inputs (`w0, w1, ...`). */
export interface WholeNetPlan {
  readonly plan: AdaptNetPlan;
  readonly weights: tf.NamedTensorMap;
}

/**
 * The steps as a plan of convolutions (residual sums folded into the block's last convolution),
 * pools and the classifier; null when a step has no plan op (ShuffleNetV2's split and shuffle,
 * resizes, a residual block that does not end in a convolution without activation).
 */
export function wholeNetPlan(steps: readonly PreparedStep[]): WholeNetPlan | null {
  const ops: AdaptNetPlanOp[] = [];
  const weights: Record<string, tf.Tensor> = {};
  let count = 0;
  const tensor = (t: tf.Tensor): number => {
    weights[`w${count}`] = t;
    return count++;
  };
  const emit = (op: AdaptNetPlanOp): number => {
    ops.push(op);
    return ops.length;
  };
  const visit = (list: readonly PreparedStep[], input: number, add?: { value: number; relu: boolean }): number | null => {
    let v = input;
    for (let i = 0; i < list.length; i++) {
      const s = list[i] as PreparedStep;
      const last = add !== undefined && i === list.length - 1;
      switch (s.kind) {
        case 'conv': {
          if (last && (s.depthwise || s.activation !== 'none')) return null;
          v = emit({
            op: 'conv',
            src: v,
            ...(last ? { add: add.value } : {}),
            weight: tensor(s.filter),
            bias: tensor(s.bias),
            kernelSize: s.kernelSize,
            strides: s.strides,
            padding: s.padding,
            depthwise: s.depthwise,
            activation: last ? (add.relu ? 'relu' : 'linear') : ACTIVATION[s.activation],
          });
          break;
        }
        case 'residual': {
          if (last) return null;
          const skip = s.shortcut ? visit(s.shortcut, v) : v;
          if (skip === null) return null;
          const out = visit(s.body, v, { value: skip, relu: s.relu });
          if (out === null) return null;
          v = out;
          break;
        }
        case 'maxpool':
          if (last) return null;
          v = emit({ op: 'maxpool', src: v, k: s.k, s: s.s, p: s.p });
          break;
        case 'global-avg-pool':
          if (last) return null;
          v = emit({ op: 'global-avg-pool', src: v });
          break;
        case 'dense':
          if (last) return null;
          v = emit({ op: 'dense', src: v, weight: tensor(s.kernel), bias: tensor(s.bias) });
          break;
        default:
          return null;
      }
    }
    return v;
  };
  const out = visit(steps, 0);
  if (out === null || ops.length === 0 || out !== ops.length) return null;
  return { plan: { ops }, weights };
}
