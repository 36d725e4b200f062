import { ShapeError } from '@adaptnet/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { inplaceDistillLoss } from '../src/index.js';
import { ceRows, expectClose, expectNoLeak, fixture, klRows, softmax } from './helpers/reference.js';
import { useCpu } from './helpers/setup.js';

beforeAll(useCpu);

const LABELS = [2, 0, 3];

describe('inplaceDistillLoss (MutualNet Eq. 3–5)', () => {
  const zr = [fixture(3, 4, 21), fixture(3, 4, 22), fixture(3, 4, 23), fixture(3, 4, 24)];

  it('is CE(full, y) + Σ_i KL(p_full ‖ p_i)', () => {
    const z = zr.map((r) => tf.tensor2d(r));
    const y = tf.tensor1d(LABELS, 'int32');
    const loss = inplaceDistillLoss(z, y);
    const expected = ceRows(zr[0]!, LABELS) + klRows(zr[1]!, zr[0]!) + klRows(zr[2]!, zr[0]!) + klRows(zr[3]!, zr[0]!);
    expect(loss.dataSync()[0]).toBeCloseTo(expected, 5);
    // Only the full net: plain cross-entropy.
    expect(inplaceDistillLoss([z[0]!], y).dataSync()[0]).toBeCloseTo(ceRows(zr[0]!, LABELS), 5);
    tf.dispose([...z, y, loss]);
  });

  it('the full net is trained by the labels only: the subnets send it no gradient', () => {
    const z = zr.map((r) => tf.tensor2d(r));
    const y = tf.tensor1d(LABELS, 'int32');
    const grads = tf.grads((...xs: tf.Tensor[]) => inplaceDistillLoss(xs, y))(z);
    const full = zr[0]!;
    // ∂CE/∂z_full = (softmax(z_full) − onehot(y)) / N; any KL term leaking in would change it.
    expectClose(
      grads[0]!.arraySync() as number[][],
      full.map((row, i) => softmax(row).map((p, c) => (p - (c === LABELS[i] ? 1 : 0)) / 3)),
    );
    for (let k = 1; k < 4; k++) {
      const expected = zr[k]!.map((row, i) => softmax(row).map((q, c) => (q - softmax(full[i]!)[c]!) / 3));
      expectClose(grads[k]!.arraySync() as number[][], expected);
    }
    tf.dispose([...z, y, ...grads]);
  });

  it('rejects an empty list and leaks no tensors', () => {
    const y = tf.tensor1d(LABELS, 'int32');
    expect(() => inplaceDistillLoss([], y)).toThrow(ShapeError);
    const z = zr.map((r) => tf.tensor2d(r));
    expectNoLeak(() => inplaceDistillLoss(z, y, { labelSmoothing: 0.1, temperature: 2 }), 100);
    expectNoLeak(() => tf.grads((...xs: tf.Tensor[]) => inplaceDistillLoss(xs, y))(z), 30);
    tf.dispose([...z, y]);
  });
});
