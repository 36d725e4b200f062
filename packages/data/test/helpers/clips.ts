import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const CLIP_NAMES = ['vtest.avi', 'Megamind.avi', 'Megamind_bugy.avi', 'tree.avi'] as const;

/** The folder `scripts/fetch-test-clips.sh` fills, or undefined (with a warning) when the clips are absent. */
export function testClipsDir(): string | undefined {
  const dir = process.env.ADAPTNET_TEST_CLIPS ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'adaptnet', 'test-clips');
  if (CLIP_NAMES.every((c) => existsSync(join(dir, c)))) return dir;
  console.warn(`real-clip tests skipped: no test clips in ${dir}; run packages/data/scripts/fetch-test-clips.sh`);
  return undefined;
}

export function hasFfmpeg(): boolean {
  try {
    execFileSync('ffmpeg', ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    console.warn('video decoding tests skipped: ffmpeg is not installed (sudo apt-get install ffmpeg)');
    return false;
  }
}

/**
 * Frame `n` of `path` exported by ffmpeg as a PPM image file (image2 muxer + ppm encoder: another
 * route than the rawvideo pipe under test), parsed here.
 */
export function ppmFrame(path: string, n: number, out: string): { width: number; height: number; pixels: Uint8Array } {
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-i',
    path,
    '-vf',
    `select=eq(n\\,${n})`,
    '-fps_mode',
    'passthrough',
    '-frames:v',
    '1',
    '-c:v',
    'ppm',
    out,
  ]);
  const data = readFileSync(out);
  const header = data.toString('latin1', 0, 64).match(/^P6\s+(\d+)\s+(\d+)\s+255\s/);
  if (!header) throw new Error(`${out} is not a binary PPM`);
  const width = Number(header[1]);
  const height = Number(header[2]);
  const start = (header[0] as string).length;
  return { width, height, pixels: new Uint8Array(data.buffer, data.byteOffset + start, width * height * 3) };
}

/** Per-channel mean of HWC rgb bytes. */
export function channelMeans(pixels: ArrayLike<number>, channels = 3): number[] {
  const sums = new Array<number>(channels).fill(0);
  for (let i = 0; i < pixels.length; i++) sums[i % channels] = (sums[i % channels] as number) + (pixels[i] as number);
  return sums.map((s) => s / (pixels.length / channels));
}
