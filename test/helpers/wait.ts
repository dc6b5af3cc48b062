import { processAlive } from '../../src/runtime/process-alive.js';

/** Polls until `check` holds or the time runs out (then throws with `what`). */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000, stepMs = 20): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Whether a process still runs (a zombie does not). */
export const isAlive = processAlive;
