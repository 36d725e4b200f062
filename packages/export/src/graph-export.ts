import type { Backbone } from '@adaptnet/backbones';
import { resizedSide } from '@adaptnet/backbones';
import type { SubnetConfig } from '@adaptnet/core';
import type * as tf from '@tensorflow/tfjs-core';
import { prepareSubnet } from './prepared/prepared-subnet.js';
import type { ConvStep, PreparedStep } from './prepared/steps.js';
import { describeSubnet, type ExportSubnetOptions, SUBNET_METADATA_KEY } from './subnet-metadata.js';

/**
 * The pieces of a TensorFlow GraphDef in the protobuf-JSON form tfjs-converter reads
 * (`modelTopology` of a `format: 'graph-model'` model.json): int64 fields as decimal strings,
 * bytes (string attributes) as base64.
 */
interface TensorShapeJSON {
  readonly dim: { readonly size: string }[];
}
type AttrValueJSON =
  | { readonly s: string }
  | { readonly i: string }
  | { readonly f: number }
  | { readonly b: boolean }
  | { readonly type: DataTypeJSON }
  | { readonly shape: TensorShapeJSON }
  | { readonly tensor: { readonly dtype: DataTypeJSON; readonly tensorShape: TensorShapeJSON } }
  | { readonly list: { readonly s?: string[]; readonly i?: string[] } };
type DataTypeJSON = 'DT_FLOAT' | 'DT_INT32';
interface NodeDefJSON {
  readonly name: string;
  readonly op: string;
  readonly input?: string[];
  readonly attr?: Record<string, AttrValueJSON>;
}

/** The graph's input and output names (`signature` of the model.json; `model.predict(x)` uses them). */
export const GRAPH_INPUT_NAME = 'image';
export const GRAPH_OUTPUT_NAME = 'logits';

const DT: Record<'float32' | 'int32', DataTypeJSON> = { float32: 'DT_FLOAT', int32: 'DT_INT32' };
/** The lowest float32: max-pool padding that never wins, as tf.maxPool's own padding. */
const FLOAT32_LOWEST = -3.4028234663852886e38;

const str = (s: string): AttrValueJSON => ({ s: btoa(s) });
const strs = (list: readonly string[]): AttrValueJSON => ({ list: { s: list.map((s) => btoa(s)) } });
const int = (i: number): AttrValueJSON => ({ i: String(i) });
const ints = (list: readonly number[]): AttrValueJSON => ({ list: { i: list.map(String) } });
const bool = (b: boolean): AttrValueJSON => ({ b });
const dtype = (d: 'float32' | 'int32'): AttrValueJSON => ({ type: DT[d] });
const shapeOf = (dims: readonly number[]): TensorShapeJSON => ({ dim: dims.map((d) => ({ size: String(d) })) });
const FLOAT = { T: dtype('float32') };

const CONV_FUSED_OPS = { none: ['BiasAdd'], relu: ['BiasAdd', 'Relu'], relu6: ['BiasAdd', 'Relu6'] } as const;

/** A node's output and the NHWC size after it (batch left open). */
interface Value {
  readonly name: string;
  readonly h: number;
  readonly w: number;
  readonly c: number;
}

interface Constant {
  readonly name: string;
  readonly shape: number[];
  readonly dtype: 'float32' | 'int32';
  readonly data: Float32Array | Int32Array;
}

/** Windowed-op output size with symmetric padding p. */
function outSide(h: number, k: number, s: number, p: number): number {
  return Math.floor((h + 2 * p - k) / s) + 1;
}

/** Emits GraphDef nodes for a prepared configuration's steps; every weight becomes a Const node. */
class GraphDefBuilder {
  readonly nodes: NodeDefJSON[] = [];
  readonly constants: Constant[] = [];
  private count = 0;

  private unique(base: string): string {
    this.count++;
    return `${base}_${this.count}`;
  }

  private constant(name: string, data: Float32Array | Int32Array, shape: number[], type: 'float32' | 'int32'): string {
    this.nodes.push({
      name,
      op: 'Const',
      attr: { dtype: dtype(type), value: { tensor: { dtype: DT[type], tensorShape: shapeOf(shape) } } },
    });
    this.constants.push({ name, shape, dtype: type, data });
    return name;
  }

  private tensorConstant(name: string, t: tf.Tensor): string {
    return this.constant(name, t.dataSync() as Float32Array, [...t.shape], 'float32');
  }

  private intConstant(name: string, values: readonly number[], shape: number[] = [values.length]): string {
    return this.constant(name, Int32Array.from(values), shape, 'int32');
  }

  private node(name: string, op: string, input: string[], attr: Record<string, AttrValueJSON>): string {
    this.nodes.push({ name, op, input, attr });
    return name;
  }

  placeholder(h: number, w: number, c: number): Value {
    this.node(GRAPH_INPUT_NAME, 'Placeholder', [], { dtype: dtype('float32'), shape: { shape: shapeOf([-1, h, w, c]) } });
    return { name: GRAPH_INPUT_NAME, h, w, c };
  }

