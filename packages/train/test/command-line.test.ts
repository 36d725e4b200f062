import { BackendError, ConfigError } from '@adaptnet/core';
import { Command, InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { type CliOutput, cliExitCode, commanderExitCode, firstLine, runCli } from '../src/node.js';
import { TrainingDivergedError } from '../src/trainer.js';

function capture(): CliOutput & { infos: string[] } {
  const infos: string[] = [];
  return { infos, result: () => undefined, info: (t) => infos.push(t) };
}

/** runCli over a program whose parse ends as `program.parseAsync` does. */
const run = (program: { parseAsync: () => Promise<unknown> }, argv: string[], out: CliOutput) =>
  runCli('tool', argv, out, () => program.parseAsync());

const failing = (error: unknown) => ({
  parseAsync: async () => {
    throw error;
  },
});

describe('runCli', () => {
  it('bad input is one line and exit code 2; failures are 1; success 0', async () => {
    const out = capture();
    expect(await run(failing(new ConfigError('--epochs must be > 0\n  at the code frame:')), ['x'], out)).toBe(2);
    expect(out.infos).toEqual(['tool: error: --epochs must be > 0']);
    expect(await run(failing(new TrainingDivergedError('loss is NaN')), [], capture())).toBe(1);
    expect(await run(failing(new BackendError('no backend')), [], capture())).toBe(1);
    expect(await run(failing(new Error('bug')), [], capture())).toBe(1);
    expect(await run({ parseAsync: async () => undefined }, [], capture())).toBe(0);
  });

  it("commander's own exits: --help and --version 0; a usage error or no command at all 2; nothing more is printed", async () => {
    const printed: string[] = [];
    const program = () => {
      const p = new Command('tool')
        .exitOverride()
        .version('1.2.3')
        .configureOutput({ writeOut: (t) => printed.push(t), writeErr: (t) => printed.push(t) });
      p.command('go')
        .option('--n <n>', 'a number', (v) => {
          if (!/^\d+$/.test(v)) throw new InvalidArgumentError('not a number');
          return Number(v);
        })
        .action(() => undefined);
      return p;
    };
    const out = capture();
    const code = (argv: string[]) => runCli('tool', argv, out, () => program().parseAsync(argv, { from: 'user' }));
    expect(await code(['--help'])).toBe(0);
    expect(await code(['--version'])).toBe(0);
    expect(await code(['go', '--n', '3'])).toBe(0);
    expect(await code([])).toBe(2);
    expect(printed.at(-1)).toMatch(/Usage: tool/);
    expect(await code(['go', '--n', 'x'])).toBe(2);
    expect(await code(['frobnicate'])).toBe(2);
    expect(out.infos).toEqual([]);
    expect(commanderExitCode(new Error('not commander'))).toBeUndefined();
  });

  it('badInput names further error types that are bad input', async () => {
    const parse = () => Promise.reject(new TypeError('not an image'));
    expect(await runCli('tool', [], capture(), parse)).toBe(1);
    expect(await runCli('tool', [], capture(), parse, { badInput: (e) => e instanceof TypeError })).toBe(2);
  });

  it('--verbose adds the stack', async () => {
    const out = capture();
    await run(failing(new ConfigError('bad value')), ['--verbose'], out);
    expect(out.infos[0]).toBe('tool: error: bad value');
    expect(out.infos[1]).toMatch(/ConfigError: bad value\n\s+at /);
  });

  it('firstLine and cliExitCode', () => {
    expect(firstLine('\n  first line:\nsecond')).toBe('first line');
    expect(cliExitCode(new ConfigError('x'))).toBe(2);
    expect(cliExitCode('a string')).toBe(1);
  });
});
