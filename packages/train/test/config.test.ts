import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@adaptnet/core';
import { describe, expect, it } from 'vitest';
import { loadTrainConfig, parseTrainConfig } from '../src/index.js';

describe('parseTrainConfig', () => {
  it('fills the reference recipe defaults', () => {
    const c = parseTrainConfig({ strategy: 'mutualnet', resolutions: [28, 24, 20, 16] });
    expect(c.optimizer).toMatchObject({ lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 5e-5 });
    expect(c.optimizer.decay).toEqual({ conv: true, depthwise: true, dense: false, batchNorm: false, bias: false });
    expect(c.numRandom).toBe(2);
    expect(c.schedule.kind).toBe('cosine');
  });

  it('names an unknown strategy and lists the allowed ones', () => {
    expect(() => parseTrainConfig({ strategy: 'slimmable' })).toThrow(
      /strategy: unknown strategy 'slimmable'; allowed: individual, usnet, mutualnet, rsnet, resizable/,
    );
    expect(() => parseTrainConfig({ strategy: 'slimmable' })).toThrow(ConfigError);
  });

  it('names unknown keys and bad values with their path', () => {
    expect(() => parseTrainConfig({ strategy: 'usnet', learningRate: 0.1 })).toThrow(/unknown key\(s\) 'learningRate'/);
    expect(() => parseTrainConfig({ strategy: 'usnet', optimizer: { momentum: 1.5 } })).toThrow(/optimizer\.momentum/);
    expect(() => parseTrainConfig({ strategy: 'usnet', widthRange: { min: 1, max: 0.5 } })).toThrow(
      /widthRange.min must be <= widthRange.max/,
    );
    expect(() => parseTrainConfig({ strategy: 'usnet', resolutions: [] })).toThrow(/resolutions/);
    expect(() => parseTrainConfig({ strategy: 'usnet', resolutions: [28.5] })).toThrow(/resolutions\.0/);
  });

  it('reads YAML and JSON files, flags override the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'train-config-'));
    const yaml = join(dir, 'c.yaml');
    await writeFile(yaml, 'strategy: usnet\nresolutions: [28]\noptimizer:\n  lr: 0.05\nepochs: 2\n');
    const c = await loadTrainConfig(yaml, { epochs: 3 });
    expect(c.optimizer.lr).toBe(0.05);
    expect(c.epochs).toBe(3);
    const json = join(dir, 'c.json');
    await writeFile(json, JSON.stringify({ strategy: 'rsnet', resolutions: [28, 20] }));
    expect((await loadTrainConfig(json)).strategy).toBe('rsnet');
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, 'strategy: [unclosed\n');
    await expect(loadTrainConfig(bad)).rejects.toThrow(/bad\.yaml is not valid YAML/);
    await expect(loadTrainConfig(join(dir, 'missing.yaml'))).rejects.toThrow(/cannot read config file .*missing\.yaml/);
    const list = join(dir, 'list.json');
    await writeFile(list, '[1, 2]');
    await expect(loadTrainConfig(list)).rejects.toThrow(/must hold a mapping of options, got a list/);
  });
});
