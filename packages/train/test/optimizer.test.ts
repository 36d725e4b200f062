import { initBackend } from '@adaptnet/core/node';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { SgdOptimizer } from '../src/index.js';

/** torch.optim.SGD, float64: buf = m·buf + g' (buf = g' on the first step), step = nesterov ? g' + m·buf : buf. */
function torchSgd(w: number[], grads: number[][], lr: number[], m: number, wd: number, nesterov: boolean): number[] {
  let buf: number[] | undefined;
  let x = [...w];
  grads.forEach((g, t) => {
    const gp = g.map((gi, i) => gi + wd * (x[i] as number));
    buf = buf === undefined ? gp : buf.map((b, i) => m * b + (gp[i] as number));
    const b = buf;
    const step = nesterov ? gp.map((gi, i) => gi + m * (b[i] as number)) : b;
    x = x.map((xi, i) => xi - (lr[t] as number) * (step[i] as number));
  });
  return x;
}

describe('SgdOptimizer', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu', log: false });
  });

  for (const nesterov of [false, true]) {
    it(`matches torch.optim.SGD over 3 steps (nesterov ${nesterov}, weight decay, changing lr)`, () => {
      const w0 = [0.5, -1.25, 2];
      const grads = [
        [0.1, -0.2, 0.3],
        [-0.4, 0.25, 0.05],
        [0.2, 0.2, -0.6],
      ];
      const lr = [0.1, 0.05, 0.025];
      const w = tf.variable(tf.tensor1d(w0));
      const frozen = tf.variable(tf.tensor1d([1, 2]));
      const opt = new SgdOptimizer(
        [
          { name: 'w', variable: w, weightDecay: 0.01 },
          { name: 'frozen', variable: frozen, weightDecay: 0.01 },
        ],
        { momentum: 0.9, nesterov },
      );
      grads.forEach((g, t) => {
        const gt = tf.tensor1d(g);
        opt.step(new Map([['w', gt]]), lr[t] as number);
        gt.dispose();
      });
      const expected = torchSgd(w0, grads, lr, 0.9, 0.01, nesterov);
      const got = Array.from(w.dataSync());
      got.forEach((v, i) => expect(v).toBeCloseTo(expected[i] as number, 6));
      // No gradient, no update (weight decay and momentum included).
      expect(Array.from(frozen.dataSync())).toEqual([1, 2]);
      opt.dispose();
      tf.dispose([w, frozen]);
    });
  }

  it('restores momentum buffers, refusing missing or mis-shaped ones', () => {
    const w = tf.variable(tf.zeros([2]));
    const opt = new SgdOptimizer([{ name: 'w', variable: w, weightDecay: 0 }], { momentum: 0.5, nesterov: false });
    const good = tf.tensor1d([1, 2]);
    opt.loadState(new Map([['w', good]]));
    expect(Array.from((opt.state().get('w') as tf.Variable).dataSync())).toEqual([1, 2]);
    expect(() => opt.loadState(new Map())).toThrow(/no momentum buffer for 'w'/);
    const bad = tf.zeros([3]);
    expect(() => opt.loadState(new Map([['w', bad]]))).toThrow(/momentum buffer 'w' has shape \[3\], the parameter has \[2\]/);
    expect(() => opt.step(new Map(), Number.NaN)).toThrow(/learning rate must be a finite number >= 0, got NaN/);
    expect(() => new SgdOptimizer([], { momentum: 0, nesterov: true })).toThrow(/nesterov momentum needs momentum > 0/);
    opt.dispose();
    tf.dispose([w, good, bad]);
  });

  it('creates no tensors across steps', () => {
    const w = tf.variable(tf.ones([4, 3]));
    const opt = new SgdOptimizer([{ name: 'w', variable: w, weightDecay: 1e-4 }], { momentum: 0.9, nesterov: true });
    const g = tf.onesLike(w);
    opt.step(new Map([['w', g]]), 0.1);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 10; i++) opt.step(new Map([['w', g]]), 0.1);
    expect(tf.memory().numTensors).toBe(before);
    opt.dispose();
    tf.dispose([w, g]);
  });
});
