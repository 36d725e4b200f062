import { ADAPTNET_KERNELS, type AdaptNetPlan, type AdaptNetPlanOp } from '@adaptnet/kernel-names';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { KernelConfig, KernelFunc, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeAddon } from './addon.js';
import { allocOutput, BACKEND_NAME, f32, output, sizeOf } from './kernel-utils.js';

/** Op codes and slot markers of native/plan.cc. */
const TYPE = { conv: 0, maxpool: 1, 'global-avg-pool': 2, dense: 3 } as const;
const ACT = { linear: 0, relu: 1, relu6: 2 } as const;
const INPUT = -1;
const OUTPUT = -2;
const NONE = -3;
/** Input shapes (batch sizes, mostly) one plan keeps built at once. */
const SHAPES_PER_PLAN = 4;

type DataId = object;

/** One native plan: the AdaptNetPlan built for one input shape. */
interface BuiltPlan {
  readonly handle: number;
  readonly inShape: readonly number[];
  readonly outShape: number[];
}

/**
 * The native plans built for one AdaptNetPlan and one set of weights, by input shape (least
 * recently used first).
 */
interface PlanEntry {
  readonly handles: Map<string, BuiltPlan>;
  /** The weight inputs (every input but x) the plans copied, by name, and their storage. */
  readonly names: string[];
  readonly dataIds: DataId[];
  /**
   * The inputs object last checked against `dataIds`. A caller that passes the same object every
   * call (a prepared subnet) is not checked again: comparing 30–60 weights costs ~2 µs, and its
   * weights do not change (a new set needs a new inputs object).
   */
  checked: object | null;
  /** The plan the last call ran: a forward of the same shape skips the key and the reordering. */
  last: BuiltPlan | null;
  dead: boolean;
}

const entries = new WeakMap<AdaptNetPlan, PlanEntry>();
/** Weight storage → the plan entries that copied it; an entry's plans go when any of its weights does. */
const owners = new Map<DataId, Set<PlanEntry>>();
let planAddon: NativeAddon | null = null;
/** The plan the last AdaptNetRunPlan call ran, for `profileLastPlan`. */
let lastRun: { built: BuiltPlan; entry: PlanEntry } | null = null;

function releaseEntry(entry: PlanEntry): void {
  for (const { handle } of entry.handles.values()) planAddon?.planRelease(handle);
  entry.handles.clear();
  entry.last = null;
  entry.checked = null;
  for (const id of entry.dataIds) {
    const set = owners.get(id);
    set?.delete(entry);
    if (set?.size === 0) owners.delete(id);
  }
  entry.dead = true;
}

/** Called by the backend when a tensor's storage is deleted: plans holding a copy of it are freed. */
export function forgetPlans(dataId: DataId): void {
  const set = owners.get(dataId);
  if (set) for (const entry of [...set]) releaseEntry(entry);
}

function newEntry(inputs: NamedTensorInfoMap): PlanEntry {
  const names: string[] = [];
  const dataIds: DataId[] = [];
  for (const [name, t] of Object.entries(inputs)) {
    if (name === 'x' || t === undefined) continue;
    names.push(name);
    dataIds.push(t.dataId);
  }
  const entry: PlanEntry = { handles: new Map(), names, dataIds, checked: inputs, last: null, dead: false };
  for (const id of dataIds) {
    const set = owners.get(id);
    if (set === undefined) owners.set(id, new Set([entry]));
    else set.add(entry);
  }
  return entry;
}

