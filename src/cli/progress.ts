import type { WriteStream } from 'node:tty';

export interface Progress {
  /** What to show after the elapsed time (a count, a size). */
  update(detail: string): void;
  /** Erases the line. */
  done(): void;
}

const FRAMES = ['|', '/', '-', '\\'];
const REDRAW_MS = 150;

/**
 * One self-erasing status line on a terminal (`label`, elapsed time, detail), redrawn while a
 * long command works; nothing at all when the stream is not a terminal (a pipe, a CI log).
 */
export function createProgress(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return { update: () => undefined, done: () => undefined };
  const tty = stream as WriteStream;
  const started = Date.now();
  let detail = '';
  let frame = 0;
  const draw = (): void => {
    const line = `${FRAMES[frame++ % FRAMES.length]} ${label} ${((Date.now() - started) / 1000).toFixed(1)} s${detail ? `, ${detail}` : ''}`;
    tty.write(`\r\x1b[K${line.slice(0, Math.max(10, (tty.columns || 80) - 1))}`);
  };
  draw();
  const timer = setInterval(draw, REDRAW_MS);
  return {
    update(d) {
      detail = d;
    },
    done() {
      clearInterval(timer);
      tty.write('\r\x1b[K');
    },
  };
}
