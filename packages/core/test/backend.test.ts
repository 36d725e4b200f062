import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BackendError, kernelCoverage } from '../src/index.js';
import { initBackend } from '../src/node.js';

afterEach(() => {
  delete process.env.ADAPTNET_BACKEND;
});

describe('initBackend', () => {
  it('picks the fastest available backend and says why faster ones were skipped', async () => {
    const lines: string[] = [];
    const info = await initBackend({ log: (l) => lines.push(l) });
    expect(tf.getBackend()).toBe(info.tfjsName);
    // tfjs-node(-gpu) are optional peers and not installed here: their absence must not break init.
    const skipped = info.skipped.map((s) => s.name);
    if (info.name === 'wasm') {
      expect(skipped).toEqual(['tensorflow-gpu', 'tensorflow', 'native']);
      expect(info.skipped[0]!.reason).toMatch(/tfjs-node-gpu/);
      expect(info.simd).toBe(true);
      expect(info.threads).toBe(1);
    }
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(`^\\[adaptnet\\] backend ${info.name} \\(simd: (yes|no), .*kernel fills: ${info.fills.length}\\)$`),
    );
  });

  it('can be forced by option or by ADAPTNET_BACKEND', async () => {
    expect((await initBackend({ backend: 'cpu', log: false })).name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    process.env.ADAPTNET_BACKEND = 'wasm';
    expect((await initBackend({ log: false })).name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it("cpu does not print tfjs's 'install tfjs-node' banner on its first write", async () => {
    // A fresh cpu backend instance, so that its first write happens in this test.
    const factory = tf.findBackendFactory('cpu');
    expect(factory).not.toBeNull();
    tf.removeBackend('cpu');
    tf.registerBackend('cpu', factory as NonNullable<typeof factory>);
    const warned: string[] = [];
    const warn = vi.spyOn(console, 'warn').mockImplementation((...a: unknown[]) => void warned.push(a.join(' ')));
    try {
      await initBackend({ backend: 'cpu', log: false });
      tf.tensor1d([1, 2, 3]).dispose();
    } finally {
      warn.mockRestore();
    }
    expect(warned.filter((w) => /tfjs-node/.test(w))).toEqual([]);
  });

  it('rejects an unknown backend naming the allowed ones', async () => {
    process.env.ADAPTNET_BACKEND = 'webgpu';
    await expect(initBackend({ log: false })).rejects.toThrow(
      "unknown backend 'webgpu' (from ADAPTNET_BACKEND); allowed: tensorflow-gpu, tensorflow, native, wasm, cpu",
    );
  });

  it('a forced backend that is not installed fails with the reason', async () => {
    const err = await initBackend({ backend: 'tensorflow', log: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendError);
    expect((err as Error).message).toMatch(/^backend 'tensorflow' is not available: tensorflow: .*tfjs-node/);
  });

  it.each(['cpu', 'wasm'])('leaves no training kernel missing on %s and every forward kernel differentiable', async (backend) => {
    const info = await initBackend({ backend: backend as 'cpu' | 'wasm', log: false });
    const rows = kernelCoverage(info.tfjsName);
    expect(rows.filter((r) => r.source === 'missing').map((r) => r.kernel)).toEqual([]);
    expect(rows.filter((r) => r.note === 'NO gradient').map((r) => r.kernel)).toEqual([]);
    expect(
      rows
        .filter((r) => r.source === 'adaptnet')
        .map((r) => r.kernel)
        .sort(),
    ).toEqual(info.fills.map((f) => f.kernelName).sort());
  });
});