  output(x: Value): void {
    this.node(GRAPH_OUTPUT_NAME, 'Identity', [x.name], FLOAT);
  }

  private conv(step: ConvStep, x: Value): Value {
    const name = this.unique(step.depthwise ? 'dwconv' : 'conv');
    const { kernelSize: k, strides: s, padding: p } = step;
    const filter = this.tensorConstant(`${name}/filter`, step.filter);
    const bias = this.tensorConstant(`${name}/bias`, step.bias);
    // 'SAME' is symmetric ⌊k/2⌋ padding only at stride 1 with an odd kernel; otherwise the padding is explicit.
    const same = p > 0 && s === 1 && k % 2 === 1 && p === Math.floor(k / 2);
    const padding = p === 0 ? 'VALID' : same ? 'SAME' : 'EXPLICIT';
    this.node(name, step.depthwise ? 'FusedDepthwiseConv2dNative' : '_FusedConv2D', [x.name, filter, bias], {
      ...FLOAT,
      num_args: int(1),
      fused_ops: strs(CONV_FUSED_OPS[step.activation]),
      strides: ints([1, s, s, 1]),
      padding: str(padding),
      ...(padding === 'EXPLICIT' ? { explicit_paddings: ints([0, 0, p, p, p, p, 0, 0]) } : {}),
      data_format: str('NHWC'),
      dilations: ints([1, 1, 1, 1]),
      epsilon: { f: 0 },
    });
    const h = outSide(x.h, k, s, p);
    const w = outSide(x.w, k, s, p);
    return { name, h, w, c: step.outChannels };
  }

  chain(steps: readonly PreparedStep[], x: Value): Value {
    return steps.reduce((h, s) => this.step(s, h), x);
  }

  /** Channel shuffle with 2 groups: stack a and b on a new last axis, merge it into the channels (a0, b0, a1, b1, ...). */
  private shuffle(a: Value, b: Value): Value {
    const stacked = this.node(this.unique('shuffle_stack'), 'Pack', [a.name, b.name], { ...FLOAT, N: int(2), axis: int(4) });
    const name = this.unique('shuffle');
    const shape = this.intConstant(`${name}/shape`, [-1, a.h, a.w, a.c + b.c]);
    this.node(name, 'Reshape', [stacked, shape], { ...FLOAT, Tshape: dtype('int32') });
    return { name, h: a.h, w: a.w, c: a.c + b.c };
  }

  step(s: PreparedStep, x: Value): Value {
    switch (s.kind) {
      case 'conv':
        return this.conv(s, x);
      case 'residual': {
        const main = this.chain(s.body, x);
        const skip = s.shortcut ? this.chain(s.shortcut, x) : x;
        const sum = this.node(this.unique('add'), 'AddV2', [main.name, skip.name], FLOAT);
        const name = s.relu ? this.node(this.unique('relu'), 'Relu', [sum], FLOAT) : sum;
        return { ...main, name };
      }
      case 'shuffle': {
        if (s.split) {
          const k = x.c / 2;
          const name = this.unique('split');
          const sizes = this.intConstant(`${name}/sizes`, [k, k]);
          const axis = this.intConstant(`${name}/axis`, [3], []);
          this.node(name, 'SplitV', [x.name, sizes, axis], { ...FLOAT, num_split: int(2), Tlen: dtype('int32') });
          const right = this.chain(s.branch2, { ...x, name: `${name}:1`, c: k });
          return this.shuffle({ ...x, name, c: k }, right);
        }
        return this.shuffle(this.chain(s.branch1, x), this.chain(s.branch2, x));
      }
      case 'maxpool': {
        // PyTorch's MaxPool2d(k, s, p) pads with −∞; tfjs-converter's MaxPool has no explicit padding, so pad first.
        let input = x.name;
        if (s.p > 0) {
          const name = this.unique('pool_pad');
          const paddings = this.intConstant(`${name}/paddings`, [0, 0, s.p, s.p, s.p, s.p, 0, 0], [4, 2]);
          const value = this.constant(`${name}/value`, Float32Array.of(FLOAT32_LOWEST), [], 'float32');
          input = this.node(name, 'PadV2', [x.name, paddings, value], { ...FLOAT, Tpaddings: dtype('int32') });
        }
        const name = this.node(this.unique('maxpool'), 'MaxPool', [input], {
          ...FLOAT,
          ksize: ints([1, s.k, s.k, 1]),
          strides: ints([1, s.s, s.s, 1]),
          padding: str('VALID'),
          data_format: str('NHWC'),
        });
        return { name, h: outSide(x.h, s.k, s.s, s.p), w: outSide(x.w, s.k, s.s, s.p), c: x.c };
      }
      case 'resize': {
        const h = resizedSide(x.h, s.scale);
        const w = resizedSide(x.w, s.scale);
        const name = this.unique('resize');
        const size = this.intConstant(`${name}/size`, [h, w]);
        // The adaptive forward's resize: PyTorch interpolate(bilinear, align_corners=False) = half-pixel centres.
        this.node(name, 'ResizeBilinear', [x.name, size], { ...FLOAT, align_corners: bool(false), half_pixel_centers: bool(true) });
        return { name, h, w, c: x.c };
      }
      case 'global-avg-pool': {
        const name = this.unique('avgpool');
        const axes = this.intConstant(`${name}/axes`, [1, 2]);
        this.node(name, 'Mean', [x.name, axes], { ...FLOAT, Tidx: dtype('int32'), keep_dims: bool(false) });
        return { name, h: 1, w: 1, c: x.c };
      }
      case 'dense': {
        const name = this.unique('dense');
        const [, cin, cout] = s.kernel.shape;
        const kernel = this.constant(`${name}/kernel`, s.kernel.dataSync() as Float32Array, [cin, cout], 'float32');
        const bias = this.tensorConstant(`${name}/bias`, s.bias);
        this.node(name, '_FusedMatMul', [x.name, kernel, bias], {
          ...FLOAT,
          num_args: int(1),
          fused_ops: strs(['BiasAdd']),
          transpose_a: bool(false),
          transpose_b: bool(false),
          epsilon: { f: 0 },
        });
        return { name, h: 1, w: 1, c: cout };
      }
    }
  }
}

