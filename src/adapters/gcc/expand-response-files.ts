/** Limits: deeper nesting or more files is an error (gcc itself stops after 2000 @-files). */
export const RESPONSE_FILE_MAX_DEPTH = 16;
export const RESPONSE_FILE_MAX_FILES = 2000;

export type ExpandedArgs = { args: string[] } | { error: string };

/**
 * Expands `@file` arguments the way gcc's driver does (libiberty expandargv): the file's
 * words replace the argument, and @-words inside it are expanded in turn. A file that
 * cannot be read leaves the literal `@file` in place, as gcc does. Nested names are
 * resolved against the caller's cwd, not the including file's directory (gcc; clang
 * differs). `readFile` gets an absolute path and returns undefined when it cannot read
 * it (missing, a directory, no permission), so this stays pure and testable.
 */
export function expandResponseFiles(args: readonly string[], readFile: (path: string) => string | undefined, cwd: string): ExpandedArgs {
  let files = 0;
  const expand = (words: readonly string[], depth: number): string[] | string => {
    const out: string[] = [];
    for (const word of words) {
      const name = word.startsWith('@') ? word.slice(1) : '';
      const text = name === '' ? undefined : readFile(name.startsWith('/') ? name : `${cwd.replace(/\/+$/, '')}/${name}`);
      if (text === undefined) {
        out.push(word);
        continue;
      }
      if (depth >= RESPONSE_FILE_MAX_DEPTH) return `${word}: response files nested deeper than ${RESPONSE_FILE_MAX_DEPTH}`;
      if (++files > RESPONSE_FILE_MAX_FILES) return `more than ${RESPONSE_FILE_MAX_FILES} response files`;
      const inner = expand(splitResponseFile(text), depth + 1);
      if (typeof inner === 'string') return inner;
      out.push(...inner);
    }
    return out;
  };
  const result = expand(args, 0);
  return typeof result === 'string' ? { error: result } : { args: result };
}

const WHITESPACE = new Set([' ', '\t', '\n', '\v', '\f', '\r']);

/**
 * libiberty's buildargv: words split on whitespace; '…' and "…" quote; a backslash
 * takes the next character literally, inside quotes too. An unterminated quote runs to
 * the end. Empty quotes make an empty word; a file of only whitespace makes none. The
 * text ends at a NUL, as a C string does.
 */
export function splitResponseFile(text: string): string[] {
  const nul = text.indexOf('\0');
  const input = nul === -1 ? text : text.slice(0, nul);
  const words: string[] = [];
  let i = 0;
  const skipWhitespace = (): void => {
    while (i < input.length && WHITESPACE.has(input[i]!)) i += 1;
  };
  skipWhitespace();
  while (i < input.length) {
    let word = '';
    let single = false;
    let double = false;
    let escaped = false;
    for (; i < input.length; i += 1) {
      const c = input[i]!;
      if (WHITESPACE.has(c) && !single && !double && !escaped) break;
      if (escaped) {
        escaped = false;
        word += c;
      } else if (c === '\\') escaped = true;
      else if (single) {
        if (c === "'") single = false;
        else word += c;
      } else if (double) {
        if (c === '"') double = false;
        else word += c;
      } else if (c === "'") single = true;
      else if (c === '"') double = true;
      else word += c;
    }
    words.push(word);
    skipWhitespace();
  }
  return words;
}
