import { setTimeout as sleep } from 'node:timers/promises';
import { START_MARGIN_MS } from './window-start-ns.js';

/** When the daemon last wrote an output where a build reads it (write-output.ts), by Date.now(). */
let lastWriteMs = 0;

/** Called after every output the daemon writes for a caller. */
export function noteOutputWrite(): void {
  lastWriteMs = Date.now();
}

/**
 * Resolves once the daemon's last output write lies before the window a compile started now
 * would check (windowStartNs). A compile that reads a file the daemon has just written (a
 * split --make's module reading the interface of the one before) then finds it unchanged
 * within its window, so any input whose time falls inside the window was written by
 * someone else during the compile: not stored, with no hashing after the fact to excuse it.
 */
export async function outputWritesSettled(): Promise<void> {
  // Timers count whole milliseconds on the event loop's clock and can fire before Date.now()
  // has moved by their delay; a write made meanwhile moves the mark. So look again each time.
  for (let wait: number; (wait = lastWriteMs + START_MARGIN_MS + 1 - Date.now()) > 0; ) await sleep(wait);
}
