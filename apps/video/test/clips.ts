import { execFileSync } from 'node:child_process';
import type { VideoSource } from '@adaptnet/data';

/**
 * Writes clip `index` of a 1-channel source as a lossless video (FFV1 in Matroska, grey pixels), so
 * that decoding it gives back exactly the rendered frames.
 */
export async function writeClipVideo(source: VideoSource, index: number, path: string): Promise<void> {
  const frames = source.frameCounts[index] as number;
  const clip = await source.readClip(
    index,
    Array.from({ length: frames }, (_, i) => i),
  );
  execFileSync(
    'ffmpeg',
    [
      '-v',
      'error',
      '-y',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'gray',
      '-s',
      `${clip.width}x${clip.height}`,
      '-r',
      '8',
      '-i',
      'pipe:0',
      '-c:v',
      'ffv1',
      '-pix_fmt',
      'gray',
      path,
    ],
    { input: Buffer.from(clip.pixels.buffer, clip.pixels.byteOffset, clip.pixels.byteLength) },
  );
}
