/**
 * Sweep progress for the terminal: a cli-progress bar (items done, ETA) on a TTY, and one plain line per
 * finished item otherwise (logs and CI keep every line; a redrawn bar would be noise there). The item is a
 * point, or (what the CLI counts) a run: one point under one seed. Runs finish out of order across worker
 * threads; counting them as they finish keeps the bar moving instead of waiting for a point's last seed.
 */
import { SingleBar } from 'cli-progress';

export interface Progress {
  update(done: number, total: number): void;
  stop(): void;
}

export type ProgressUnit = 'point' | 'run';

/** Nothing at all (--quiet). */
export const silentProgress: Progress = { update() {}, stop() {} };

export function createProgress(isTTY: boolean, write: (s: string) => void, unit: ProgressUnit = 'point'): Progress {
  return isTTY ? barProgress(write, unit) : lineProgress(write, unit);
}

function barProgress(write: (s: string) => void, unit: ProgressUnit): Progress {
  // cli-progress drives a stream; this one forwards to `write` and claims a TTY so the bar is drawn.
  const stream = {
    isTTY: true,
    columns: process.stderr.columns || 80,
    write(s: string): boolean {
      write(s);
      return true;
    },
  };
  const bar = new SingleBar({
    stream: stream as unknown as NodeJS.WritableStream,
    format: `sweep [{bar}] {value}/{total} ${unit}s | {percentage}% | elapsed {duration_formatted} | ETA {eta_formatted}`,
    hideCursor: true,
    etaBuffer: 20,
    fps: 5,
  });
  let started = false;
  return {
    update(done, total) {
      if (!started) {
        bar.start(total, done);
        started = true;
      } else {
        bar.setTotal(total);
        bar.update(done);
      }
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}

function lineProgress(write: (s: string) => void, unit: ProgressUnit): Progress {
  let first: { done: number; at: number } | undefined;
  let last = -1;
  return {
    update(done, total) {
      const now = Date.now();
      if (first === undefined) {
        first = { done, at: now };
        if (done > 0) write(`resuming: ${done}/${total} ${unit}s already done\n`);
      }
      if (done === last || done === first.done) return;
      last = done;
      const elapsed = (now - first.at) / 1000;
      const rate = (done - first.done) / Math.max(elapsed, 1e-3);
      const eta = rate > 0 ? (total - done) / rate : NaN;
      const pct = Math.floor((100 * done) / total);
      write(
        `${unit} ${done}/${total} done (${pct}%, elapsed ${formatSeconds(elapsed)}, ETA ${done === total ? '0s' : formatSeconds(eta)})\n`,
      );
    },
    stop() {},
  };
}

/** 75 → "1m15s"; 3725 → "1h02m05s". */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const t = Math.round(s);
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const sec = t % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m${String(sec).padStart(2, '0')}s`;
  if (m > 0) return `${m}m${String(sec).padStart(2, '0')}s`;
  return `${sec}s`;
}