/** Whether `inputs` holds the weights `entry` copied. */
function sameWeights(entry: PlanEntry, inputs: NamedTensorInfoMap): boolean {
  for (let i = 0; i < entry.names.length; i++) if (inputs[entry.names[i] as string]?.dataId !== entry.dataIds[i]) return false;
  return true;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The native plan reads `units` floats of a bias: a shorter one would be read past its end. */
function checkBias(op: number, bias: TensorInfo, units: number): void {
  if (sizeOf(bias.shape) !== units) {
    throw new Error(
      `${ADAPTNET_KERNELS.runPlan}: op ${op} bias [${bias.shape}] has ${sizeOf(bias.shape)} values, the layer ${units} outputs`,
    );
  }
}

const convOut = (size: number, k: number, s: number, p: number): number => Math.floor((size + 2 * p - k) / s) + 1;

/**
 * Shapes of every value, native op descriptors and a buffer ("slot") per intermediate value,
 * reusing a slot once its value is no longer read; a residual sum is written in place over the
 * shortcut's slot when nothing reads the shortcut afterwards.
 */
function describe(plan: AdaptNetPlan, x: TensorInfo, weight: (i: number) => TensorInfo) {
  const ops = plan.ops;
  const shapes: number[][] = [x.shape.slice()];
  const lastUse = new Array<number>(ops.length + 1).fill(-1);
  ops.forEach((op, i) => {
    lastUse[op.src] = i;
    if (op.op === 'conv' && op.add !== undefined) lastUse[op.add] = i;
  });
  const slotOf: number[] = [INPUT];
  const slotFloats: number[] = [];
  const slotValue: number[] = [];
  const rows: Float64Array[] = [];
  ops.forEach((op: AdaptNetPlanOp, i) => {
    const src = shapes[op.src];
    if (src === undefined || op.src > i) throw new Error(`${ADAPTNET_KERNELS.runPlan}: op ${i} reads value ${op.src}, not computed yet`);
    let out: number[];
    const row = new Float64Array(18).fill(0);
    row[3] = NONE;
    row[16] = -1;
    row[17] = -1;
    if (op.op === 'global-avg-pool' || op.op === 'maxpool' || op.op === 'conv') {
      if (src.length !== 4) throw new Error(`${ADAPTNET_KERNELS.runPlan}: op ${i} (${op.op}) needs a rank-4 input, got [${src}]`);
    }
    const [n, h, w, c] = src as [number, number, number, number];
    if (op.op === 'conv') {
      const f = weight(op.weight).shape;
      if (f.length !== 4 || f[0] !== op.kernelSize || f[1] !== op.kernelSize) {
        throw new Error(
          `${ADAPTNET_KERNELS.runPlan}: op ${i} filter [${f}] is not [${op.kernelSize}, ${op.kernelSize}, in, out] (kernelSize ${op.kernelSize})`,
        );
      }
      if (f[2] !== c) throw new Error(`${ADAPTNET_KERNELS.runPlan}: op ${i} filter [${f}] does not take ${c} channels`);
      const co = op.depthwise ? c * (f[3] as number) : (f[3] as number);
      if (op.depthwise && f[3] !== 1) throw new Error(`${ADAPTNET_KERNELS.runPlan}: op ${i}: depthwise multiplier ${f[3]} (only 1)`);
      checkBias(i, weight(op.bias), co);
      const oh = convOut(h, op.kernelSize, op.strides, op.padding);
      const ow = convOut(w, op.kernelSize, op.strides, op.padding);
      out = [n, oh, ow, co];
      row.set([
        TYPE.conv,
        0,
        0,
        NONE,
        n,
        h,
        w,
        c,
        oh,
        ow,
        co,
        op.kernelSize,
        op.strides,
        op.padding,
        op.depthwise ? c : 1,
        ACT[op.activation],
        op.weight,
        op.bias,
      ]);
      if (op.add !== undefined && shapes[op.add]?.join() !== out.join()) {
        throw new Error(`${ADAPTNET_KERNELS.runPlan}: op ${i} adds value ${op.add} of shape [${shapes[op.add]}] to [${out}]`);
      }
    } else if (op.op === 'maxpool') {
      const oh = convOut(h, op.k, op.s, op.p);
      const ow = convOut(w, op.k, op.s, op.p);
      out = [n, oh, ow, c];
      row.set([TYPE.maxpool, 0, 0, NONE, n, h, w, c, oh, ow, c, op.k, op.s, op.p, 1, 0, -1, -1]);
    } else if (op.op === 'global-avg-pool') {
      out = [n, c];
      row.set([TYPE['global-avg-pool'], 0, 0, NONE, n, h, w, c, 1, 1, c, 0, 1, 0, 1, 0, -1, -1]);
    } else {
      const k = weight(op.weight).shape;
      const cin = src[1] as number;
      if (src.length !== 2 || k.at(-2) !== cin) throw new Error(`${ADAPTNET_KERNELS.runPlan}: op ${i} dense [${k}] on [${src}]`);
      const units = k.at(-1) as number;
      if (sizeOf(k) !== cin * units)
        throw new Error(`${ADAPTNET_KERNELS.runPlan}: op ${i} dense weights [${k}] are not [${cin}, ${units}]`);
      checkBias(i, weight(op.bias), units);
      out = [src[0] as number, units];
      row.set([TYPE.dense, 0, 0, NONE, src[0] as number, 1, 1, cin, 1, 1, units, 1, 1, 0, 1, 0, op.weight, op.bias]);
    }
    shapes.push(out);
    const value = i + 1;
    row[1] = slotOf[op.src] as number;
    let dst: number;
    if (i === ops.length - 1) dst = OUTPUT;
    else {
      const add = op.op === 'conv' ? op.add : undefined;
      const addSlot = add === undefined ? -1 : (slotOf[add] as number);
      if (add !== undefined && add !== op.src && addSlot >= 0 && lastUse[add] === i) dst = addSlot;
      else {
        dst = slotFloats.findIndex((_, s) => (lastUse[slotValue[s] as number] as number) < i);
        if (dst < 0) {
          dst = slotFloats.length;
          slotFloats.push(0);
          slotValue.push(value);
        }
        slotFloats[dst] = Math.max(slotFloats[dst] as number, sizeOf(out));
      }
      slotValue[dst] = value;
    }
    slotOf.push(dst);
    row[2] = dst;
    if (op.op === 'conv' && op.add !== undefined) row[3] = slotOf[op.add] as number;
    rows.push(row);
  });
  return { rows, slotFloats, outShape: shapes.at(-1) as number[] };
}

/**
 * Per op of the plan the last AdaptNetRunPlan call ran, the fastest of `reps` runs on `x` (its
 * input shape) in nanoseconds, each op waited for; null when that plan was freed since.
 */
export function profileLastPlan(x: Float32Array, reps: number): Float64Array | null {
  if (lastRun === null || lastRun.entry.dead || planAddon === null) return null;
  const { built } = lastRun;
  const inFloats = sizeOf(built.inShape);
  if (x.length !== inFloats) throw new Error(`profileLastPlan: x has ${x.length} floats, the plan takes ${inFloats}`);
  return planAddon.planProfile(built.handle, x, new Float32Array(sizeOf(built.outShape)), reps);
}

export function planKernels(addon: NativeAddon): KernelConfig[] {
  planAddon = addon;
  const kernelFunc: KernelFunc = ({ inputs, backend, attrs }) => {
    const be = backend as MathBackendCPU;
    const { plan } = attrs as unknown as { plan: AdaptNetPlan };
    const x = inputs.x as TensorInfo;
    const weight = (i: number): TensorInfo => {
      const t = inputs[`w${i}`];
      if (t === undefined) throw new Error(`${ADAPTNET_KERNELS.runPlan}: input w${i} is missing`);
      return t;
    };
    let entry = entries.get(plan);
    if (entry !== undefined && !entry.dead && entry.checked !== inputs) {
      // The same plan with other weights (or the same in a new inputs object): its plans hold
      // copies of the old ones, so they go.
      if (sameWeights(entry, inputs)) entry.checked = inputs;
      else releaseEntry(entry);
    }
    if (entry === undefined || entry.dead) {
      entry = newEntry(inputs);
      entries.set(plan, entry);
    }
    if (x.dtype !== 'float32') throw new Error(`${ADAPTNET_KERNELS.runPlan}: x must be float32, got ${x.dtype}`);
    let built: BuiltPlan | undefined = entry.last ?? undefined;
    if (built === undefined || !sameShape(built.inShape, x.shape)) {
      const key = x.shape.join(',');
      built = entry.handles.get(key);
      if (built === undefined) {
        const { rows, slotFloats, outShape } = describe(plan, x, weight);
        const used = new Set<number>();
        for (const r of rows) {
          if ((r[16] as number) >= 0) used.add(r[16] as number);
          if ((r[17] as number) >= 0) used.add(r[17] as number);
        }
        const weights: Float32Array[] = [];
        for (let i = 0; i <= Math.max(-1, ...used); i++) weights.push(used.has(i) ? f32(be, weight(i)) : new Float32Array(0));
        // Another input shape's plan of the same ops lends its reordered weights where the formats agree.
        const sibling = entry.handles.values().next().value?.handle ?? -1;
        built = { handle: addon.planCreate(rows, slotFloats, weights, sibling), inShape: x.shape.slice(), outShape };
        if (entry.handles.size >= SHAPES_PER_PLAN) {
          const [oldKey, old] = entry.handles.entries().next().value as [string, BuiltPlan];
          addon.planRelease(old.handle);
          entry.handles.delete(oldKey);
        }
      } else entry.handles.delete(key);
      entry.handles.set(key, built);
      entry.last = built;
    }
    const out = allocOutput(sizeOf(built.outShape));
    addon.planRun(built.handle, f32(be, x), out);
    lastRun = { built, entry };
    return output(be, built.outShape, out);
  };
  return [{ kernelName: ADAPTNET_KERNELS.runPlan, backendName: BACKEND_NAME, kernelFunc }];
}
