import { SingleBar } from 'cli-progress';

export type ProgressMode = 'auto' | 'bar' | 'lines' | 'none';

export interface StepReport {
  readonly step: number;
  readonly totalSteps: number;
  readonly epoch: number;
  readonly lr: number;
  readonly loss: number;
  /** Loss of each subnet, by configuration key. */
  readonly losses: Readonly<Record<string, number>>;
  readonly imagesPerSecond: number;
}

export interface ProgressReporter {
  update(report: StepReport): void;
  message(line: string): void;
  stop(): void;
}

const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(4));

/** A bar with ETA, loss and img/s on a TTY; a line every `every` steps otherwise. */
export function createProgress(mode: ProgressMode, log: (line: string) => void, every = 50): ProgressReporter {
  const resolved = mode === 'auto' ? (process.stderr.isTTY ? 'bar' : 'lines') : mode;
  if (resolved === 'none') return { update() {}, message: log, stop() {} };
  if (resolved === 'lines') {
    return {
      update(r) {
        if (r.step % every !== 0 && r.step !== r.totalSteps) return;
        const subnets = Object.entries(r.losses)
          .map(([k, v]) => `${k} ${fmt(v)}`)
          .join(', ');
        log(
          `[train] step ${r.step}/${r.totalSteps} epoch ${r.epoch + 1} lr ${r.lr.toExponential(2)} loss ${fmt(r.loss)} (${subnets}) ${r.imagesPerSecond.toFixed(0)} img/s`,
        );
      },
      message: log,
      stop() {},
    };
  }
  const bar = new SingleBar({
    format: 'epoch {epoch} |{bar}| {value}/{total} steps | ETA {eta_formatted} | loss {loss} | {ips} img/s',
    stream: process.stderr,
    hideCursor: true,
    etaBuffer: 50,
  });
  let started = false;
  return {
    update(r) {
      const payload = { epoch: r.epoch + 1, loss: fmt(r.loss), ips: r.imagesPerSecond.toFixed(0) };
      if (!started) {
        bar.start(r.totalSteps, r.step, payload);
        started = true;
      } else {
        bar.update(r.step, payload);
      }
    },
    message(line) {
      if (started) bar.stop();
      started = false;
      log(line);
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}
