import { main, type Output } from '../src/index.js';

export function capture(): Output & { results: string[]; infos: string[] } {
  const results: string[] = [];
  const infos: string[] = [];
  return { results, infos, result: (t) => results.push(t), info: (t) => infos.push(t) };
}

/** Runs `adaptnet-video argv…` in this process: exit code, stdout, stderr and the error lines. */
export async function cli(...argv: string[]) {
  const out = capture();
  const code = await main(argv, out);
  return {
    code,
    stdout: out.results.join('\n'),
    stderr: out.infos.join('\n'),
    errors: out.infos.filter((l) => l.startsWith('adaptnet-video: error')),
  };
}
