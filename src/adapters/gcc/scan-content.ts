/** What the direct mode must know about a source or header beyond its digest. */
export interface ContentScan {
  /** __DATE__, __TIME__ or __TIMESTAMP__: the output depends on the clock. */
  timeMacro: boolean;
  /** Names probed with __has_include / __has_include_next: their absence is an input too. */
  probedNames: string[];
  /** A __has_include whose argument is not a literal name (a macro): we cannot know what it probes. */
  computedProbe: boolean;
}

const TIME = /__(?:DATE|TIME|TIMESTAMP)__/;
const PROBE = /__has_include(?:_next)?\s*\(\s*(?:<([^>\n]+)>|"([^"\n]+)"|([^)\n]*))\)/g;

/** Scans bytes once per content (memoised with the digest); comments are scanned too, which only errs toward caution. */
export function scanContent(content: Buffer): ContentScan {
  const text = content.toString('latin1');
  const scan: ContentScan = { timeMacro: TIME.test(text), probedNames: [], computedProbe: false };
  if (!text.includes('__has_include')) return scan;
  for (const m of text.matchAll(PROBE)) {
    const name = m[1] ?? m[2];
    if (name !== undefined) scan.probedNames.push(name.trim());
    else scan.computedProbe = true;
  }
  // `#if defined(__has_include)` and friends name the operator without calling it.
  const calls = text.match(/__has_include(?:_next)?\s*\(/g)?.length ?? 0;
  if (calls > scan.probedNames.length + (scan.computedProbe ? 1 : 0)) scan.computedProbe = true;
  return scan;
}
