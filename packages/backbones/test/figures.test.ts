// Creating a backbone allocates its weights: a backend must be registered (core registers none).
import '@tensorflow/tfjs-backend-cpu';
import type { ForwardContext, LayerCost } from '@adaptnet/core';
import { describe, expect, it } from 'vitest';
import { createBackbone, MOBILENET_V1_FASHION_MNIST_BLOCKS } from '../src/index.js';

const ctx = (width: number, resolution: number): ForwardContext => ({ config: { width, resolution }, training: false });
const at = (b: ReturnType<typeof createBackbone>, width: number, resolution: number) =>
  b.cost(b.inputShape({ width, resolution }), ctx(width, resolution));
const sumParams = (layers: readonly LayerCost[], skip: string) => layers.filter((l) => l.kind !== skip).reduce((s, l) => s + l.params, 0);

// Published multiply-add counts (conv + dense + global average pooling as C·H·W; BN and activations 0).
describe('published figures, exact integers', () => {
  it('MobileNetV1 1.0×-224 = 568,790,528 MACs and 0.25×-128 = 13,574,144', () => {
    const b = createBackbone('mobilenet-v1');
    expect(at(b, 1, 224).macs).toBe(568_790_528);
    expect(at(b, 0.25, 128).macs).toBe(13_574_144);
    // 4,231,976 = torchvision-style count with BN γ/β; conv + dense (with bias) alone 4,210,088.
    expect(at(b, 1, 224).params).toBe(4_231_976);
    expect(sumParams(at(b, 1, 224).layers, 'batchnorm')).toBe(4_210_088);
    b.dispose();
  });

  it('MobileNetV2 1.0×-224 = 300,836,992 MACs; conv+dense params 3,470,760 (3.471M); with BN γ/β 3,504,872', () => {
    const b = createBackbone('mobilenet-v2');
    const c = at(b, 1, 224);
    expect(c.macs).toBe(300_836_992);
    expect(sumParams(c.layers, 'batchnorm')).toBe(3_470_760);
    expect((sumParams(c.layers, 'batchnorm') / 1e6).toFixed(3)).toBe('3.471');
    expect(c.params).toBe(3_504_872);
    expect(c.outShape).toEqual([1, 1000]);
    // RS-Nets Table: 301M, 221M, 154M, 99M, 56M at 224..96.
    expect([224, 192, 160, 128, 96].map((r) => Math.round(at(b, 1, r).macs / 1e6))).toEqual([301, 221, 154, 99, 56]);
    b.dispose();
  });

  it('ResNet-18 at 224 = 1,814,098,432 MACs (11,689,512 params) and the resolution ladder (docs/design.md)', () => {
    const b = createBackbone('resnet-18');
    expect(at(b, 1, 224).macs).toBe(1_814_098_432);
    expect(at(b, 1, 224).params).toBe(11_689_512);
    // The ladders in docs/design.md / RS-Nets (1.82G, 1.34G, 931M, 596M, 335M; ResNet-50 4.14G ... 760M) come
    // from a counter that also counts BN/ReLU/additions: ours (conv + dense + GAP) is 0.4–1.3% below.
    expect([224, 192, 160, 128, 96].map((r) => at(b, 1, r).macs)).toEqual([
      1_814_098_432, 1_332_942_848, 925_811_200, 592_703_488, 333_619_712,
    ]);
    const published = [1.82e9, 1.34e9, 931e6, 596e6, 335e6];
    [224, 192, 160, 128, 96].forEach((r, i) => {
      const ratio = at(b, 1, r).macs / published[i]!;
      expect(ratio).toBeLessThanOrEqual(1);
      expect(ratio).toBeGreaterThan(0.99);
    });
    b.dispose();
  });

  it('ResNet-50 v1.5 at 224 = 4,089,284,608 MACs and 25,557,032 params with BN γ/β', () => {
    const b = createBackbone('resnet-50');
    const c = at(b, 1, 224);
    expect(c.macs).toBe(4_089_284_608);
    expect(c.params).toBe(25_557_032);
    // Every trainable variable is counted at width 1 (conv kernels, BN γ/β, dense kernel + bias).
    expect(c.params).toBe(b.parameterCount());
    const published = [4.14e9, 3.04e9, 2.11e9, 1.35e9, 760e6];
    [224, 192, 160, 128, 96].forEach((r, i) => {
      const ratio = at(b, 1, r).macs / published[i]!;
      expect(ratio).toBeLessThanOrEqual(1);
      expect(ratio).toBeGreaterThan(0.985);
    });
    b.dispose();
  });

  it('the Fashion-MNIST small-input MobileNetV1 = 14,346,368 MACs (14.35M) and 273,674 params', () => {
    const b = createBackbone('mobilenet-v1', { input: 'small', inChannels: 1, numClasses: 10, blocks: MOBILENET_V1_FASHION_MNIST_BLOCKS });
    const c = at(b, 1, 28);
    expect(c.macs).toBe(14_346_368);
    expect((c.macs / 1e6).toFixed(2)).toBe('14.35');
    expect(c.params).toBe(273_674);
    expect(b.parameterCount()).toBe(273_674);
    // reference table (docs/reference-recipe.md): 5.86M at 0.75×-24, 1.99M at 0.5×-20, 0.345M at 0.25×-16.
    expect([at(b, 0.75, 24).macs, at(b, 0.5, 20).macs, at(b, 0.25, 16).macs]).toEqual([5_860_032, 1_988_544, 344_576]);
    expect(b.stageStrides).toEqual([1, 2, 4, 8]);
    expect(b.stageShapes([1, 28, 28, 1], ctx(1, 28))).toEqual([
      [1, 28, 28, 64],
      [1, 14, 14, 128],
      [1, 7, 7, 256],
      [1, 4, 4, 512],
    ]);
    b.dispose();
  });
});

