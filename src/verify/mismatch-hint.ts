import { basename } from 'node:path';
import type { VerifyHint } from './types.js';

/** One output or stream that differed: what the hit replayed, the fresh compile's bytes, and a second fresh compile's (when it ran). */
export interface DifferingBytes {
  cached: Buffer;
  fresh: Buffer;
  again: Buffer | undefined;
}

// __DATE__ ("Jan  5 2026"), __TIME__ ("12:34:56"); __TIMESTAMP__ holds both.
const TIMESTAMP = /(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ 0-3]\d \d{4}|[0-2]\d:[0-5]\d:[0-5]\d/g;
// An absolute path of two or more parts that does not continue a relative one.
const ABSOLUTE_PATH = /(?<![\w.+/-])\/[\w.+-]+(?:\/[\w.+-]+)+/g;

/**
 * The likeliest cause of a verified hit that differs from a fresh compile, with what the
 * guess rests on. In order: a fresh compile that failed; two fresh compiles that differ
 * from each other (dates or times in what differs: a timestamp macro, else the compiler is
 * nondeterministic); dates or times only the stored side holds; a file named at another
 * path; and last, fresh compiles that agree while the stored result does not: a poisoned entry.
 */
export function mismatchHint(diffs: DifferingBytes[], freshFailed: boolean): { hint: VerifyHint; detail?: string } {
  if (freshFailed) return { hint: 'fresh-compile-failed' };
  const unstable = diffs.filter((d) => d.again !== undefined && !d.again.equals(d.fresh));
  for (const d of unstable) {
    const t = onlyOneSide(d.fresh, d.again!, TIMESTAMP);
    if (t) return { hint: 'timestamp-macro', detail: `${t.text} in one fresh compile only` };
  }
  if (unstable.length > 0) return { hint: 'compiler-nondeterminism' };
  for (const d of diffs) {
    const t = onlyOneSide(d.cached, d.fresh, TIMESTAMP);
    if (t) return { hint: 'timestamp-macro', detail: `${t.text} in the ${t.side === 'a' ? 'stored' : 'fresh'} bytes only` };
  }
  for (const d of diffs) {
    const moved = movedPath(d.cached, d.fresh);
    if (moved) return { hint: 'absolute-path', detail: `stored ${moved.stored}, fresh ${moved.fresh}` };
  }
  return { hint: 'poisoned-entry' };
}

function matches(data: Buffer, re: RegExp): Set<string> {
  return new Set(data.toString('latin1').match(re) ?? []);
}

function onlyOneSide(a: Buffer, b: Buffer, re: RegExp): { text: string; side: 'a' | 'b' } | undefined {
  const [inA, inB] = [matches(a, re), matches(b, re)];
  for (const t of inA) if (!inB.has(t)) return { text: t, side: 'a' };
  for (const t of inB) if (!inA.has(t)) return { text: t, side: 'b' };
  return undefined;
}

/** A file named by a path only the stored side holds, and at another path only the fresh side holds (the same last part). */
function movedPath(cached: Buffer, fresh: Buffer): { stored: string; fresh: string } | undefined {
  const [inCached, inFresh] = [matches(cached, ABSOLUTE_PATH), matches(fresh, ABSOLUTE_PATH)];
  const freshOnly = new Map<string, string>();
  for (const p of inFresh) if (!inCached.has(p)) freshOnly.set(basename(p), p);
  for (const p of inCached) {
    if (inFresh.has(p)) continue;
    const there = freshOnly.get(basename(p));
    if (there) return { stored: p, fresh: there };
  }
  return undefined;
}

/** How reports name each hint (docs/verify.md explains them). */
export const HINT_TEXT: Record<VerifyHint, string> = {
  'compiler-nondeterminism': 'compiler nondeterminism (two fresh compiles differ from each other)',
  'timestamp-macro': 'a timestamp macro (__DATE__, __TIME__ or __TIMESTAMP__ reached the output)',
  'absolute-path': 'an absolute path (the stored output names a file where another directory has it)',
  'fresh-compile-failed': 'the fresh compile failed in the sandbox (an input it was not shown?)',
  'poisoned-entry': 'a poisoned entry (fresh compiles agree with each other; the stored result differs)',
};
