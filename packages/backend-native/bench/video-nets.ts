import * as tf from '@tensorflow/tfjs-core';
import { BenchNetBuilder, benchInputs } from '../../core/fixtures/bench-builder.js';
import { conv3dPadded, type Pads3d } from '../../core/src/index.js';

/*
 * The 3D benchmark nets, as plain functions over variables (train mode only), built the same way
 * in bench/torch_video_nets.py. They stand in for the real video models until those land: to
 * benchmark another net, add a maker to VIDEO_BENCH_NETS (and the same net to the Python file).
 *
 * slow-small: a Slow-only ResNet pathway (SlowFast paper, Table 1) at 1/4 width and one bottleneck
 * per stage: 1×7×7 stem (stride 1,2,2) + 1×3×3 max pool, bottlenecks [kt×1×1, 1×3×3, 1×1×1] with
 * kt = 1 in res2–res3 and 3 in res4–res5, spatial stride 2 on the 1×3×3 conv of res3–res5, no
 * temporal downsampling; global average pool over T, H, W; dense to 10 classes.
 */

export interface VideoBenchNet {
  readonly name: string;
  readonly variables: tf.Variable[];
  /** Multiply-accumulates of one clip's forward pass (convs, dense). */
  readonly forwardMacsPerClip: number;
  forward(x: tf.Tensor5D): tf.Tensor2D;
}

type Layer = (x: tf.Tensor) => tf.Tensor;
type Triple = [number, number, number];

class Builder extends BenchNetBuilder {
  /**
   * conv3d with symmetric padding k // 2 (PyTorch's, and the slimmable layers' numeric padding) + BN;
   * `out` is the output [t, h, w], for counting MACs.
   */
  convBn(k: Triple, cin: number, cout: number, stride: Triple, out: Triple): Layer {
    const w = this.weight([...k, cin, cout], k[0] * k[1] * k[2] * cin);
    this.macs += out[0] * out[1] * out[2] * k[0] * k[1] * k[2] * cin * cout;
    const bn = this.bn(cout);
    const pads = k.map((v) => [Math.floor(v / 2), Math.floor(v / 2)]) as unknown as Pads3d;
    return (x) => bn(conv3dPadded(x as tf.Tensor5D, w as tf.Tensor5D, stride, pads));
  }
}

export interface SlowOptions {
  /** Input [t, h, w]. */
  readonly input: Triple;
  readonly stem: number;
  /** Bottleneck inner widths of res2..res5 (outputs are 4×). */
  readonly inner: readonly [number, number, number, number];
  readonly depth: readonly [number, number, number, number];
  readonly classes: number;
}

export const SLOW_SMALL: SlowOptions = { input: [8, 64, 64], stem: 16, inner: [16, 32, 64, 128], depth: [1, 1, 1, 1], classes: 10 };

export function slowNet(name: string, seed: number, o: SlowOptions): VideoBenchNet {
  const B = new Builder(seed);
  const [t, h0, w0] = o.input;
  let h = Math.ceil(h0 / 2);
  let w = Math.ceil(w0 / 2);
  const stem = B.convBn([1, 7, 7], 3, o.stem, [1, 2, 2], [t, h, w]);
  h = Math.ceil(h / 2);
  w = Math.ceil(w / 2);
  const blocks: Layer[] = [];
  let cin = o.stem;
  for (let stage = 0; stage < 4; stage++) {
    const inner = o.inner[stage] as number;
    const cout = 4 * inner;
    const kt = stage < 2 ? 1 : 3;
    for (let i = 0; i < (o.depth[stage] as number); i++) {
      const s = i === 0 && stage > 0 ? 2 : 1;
      const inHW: Triple = [t, h, w];
      h = Math.ceil(h / s);
      w = Math.ceil(w / s);
      const a = B.convBn([kt, 1, 1], cin, inner, [1, 1, 1], inHW);
      const b = B.convBn([1, 3, 3], inner, inner, [1, s, s], [t, h, w]);
      const c = B.convBn([1, 1, 1], inner, cout, [1, 1, 1], [t, h, w]);
      const short = s !== 1 || cin !== cout ? B.convBn([1, 1, 1], cin, cout, [1, s, s], [t, h, w]) : null;
      blocks.push((x) => tf.relu(tf.add(c(tf.relu(b(tf.relu(a(x))))), short ? short(x) : x)));
      cin = cout;
    }
  }
  const fc = B.dense(cin, o.classes);
  return {
    name,
    variables: B.variables,
    forwardMacsPerClip: B.macs,
    forward: (x) => {
      let y = tf.maxPool3d(tf.relu(stem(x)) as tf.Tensor5D, [1, 3, 3], [1, 2, 2], 'same') as tf.Tensor;
      for (const blk of blocks) y = blk(y);
      return fc(tf.mean(y, [1, 2, 3]));
    },
  };
}

export interface VideoBenchEntry {
  readonly make: (seed: number) => VideoBenchNet;
  readonly batch: number;
  /** [t, h, w, c] */
  readonly input: readonly [number, number, number, number];
  readonly classes: number;
}

/** The 3D benchmark nets with their batch and clip shape; torch_video_nets.py knows the same names. */
export const VIDEO_BENCH_NETS: Record<string, VideoBenchEntry> = {
  'slow-small': { make: (seed) => slowNet('slow-small', seed, SLOW_SMALL), batch: 8, input: [8, 64, 64, 3], classes: 10 },
};

/** A fixed random batch of clips and one-hot labels (class i mod classes). */
export function videoBatch(
  batch: number,
  input: readonly [number, number, number, number],
  classes: number,
): { x: tf.Tensor5D; y: tf.Tensor2D } {
  const { x, y } = benchInputs([batch, ...input], classes);
  return { x: x as tf.Tensor5D, y };
}