/** The weights manifest entries and the concatenated little-endian data of the constants, in order. */
function packConstants(constants: readonly Constant[]): { specs: tf.io.WeightsManifestEntry[]; data: ArrayBuffer } {
  const bytes = constants.reduce((n, c) => n + c.data.byteLength, 0);
  const out = new Uint8Array(bytes);
  let offset = 0;
  for (const c of constants) {
    out.set(new Uint8Array(c.data.buffer, c.data.byteOffset, c.data.byteLength), offset);
    offset += c.data.byteLength;
  }
  return { specs: constants.map((c) => ({ name: c.name, shape: c.shape, dtype: c.dtype })), data: out.buffer };
}

/**
 * One configuration of an adaptive backbone as a standard **tfjs graph model** (`format:
 * 'graph-model'`: a TensorFlow GraphDef in JSON, its weights and a signature) that
 * `tf.loadGraphModel` (`@tensorflow/tfjs-converter`) runs with no AdaptNet code. Built from
 * `prepareSubnet`'s steps, so its weights are the prepared (sliced, BN-folded) ones: `_FusedConv2D` /
 * `FusedDepthwiseConv2dNative` with BiasAdd and Relu/Relu6, `AddV2` (+ `Relu`) for residual sums,
 * `PadV2` + `MaxPool`, `ResizeBilinear` with half-pixel centres for resizable networks' scales (any
 * scale exports), `SplitV` / `Pack` + `Reshape` for ShuffleNetV2, `Mean` and `_FusedMatMul` for the head.
 * Input `image`: `[N, r, r, C]` float32 as the adaptive model takes it; output `logits`: `[N, classes]`.
 * MACs, parameters and accuracy are in `userDefinedMetadata.adaptnet` (`subnetMetadata(graphModel)`).
 * Portable: no tfjs-layers or tfjs-converter needed to write it; save it with `saveSubnet`
 * (`@adaptnet/export/node`) or load it in place with `tf.loadGraphModel(tf.io.fromMemory(artifacts))`.
 */
export function exportGraphSubnet(model: Backbone, config: SubnetConfig, options: ExportSubnetOptions = {}): tf.io.ModelArtifacts {
  const metadata = describeSubnet(model, config, options);
  const prepared = prepareSubnet(model, config);
  const builder = new GraphDefBuilder();
  let logits: Value;
  try {
    const r = config.resolution;
    logits = builder.chain(prepared.steps, builder.placeholder(r, r, model.inChannels));
    builder.output(logits);
  } finally {
    // Constants hold copies (dataSync), so the prepared tensors can go now.
    prepared.dispose();
  }
  const { specs, data } = packConstants(builder.constants);
  const tensorInfo = (name: string, dims: number[]) => ({ name: `${name}:0`, dtype: 'DT_FLOAT', tensorShape: shapeOf(dims) });
  return {
    format: 'graph-model',
    generatedBy: '@adaptnet/export',
    convertedBy: null,
    modelTopology: {
      node: builder.nodes,
      library: {},
      // GraphDef versions of TensorFlow 2.x graphs; tfjs reads them into `modelVersion` only.
      versions: { producer: 1286, minConsumer: 12 },
    },
    weightSpecs: specs,
    weightData: data,
    signature: {
      inputs: { [GRAPH_INPUT_NAME]: tensorInfo(GRAPH_INPUT_NAME, [-1, config.resolution, config.resolution, model.inChannels]) },
      outputs: { [GRAPH_OUTPUT_NAME]: tensorInfo(GRAPH_OUTPUT_NAME, [-1, logits.c]) },
    },
    userDefinedMetadata: { [SUBNET_METADATA_KEY]: metadata },
  };
}
