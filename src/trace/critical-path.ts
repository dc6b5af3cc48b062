import type { CallEvent } from '../calls/types.js';

/**
 * The calls on the build's critical path, by sequence number. A build tool does not tell us
 * what waited for what, so this is the usual estimate from times alone: start at the call
 * that ended last, and step back each time to the call that ended last before the current
 * one started (what it most likely waited for), until none did. Shortening any call on it
 * shortens the build, unless other work fills the gap.
 */
export function criticalPath(calls: readonly CallEvent[]): Set<number> {
  const byEnd = [...calls].sort((a, b) => a.end - b.end);
  const path = new Set<number>();
  let i = byEnd.length - 1;
  let current = byEnd[i];
  while (current) {
    path.add(current.seq);
    const start = current.start;
    while (i >= 0 && byEnd[i]!.end > start) i--;
    current = i >= 0 ? byEnd[i] : undefined;
  }
  return path;
}
