import { readFileSync } from 'node:fs';

/**
 * Whether a process still runs. A zombie does not: it has exited and waits only for its parent
 * to collect it, and a daemon's parent is init, which in a container may reap late or never.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false; // gone between the two looks
  }
}
