/** What the direct mode must know about a source or header beyond its digest. */
export interface ContentScan {
  /** __DATE__, __TIME__ or __TIMESTAMP__: the output depends on the clock. */
  timeMacro: boolean;
  /** `#pragma GCC dependency`, or `GCC dependency` spelled for `_Pragma`: a warning (an error with -Werror) depends on two files' mtimes. */
  mtimeDependency: boolean;
  /** `#include_next` or `__has_include_next`: where the search resumes depends on which search directories the compiler merged. */
  includeNext: boolean;
  /** Names in `#include "..."`: searched first in this file's own directory. */
  quoteIncludes: string[];
  /** Names of either form with a `..` segment: not below the directory they are found in, so the chain cannot tell where they would be shadowed. */
  climbingIncludes: Array<{ name: string; quoted: boolean }>;
  /** `#include MACRO`: the form (and so the search order) is unknown. */
  computedInclude: boolean;
  /** Names probed with __has_include / __has_include_next, and whether quoted. */
  probes: Array<{ name: string; quoted: boolean }>;
  /** A __has_include whose argument is not a literal name: we cannot know what it probes. */
  computedProbe: boolean;
}

/** The preprocessor's clock macros (C's, and ghc's CPP, which is gcc's). */
export const TIME_MACRO = /__(?:DATE|TIME|TIMESTAMP)__/;
// `#pragma GCC dependency`, and the same pragma spelled in a string: `_Pragma("GCC dependency \"f\"")`,
// or built by a macro that stringizes `GCC dependency "f"` (both a stale hit before).
export const PRAGMA_DEPENDENCY = /(?:GCC|clang)(?:\s|\\\n)+dependency\b/;
const INCLUDE_NEXT = /include_next/;
// The directive's whole name (include_next before include, and no identifier character after it):
// `#include_next <x.h>` once read as `#include` with a macro `_next`, a computed include.
const INCLUDE = /^[ \t]*#[ \t]*(?:include_next|include|import)(?![\w$])[ \t]*(?:"([^"\n]+)"|<([^>\n]+)>|([A-Za-z_]))/gm;
const CLIMBS = /(?:^|\/)\.\.(?:\/|$)/;
const PROBE = /__has_include(?:_next)?\s*\(\s*(?:<([^>\n]+)>|"([^"\n]+)"|([^)\n]*))\)/g;

/** Scans bytes once per content (memoised with the digest). Comments are scanned too, which only errs toward caution. */
export function scanContent(content: Buffer): ContentScan {
  const text = content.toString('latin1');
  const scan: ContentScan = { timeMacro: TIME_MACRO.test(text), mtimeDependency: PRAGMA_DEPENDENCY.test(text), includeNext: INCLUDE_NEXT.test(text), quoteIncludes: [], climbingIncludes: [], computedInclude: false, probes: [], computedProbe: false };
  for (const m of text.matchAll(INCLUDE)) {
    const name = m[1] ?? m[2];
    if (m[1] !== undefined) scan.quoteIncludes.push(m[1]);
    else if (m[3] !== undefined) scan.computedInclude = true;
    if (name !== undefined && CLIMBS.test(name)) scan.climbingIncludes.push({ name, quoted: m[1] !== undefined });
  }
  if (!text.includes('__has_include')) return scan;
  for (const m of text.matchAll(PROBE)) {
    if (m[1] !== undefined) scan.probes.push({ name: m[1].trim(), quoted: false });
    else if (m[2] !== undefined) scan.probes.push({ name: m[2].trim(), quoted: true });
    else scan.computedProbe = true;
  }
  // `defined(__has_include)` names the operator without calling it; other bare uses are unknowable.
  const calls = text.match(/__has_include(?:_next)?\s*\(/g)?.length ?? 0;
  if (calls > scan.probes.length + (scan.computedProbe ? 1 : 0)) scan.computedProbe = true;
  return scan;
}
