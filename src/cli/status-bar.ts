import type { WriteStream } from 'node:tty';
import type { Progress } from './progress.js';

const REDRAW_MS = 250;
const ESC = '\x1b';
const SAVE = `${ESC}7`;
const RESTORE = `${ESC}8`;

/**
 * A status line pinned to the terminal's bottom row while a command's own output scrolls
 * above it, as apt shows its progress under dpkg's messages: the rows above are made the
 * scroll region (DECSTBM), so a child writing straight to the terminal never draws over the
 * line and the line never draws over the child. Nothing at all off a terminal, or on one too
 * small or `dumb`. `done` gives the row back and erases the line.
 */
export function createStatusBar(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  const tty = stream as WriteStream;
  if (!stream.isTTY || process.env.TERM === 'dumb' || !(tty.rows >= 3)) return { update: () => undefined, done: () => undefined };
  const started = Date.now();
  let rows = tty.rows;
  let detail = '';
  // The newline keeps the line the cursor is on from being covered when the region shrinks.
  const claim = (): void => void tty.write(`\n${SAVE}${ESC}[1;${rows - 1}r${RESTORE}${ESC}[1A`);
  const draw = (): void => {
    const line = `${label} ${((Date.now() - started) / 1000).toFixed(0)} s${detail ? `, ${detail}` : ''}`;
    tty.write(`${SAVE}${ESC}[${rows};1H${ESC}[2K${line.slice(0, Math.max(10, (tty.columns || 80) - 1))}${RESTORE}`);
  };
  const resized = (): void => {
    if (!(tty.rows >= 3)) return;
    tty.write(`${SAVE}${ESC}[r${RESTORE}`);
    rows = tty.rows;
    claim();
    draw();
  };
  claim();
  draw();
  const timer = setInterval(draw, REDRAW_MS);
  tty.on('resize', resized);
  return {
    update(d) {
      detail = d;
    },
    done() {
      clearInterval(timer);
      tty.off('resize', resized);
      tty.write(`${SAVE}${ESC}[r${RESTORE}${SAVE}${ESC}[${rows};1H${ESC}[2K${RESTORE}`);
    },
  };
}
