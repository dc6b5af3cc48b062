import { readFileSync, renameSync, unlinkSync } from 'node:fs';

export interface FallbackEntry {
  tool: string;
  reason: string;
}

/** Parses the shims' `fallbacks` file: one `TOOL REASON` line per fallback; junk lines are skipped. */
export function parseFallbacks(text: string): FallbackEntry[] {
  const out: FallbackEntry[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\S{1,255}) ([a-z0-9-]{1,64})$/.exec(line);
    if (m) out.push({ tool: m[1]!, reason: m[2]! });
  }
  return out;
}

/** Reads the file without consuming it (for `reprise stats` when no daemon runs). */
export function peekFallbacks(path: string): FallbackEntry[] {
  try {
    return parseFallbacks(readFileSync(path, 'latin1'));
  } catch {
    return [];
  }
}

/**
 * Takes the file's entries and removes them. The rename is atomic, so a shim appending at
 * the same moment writes either to the taken file or to a new one, never lost between.
 */
export function takeFallbacks(path: string): FallbackEntry[] {
  const taken = `${path}.${process.pid}.taken`;
  try {
    renameSync(path, taken);
  } catch {
    return [];
  }
  const entries = peekFallbacks(taken);
  try {
    unlinkSync(taken);
  } catch {
    /* removed already */
  }
  return entries;
}
