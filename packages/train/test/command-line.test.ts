import { BackendError, ConfigError } from '@adaptnet/core';
import { describe, expect, it } from 'vitest';
import { exitCodeOf, type Output, oneLine, runCommandLine } from '../src/node.js';
import { TrainingDivergedError } from '../src/trainer.js';

function capture(): Output & { infos: string[] } {
  const infos: string[] = [];
  return { infos, result: () => undefined, info: (t) => infos.push(t) };
}

const failing = (error: unknown) => ({
  parseAsync: async () => {
    throw error;
  },
});

describe('runCommandLine', () => {
  it('bad input is one line and exit code 2; failures are 1; success 0', async () => {
    const out = capture();
    expect(await runCommandLine('tool', failing(new ConfigError('--epochs must be > 0\n  at the code frame:')), ['x'], out)).toBe(2);
    expect(out.infos).toEqual(['tool: error: --epochs must be > 0']);
    expect(await runCommandLine('tool', failing(new TrainingDivergedError('loss is NaN')), [], capture())).toBe(1);
    expect(await runCommandLine('tool', failing(new BackendError('no backend')), [], capture())).toBe(1);
    expect(await runCommandLine('tool', failing(new Error('bug')), [], capture())).toBe(1);
    expect(await runCommandLine('tool', { parseAsync: async () => undefined }, [], capture())).toBe(0);
  });

  it("commander's own codes: help is 0, usage errors 2, and nothing more is printed", async () => {
    const help = capture();
    expect(
      await runCommandLine('tool', failing(Object.assign(new Error('(outputHelp)'), { code: 'commander.helpDisplayed' })), [], help),
    ).toBe(0);
    const usage = capture();
    expect(await runCommandLine('tool', failing(Object.assign(new Error('bad'), { code: 'commander.invalidArgument' })), [], usage)).toBe(
      2,
    );
    expect([...help.infos, ...usage.infos]).toEqual([]);
  });

  it('--verbose adds the stack', async () => {
    const out = capture();
    await runCommandLine('tool', failing(new ConfigError('bad value')), ['--verbose'], out);
    expect(out.infos[0]).toBe('tool: error: bad value');
    expect(out.infos[1]).toMatch(/ConfigError: bad value\n\s+at /);
  });

  it('oneLine and exitCodeOf', () => {
    expect(oneLine('\n  first line:\nsecond')).toBe('first line');
    expect(exitCodeOf(new ConfigError('x'))).toBe(2);
    expect(exitCodeOf('a string')).toBe(1);
  });
});
