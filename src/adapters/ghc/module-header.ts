/** Characters that continue a `--` into an operator (`-->` is not a comment). */
const SYMBOL = /[!#$%&*+./<=>?@\\^|~:]/;

/**
 * The module name a Haskell source declares (`Main` when it has no header), read past
 * comments and pragmas; `cpp` when a preprocessor line comes first (the name may depend
 * on it), undefined when the header cannot be read.
 */
export function moduleHeader(text: string): string | 'cpp' | undefined {
  let i = 0;
  const n = text.length;
  if (text.startsWith('#!')) i = lineEnd(text, 0);
  for (;;) {
    while (i < n && /\s/.test(text[i]!)) i++;
    if (text.startsWith('--', i)) {
      let j = i;
      while (text[j] === '-') j++;
      if (j < n && SYMBOL.test(text[j]!)) break;
      i = lineEnd(text, i);
      continue;
    }
    if (text.startsWith('{-', i)) {
      const end = blockEnd(text, i);
      if (end < 0) return undefined;
      i = end;
      continue;
    }
    if (text[i] === '#' && (i === 0 || text[i - 1] === '\n')) return 'cpp';
    break;
  }
  const m = /^module\s+([A-Z][\w']*(?:\.[A-Z][\w']*)*)(?![\w'.])/.exec(text.slice(i, i + 512));
  if (m) return m[1]!;
  return /^module\b/.test(text.slice(i, i + 16)) ? undefined : 'Main';
}

function lineEnd(text: string, i: number): number {
  const e = text.indexOf('\n', i);
  return e < 0 ? text.length : e + 1;
}

/** The index after a (nested) block comment starting at i, or -1 when it never ends. */
function blockEnd(text: string, i: number): number {
  let depth = 0;
  while (i < text.length) {
    if (text.startsWith('{-', i)) {
      depth++;
      i += 2;
    } else if (text.startsWith('-}', i)) {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else i++;
  }
  return -1;
}

/** Whether the source exports functions to C (`foreign export`): ghc then writes a `_stub.h`. */
export function hasForeignExport(text: string): boolean {
  return /^[ \t]*foreign[ \t]+export\b/m.test(text);
}
