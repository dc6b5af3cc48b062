import { peekFile, takeFile } from '../runtime/take-file.js';

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
  return parseFallbacks(peekFile(path));
}

/** Takes the file's entries and removes it (takeFile). */
export function takeFallbacks(path: string): FallbackEntry[] {
  return parseFallbacks(takeFile(path));
}
