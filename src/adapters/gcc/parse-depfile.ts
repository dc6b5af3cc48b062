/**
 * Reads a make rule as gcc and clang write it (`target: dep dep \` with `\ ` for spaces,
 * `$$` for `$`, `\#` for `#`) and returns the prerequisites, in order, without duplicates.
 * Several rules (with -MP, phony `header:` rules) are allowed; only prerequisites count.
 */
export function parseDepfile(text: string): string[] {
  const deps: string[] = [];
  const seen = new Set<string>();
  const joined = text.replace(/\\\r?\n/g, ' ');
  for (const line of joined.split(/\r?\n/)) {
    const words = splitMakeWords(line);
    const colon = words.findIndex((w) => w.endsWith(':') && !w.endsWith('\\:'));
    if (colon < 0) continue;
    const last = words[colon]!;
    // "target:dep" glued together is rare but legal.
    const rest = words.slice(colon + 1);
    if (last.length > 1 && !last.endsWith(':')) rest.unshift(last.slice(last.indexOf(':') + 1));
    for (const w of rest) {
      if (w !== '' && !seen.has(w)) {
        seen.add(w);
        deps.push(w);
      }
    }
  }
  return deps;
}

/** Splits one make line (continuations joined) into words, undoing gcc's and clang's quoting. */
export function splitMakeWords(line: string): string[] {
  const words: string[] = [];
  let cur = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '\\' && (line[i + 1] === ' ' || line[i + 1] === '#' || line[i + 1] === '\\')) {
      cur += line[++i]!;
    } else if (c === '$' && line[i + 1] === '$') {
      cur += '$';
      i++;
    } else if (c === ' ' || c === '\t') {
      if (cur !== '') words.push(cur);
      cur = '';
    } else {
      cur += c;
    }
  }
  if (cur !== '') words.push(cur);
  return words;
}
