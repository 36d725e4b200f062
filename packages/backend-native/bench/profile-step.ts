/**
 * Where a native train step's time goes: wraps every kernel registered for 'native' with a timer
 * (kernels called from inside other kernels count in both: "self" subtracts them) and runs
 * BENCH_STEPS train steps (fused sgdStep) of each net in BENCH_NETS. Prints per net: step time,
 * time inside kernels, the rest (tfjs engine, autodiff, JS), and the top kernels by self time.
 *
 *   BENCH_NETS=fashion-mobilenetv1 node --import tsx bench/profile-step.ts
 *   BENCH_NETS=slow-small,x3d-small:sandwich node --import tsx bench/profile-step.ts
 *     (the video nets of bench/video-nets.ts: NAME is the full-configuration step, NAME:sandwich
 *     the MutualNet sandwich; BENCH_STEPS=2 BENCH_WARMUP=1 for a quick look)
 */
import * as tf from '@tensorflow/tfjs-core';
import { BENCH_NETS, benchBatch } from '../../core/fixtures/bench-nets.js';
import { type SgdStepOptions, sgdStep } from '../../core/src/index.js';
import { initBackend } from '../../core/src/node.js';
import {
  clipShape,
  makeVideoNet,
  mutualNetIterations,
  VIDEO_BENCH_NETS,
  type VideoNetName,
  type VideoVariant,
  videoBatch,
  videoTrainer,
} from './video-nets.js';

type Entry = {
  batch: number;
  /** A train step on a fixed batch, and what frees it. */
  trainer: () => { step: () => void; dispose: () => void };
};
const SGD: SgdStepOptions = { lr: 0.05, momentum: 0.9, nesterov: false, weightDecay: 0 };

function fusedSgd(net: { variables: tf.Variable[]; forward(x: tf.Tensor): tf.Tensor2D }, x: tf.Tensor, y: tf.Tensor2D): () => void {
  const vel = net.variables.map((v) => tf.variable(tf.zerosLike(v), false));
  return () => {
    const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, net.forward(x)) as tf.Scalar, net.variables);
    net.variables.forEach((v, i) => {
      const r = sgdStep(v, grads[v.name] as tf.Tensor, vel[i] as tf.Variable, SGD);
      v.assign(r.param);
      (vel[i] as tf.Variable).assign(r.velocity);
      tf.dispose([r.param, r.velocity]);
    });
    value.dataSync();
    tf.dispose([value, ...Object.values(grads)]);
  };
}

const NETS: Record<string, Entry> = {
  ...Object.fromEntries(
    Object.entries(BENCH_NETS).map(([k, e]) => [
      k,
      {
        batch: e.batch,
        trainer: () => {
          const net = e.make(0) as unknown as { variables: tf.Variable[]; forward(x: tf.Tensor): tf.Tensor2D };
          const { x, y } = benchBatch(e.batch, e.input);
          return { step: fusedSgd(net, x, y), dispose: () => tf.dispose([x, y, ...net.variables]) };
        },
      },
    ]),
  ),
  // The video nets: '<net>' is the full-configuration step, '<net>:sandwich' the MutualNet sandwich.
  ...Object.fromEntries(
    Object.entries(VIDEO_BENCH_NETS).flatMap(([k, e]) =>
      (['full', 'sandwich'] as VideoVariant[]).map((variant) => [
        variant === 'full' ? k : `${k}:${variant}`,
        {
          batch: e.batch,
          trainer: () => {
            const name = k as VideoNetName;
            const net = makeVideoNet(name);
            const { x, y } = videoBatch(clipShape(net, e));
            const t = videoTrainer(name, net, e, variant, variant === 'sandwich' ? mutualNetIterations(net, e.batch, 8) : undefined);
            return {
              step: () => t.step(x, y),
              dispose: () => {
                t.dispose();
                tf.dispose([x, y]);
                net.dispose();
              },
            };
          },
        },
      ]),
    ),
  ),
};
const SELECTED = process.env.BENCH_NETS?.split(',') ?? Object.keys(BENCH_NETS);
const STEPS = Number(process.env.BENCH_STEPS ?? 10);
const TOP = Number(process.env.BENCH_TOP ?? 25);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);

await initBackend({ backend: 'native', log: false });

interface Stat {
  calls: number;
  total: number;
  self: number;
  shapes: Map<string, { calls: number; self: number }>;
}
const stats = new Map<string, Stat>();
let enabled = false;
const stack: number[] = []; // child time accumulated per open kernel
for (const k of tf.getKernelsForBackend('native')) {
  const inner = k.kernelFunc;
  tf.unregisterKernel(k.kernelName, 'native');
  tf.registerKernel({
    ...k,
    kernelFunc: (args) => {
      if (!enabled) return inner(args);
      stack.push(0);
      const t0 = performance.now();
      const out = inner(args);
      const dt = performance.now() - t0;
      const child = stack.pop() as number;
      if (stack.length > 0) stack[stack.length - 1] = (stack.at(-1) as number) + dt;
      const s = stats.get(k.kernelName) ?? { calls: 0, total: 0, self: 0, shapes: new Map() };
      s.calls++;
      s.total += dt;
      s.self += dt - child;
      const key = Object.values(args.inputs)
        .map((t) => `[${(t as tf.TensorInfo).shape}]`)
        .join(' ');
      const sh = s.shapes.get(key) ?? { calls: 0, self: 0 };
      sh.calls++;
      sh.self += dt - child;
      s.shapes.set(key, sh);
      stats.set(k.kernelName, s);
      return out;
    },
  });
}

for (const [name, { batch, trainer }] of Object.entries(NETS).filter(([n]) => SELECTED.includes(n))) {
  const { step, dispose } = trainer();
  for (let i = 0; i < WARMUP; i++) step();
  stats.clear();
  enabled = true;
  const t0 = performance.now();
  for (let i = 0; i < STEPS; i++) step();
  const wall = (performance.now() - t0) / STEPS;
  enabled = false;
  const rows = [...stats.entries()].map(([k, s]) => ({ k, ...s, self: s.self / STEPS, calls: s.calls / STEPS }));
  const inKernels = rows.reduce((a, r) => a + r.self, 0);
  const calls = rows.reduce((a, r) => a + r.calls, 0);
  console.log(
    `\n${name}: ${wall.toFixed(1)} ms/step (${Math.round((batch * 1000) / wall)} img/s); kernels ${inKernels.toFixed(1)} ms in ${calls} calls; outside kernels ${(wall - inKernels).toFixed(1)} ms`,
  );
  rows.sort((a, b) => b.self - a.self);
  for (const r of rows.slice(0, TOP)) {
    const top = [...r.shapes.entries()].sort((a, b) => b[1].self - a[1].self).slice(0, 2);
    console.log(
      `  ${r.k.padEnd(38)} ${r.self.toFixed(2).padStart(7)} ms ${((100 * r.self) / wall).toFixed(1).padStart(5)}%  ${String(r.calls).padStart(4)} calls   ${top
        .map(([s, v]) => `${s}: ${(v.self / STEPS).toFixed(2)}`)
        .join('; ')}`,
    );
  }
  dispose();
}
