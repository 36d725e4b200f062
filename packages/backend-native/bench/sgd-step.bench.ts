/**
 * Micro-benchmark of one optimizer update of every variable of the Fashion-MNIST MobileNetV1
 * (@adaptnet/core's fixtures/bench-nets.ts, 41 variables) on the native backend:
 *   tfjs-momentum   tf.train.momentum(lr, 0.9).applyGradients: 4 kernels + a tidy per variable
 *   composed        @adaptnet/core's sgdStep with the AdaptNetSgdStep kernel unregistered (≈3 kernels)
 *   fused           sgdStep → one AdaptNetSgdStep kernel per variable
 * Every variant also pays its two Variable.assign calls per variable. Reports the median ms per
 * update over BENCH_ROUNDS alternating rounds of BENCH_REPS updates each; writes
 * bench-results/sgd-step.json.
 *
 *   pnpm --filter @adaptnet/backend-native bench:sgd
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { fashionMobileNetV1 } from '../../core/fixtures/bench-nets.js';
import { SGD_STEP_KERNEL, type SgdStepOptions, sgdStep } from '../../core/src/index.js';
import { initBackend } from '../../core/src/node.js';

const here = dirname(fileURLToPath(import.meta.url));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const REPS = Number(process.env.BENCH_REPS ?? 200);

await initBackend({ backend: 'native', log: false });
const net = fashionMobileNetV1(0);
const vars = net.variables;
const params = vars.reduce((s, v) => s + v.size, 0);
const grads = vars.map((v, i) => tf.randomNormal(v.shape, 0, 1e-3, 'float32', i + 1));
const named: { name: string; tensor: tf.Tensor }[] = vars.map((v, i) => ({ name: v.name, tensor: grads[i] as tf.Tensor }));
const options: SgdStepOptions = { lr: 0.05, momentum: 0.9, nesterov: false, weightDecay: 0 };
const velocities = vars.map((v) => tf.variable(tf.zerosLike(v), false));
const tfjsOpt = tf.train.momentum(0.05, 0.9);

const sgdAll = () => {
  for (let i = 0; i < vars.length; i++) {
    const v = vars[i] as tf.Variable;
    const vel = velocities[i] as tf.Variable;
    const r = sgdStep(v, grads[i] as tf.Tensor, vel, options);
    v.assign(r.param);
    vel.assign(r.velocity);
    r.param.dispose();
    r.velocity.dispose();
  }
};

const kernel = tf.getKernel(SGD_STEP_KERNEL, 'native');
if (!kernel) throw new Error(`${SGD_STEP_KERNEL} is not registered on native`);
const VARIANTS: Record<string, () => void> = {
  'tfjs-momentum': () => tfjsOpt.applyGradients(named),
  composed: () => {
    tf.unregisterKernel(SGD_STEP_KERNEL, 'native');
    try {
      sgdAll();
    } finally {
      tf.registerKernel(kernel);
    }
  },
  fused: sgdAll,
};

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

const times: Record<string, number[]> = Object.fromEntries(Object.keys(VARIANTS).map((k) => [k, []]));
for (const run of Object.values(VARIANTS)) for (let i = 0; i < 20; i++) run();
const tensors = tf.memory().numTensors;
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, run] of Object.entries(VARIANTS)) {
    const t0 = performance.now();
    for (let i = 0; i < REPS; i++) run();
    times[name]?.push((performance.now() - t0) / REPS);
  }
}
if (tf.memory().numTensors !== tensors) throw new Error(`leak: ${tf.memory().numTensors - tensors} tensors`);

const results = Object.entries(times).map(([variant, ms]) => ({
  variant,
  msPerUpdate: Number(median(ms).toFixed(3)),
  rounds: ms.map((t) => Number(t.toFixed(3))),
}));
console.log(
  `fashion-mobilenetv1: ${vars.length} variables, ${params} parameters; one update of all of them (median of ${ROUNDS} rounds × ${REPS}):`,
);
for (const r of results) console.log(`  ${r.variant.padEnd(14)} ${r.msPerUpdate.toFixed(3).padStart(7)} ms`);

const outDir = join(here, '..', 'bench-results');
if (!existsSync(outDir)) mkdirSync(outDir, { recursive: true });
const file = join(outDir, 'sgd-step.json');
writeFileSync(
  file,
  `${JSON.stringify({ benchmark: 'backend-native/sgd-step', net: net.name, variables: vars.length, parameters: params, rounds: ROUNDS, reps: REPS, results, date: new Date().toISOString() }, null, 2)}\n`,
);
console.log(`wrote ${file}`);
tf.dispose([...grads, ...velocities, ...vars]);
tfjsOpt.dispose();
