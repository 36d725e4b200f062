import { spawn } from 'node:child_process';
import { DatasetError } from '../errors.js';

/** The ffmpeg or ffprobe executable could not be started. Its message names the apt command that installs it. */
export class FfmpegMissingError extends DatasetError {
  constructor(tool: string, options?: { cause?: unknown }) {
    super(
      'missing',
      tool,
      `${tool} was not found; decoding videos needs ffmpeg and ffprobe: install them with: sudo apt-get install ffmpeg`,
      options,
    );
  }
}

export interface ToolRun {
  readonly code: number | null;
  /** stdout bytes (exactly `received` of them are valid). */
  readonly stdout: Buffer;
  readonly received: number;
  /** The last few KiB of stderr. */
  readonly stderr: string;
}

export interface ToolLimits {
  /** stdout beyond this many bytes kills the process: a DatasetError ('corrupt'). */
  readonly maxBytes: number;
  /** Wall-clock limit; the process is killed after it: a DatasetError ('unreadable'). */
  readonly timeoutMs: number;
  /** The file the run reads, for error messages. */
  readonly path: string;
}

const STDERR_TAIL = 4096;

/**
 * Runs `tool args…` (no shell, no stdin) and collects stdout into one buffer of at most
 * `maxBytes`, stderr's tail only. Exceeding either limit kills the process.
 */
export function runTool(tool: string, args: readonly string[], limits: ToolLimits): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = Buffer.allocUnsafe(Math.min(limits.maxBytes, 16 << 20));
    let received = 0;
    let stderr = '';
    let failure: Error | undefined;
    const fail = (error: Error) => {
      if (failure !== undefined) return;
      failure = error;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(
      () => fail(new DatasetError('unreadable', limits.path, `${tool} did not finish ${limits.path} within ${limits.timeoutMs} ms`)),
      limits.timeoutMs,
    );
    child.stdout.on('data', (chunk: Buffer) => {
      if (failure !== undefined) return;
      if (received + chunk.length > limits.maxBytes) {
        fail(
          new DatasetError('corrupt', limits.path, `${tool} produced more than the ${limits.maxBytes} bytes expected from ${limits.path}`),
        );
        return;
      }
      if (received + chunk.length > stdout.length) {
        const grown = Buffer.allocUnsafe(Math.min(limits.maxBytes, Math.max(2 * stdout.length, received + chunk.length)));
        stdout.copy(grown, 0, 0, received);
        stdout = grown;
      }
      chunk.copy(stdout, received);
      received += chunk.length;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL);
    });
    child.on('error', (cause: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(cause.code === 'ENOENT' ? new FfmpegMissingError(tool, { cause }) : cause);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (failure !== undefined) reject(failure);
      else resolve({ code, stdout, received, stderr });
    });
  });
}

/** The last non-empty line of a tool's stderr, for one-line error messages. */
export function lastLine(stderr: string): string {
  const lines = stderr.split('\n').filter((l) => l.trim() !== '');
  return lines.length === 0 ? 'no message' : (lines[lines.length - 1] as string).trim();
}

/** ffmpeg's input arguments for a local file: the `file:` protocol only, so a name can never be read as a URL or another protocol. */
export function fileInput(path: string): string[] {
  return ['-protocol_whitelist', 'file', '-i', `file:${path}`];
}

export interface VideoProbe {
  readonly width: number;
  readonly height: number;
  /** Frames in the first video stream (its packets, counted by demuxing the whole file). */
  readonly frames: number;
  readonly codec: string;
}

export interface ToolPaths {
  readonly ffmpeg: string;
  readonly ffprobe: string;
  readonly timeoutMs: number;
}

/** Size and frame count of `path`'s first video stream; an unreadable file is a DatasetError naming it. */
export async function probeVideo(path: string, tools: ToolPaths): Promise<VideoProbe> {
  const run = await runTool(
    tools.ffprobe,
    [
      '-v',
      'error',
      ...fileInput(path).slice(0, 2),
      '-select_streams',
      'v:0',
      '-count_packets',
      '-show_entries',
      'stream=codec_name,width,height,nb_read_packets',
      '-of',
      'json',
      `file:${path}`,
    ],
    { maxBytes: 1 << 16, timeoutMs: tools.timeoutMs, path },
  );
  if (run.code !== 0) throw new DatasetError('unreadable', path, `cannot read video ${path}: ${lastLine(run.stderr)}`);
  let stream: { width?: unknown; height?: unknown; nb_read_packets?: unknown; codec_name?: unknown } | undefined;
  try {
    stream = (JSON.parse(run.stdout.toString('utf8', 0, run.received)) as { streams?: (typeof stream)[] }).streams?.[0];
  } catch (cause) {
    throw new DatasetError('unreadable', path, `ffprobe gave no readable description of ${path}`, { cause });
  }
  if (stream === undefined) throw new DatasetError('unreadable', path, `${path} has no video stream`);
  const width = Number(stream.width);
  const height = Number(stream.height);
  const frames = Number(stream.nb_read_packets);
  if (!(Number.isInteger(width) && width > 0 && Number.isInteger(height) && height > 0)) {
    throw new DatasetError(
      'unreadable',
      path,
      `${path}: its video stream has no frame size (width ${stream.width}, height ${stream.height})`,
    );
  }
  if (!(Number.isInteger(frames) && frames > 0)) throw new DatasetError('corrupt', path, `${path}: its video stream has no frames`);
  return { width, height, frames, codec: String(stream.codec_name ?? 'unknown') };
}

export interface DecodeRequest {
  /** Distinct frame numbers, ascending. */
  readonly frames: Int32Array;
  /** Output size (the stored size, or the short-side resize). */
  readonly height: number;
  readonly width: number;
  readonly resize: boolean;
}

/**
 * Decodes the requested frames of `path` as rgb24, piped over stdout into a buffer of exactly the
 * expected size. Frames are numbered as decoded, without duplication or dropping
 * (`-fps_mode passthrough`), and rotation metadata is ignored (`-noautorotate`), so the numbers and
 * the size match `probeVideo`. ffmpeg stops after the last requested frame.
 */
export async function decodeFrames(path: string, request: DecodeRequest, tools: ToolPaths): Promise<Uint8Array> {
  const { frames, height, width } = request;
  const frameBytes = height * width * 3;
  const expected = frames.length * frameBytes;
  const select = `select='${Array.from(frames, (f) => `eq(n,${f})`).join('+')}'`;
  const filters = request.resize ? `${select},scale=${width}:${height}:flags=area` : select;
  const args = [
    '-nostdin',
    '-hide_banner',
    '-loglevel',
    'error',
    '-noautorotate',
    ...fileInput(path),
    '-map',
    '0:v:0',
    '-vf',
    filters,
    '-fps_mode',
    'passthrough',
    '-frames:v',
    String(frames.length),
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    'pipe:1',
  ];
  const run = await runTool(tools.ffmpeg, args, { maxBytes: expected, timeoutMs: tools.timeoutMs, path });
  if (run.code !== 0) throw new DatasetError('unreadable', path, `ffmpeg could not decode ${path}: ${lastLine(run.stderr)}`);
  if (run.received !== expected) {
    const got = Math.floor(run.received / frameBytes);
    throw new DatasetError(
      'corrupt',
      path,
      `${path}: decoded ${got} of the ${frames.length} frames requested (up to frame ${frames[frames.length - 1]}); the file is damaged, truncated or changed since it was probed`,
    );
  }
  return new Uint8Array(run.stdout.buffer, run.stdout.byteOffset, expected);
}