/** Independent MobileNetV1 count: the slimmable rounding written out here, not imported. */
function mbv1Macs(width: number, r: number): number {
  const md = (v: number) => {
    let x = Math.max(1, Math.floor((v + 4) / 8) * 8);
    if (x < 0.9 * v) x += 8;
    return Math.min(x, Number.POSITIVE_INFINITY);
  };
  const cfg = [64, 128, 128, 256, 256, 512, 512, 512, 512, 512, 512, 1024, 1024];
  const strides = [1, 2, 1, 2, 1, 2, 1, 1, 1, 1, 1, 2, 1];
  let h = Math.floor((r + 2 - 3) / 2) + 1;
  let c = Math.min(32, md(32 * width));
  let macs = h * h * 27 * c;
  cfg.forEach((o, i) => {
    h = Math.floor((h + 2 - 3) / strides[i]!) + 1;
    const co = Math.min(o, md(o * width));
    macs += h * h * 9 * c + h * h * c * co;
    c = co;
  });
  return macs + h * h * c + c * 1000;
}

describe('MACs at other widths and resolutions', () => {
  const v1 = createBackbone('mobilenet-v1');
  const v2 = createBackbone('mobilenet-v2');
  const r18 = createBackbone('resnet-18');

  it('MobileNetV1 matches an independent count at widths 0.25..1 and resolutions 96..224', () => {
    for (const w of [0.25, 0.35, 0.5, 0.6, 0.75, 0.9, 1])
      for (const r of [96, 128, 160, 193, 224]) expect(at(v1, w, r).macs).toBe(mbv1Macs(w, r));
  });

  it('is monotone in width and in resolution', () => {
    const widths = [0.25, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];
    const res = [64, 96, 128, 160, 192, 224];
    for (const b of [v1, v2, r18]) {
      for (const r of res) {
        const m = widths.map((w) => at(b, w, r).macs);
        m.slice(1).forEach((v, i) => expect(v).toBeGreaterThanOrEqual(m[i]!));
        expect(m[m.length - 1]!).toBeGreaterThan(m[0]!);
      }
      for (const w of widths) {
        const m = res.map((r) => at(b, w, r).macs);
        m.slice(1).forEach((v, i) => expect(v).toBeGreaterThan(m[i]!));
      }
    }
  });

  it('reports active-subnet parameters, not full-width ones', () => {
    for (const b of [v1, v2, r18]) {
      const ps = [0.25, 0.5, 0.75, 1].map((w) => at(b, w, 128).params);
      ps.slice(1).forEach((v, i) => expect(v).toBeGreaterThan(ps[i]!));
      expect(ps[3]).toBe(b.parameterCount());
    }
    // MobileNetV2 keeps 1280 → 1000 classifier at every width: 1,281,000 params in every subnet.
    const fc = at(v2, 0.25, 128).layers.find((l) => l.kind === 'dense');
    expect(fc?.params).toBe(1_281_000);
  });
});
