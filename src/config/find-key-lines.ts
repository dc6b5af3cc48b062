/**
 * The line of each key in a TOML text, so errors and `reprise config show` can say
 * `config.toml:7`. smol-toml gives no positions, so this is a line scan that knows table
 * headers, arrays of tables (`[[remote]]` → `remote[1]`, `remote[2]`), dotted keys and
 * multi-line strings; a key it cannot place is simply missing (the key name still says where).
 */
export function findKeyLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  const arrayCounts = new Map<string, number>();
  let table = '';
  let inMultiline: string | undefined;
  const note = (key: string, line: number): void => void (lines.has(key) || lines.set(key, line));

  text.split('\n').forEach((raw, i) => {
    const lineNo = i + 1;
    const line = raw.trim();
    if (inMultiline !== undefined) {
      if (count(line, inMultiline) % 2 === 1) inMultiline = undefined;
      return;
    }
    const arrayHeader = /^\[\[\s*([^\]]+?)\s*\]\]/.exec(line);
    const header = arrayHeader ? undefined : /^\[\s*([^\]]+?)\s*\]/.exec(line);
    if (arrayHeader) {
      const name = dotted(arrayHeader[1]!);
      const n = (arrayCounts.get(name) ?? 0) + 1;
      arrayCounts.set(name, n);
      table = `${name}[${n}]`;
      return note(table, lineNo);
    }
    if (header) {
      table = inArray(dotted(header[1]!), arrayCounts);
      return note(table, lineNo);
    }
    const key = /^((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*=(.*)$/.exec(line);
    if (!key) return;
    note(table === '' ? dotted(key[1]!) : `${table}.${dotted(key[1]!)}`, lineNo);
    for (const q of ['"""', "'''"]) if (count(key[2]!, q) % 2 === 1) inMultiline = q;
  });
  return lines;
}

function count(s: string, sub: string): number {
  return s.split(sub).length - 1;
}

/** `a . "b"` → `a.b` (quotes dropped; a quoted key with a dot in it stays ambiguous, which only costs a line number). */
function dotted(key: string): string {
  return key.split(/\s*\.\s*(?=(?:[^"']|"[^"]*"|'[^']*')*$)/).map((p) => p.replace(/^["'](.*)["']$/, '$1')).join('.');
}

/** `[remote.headers]` after `[[remote]]` belongs to the last remote: `remote[2].headers`. */
function inArray(name: string, arrayCounts: Map<string, number>): string {
  for (const [array, n] of arrayCounts) if (name === array || name.startsWith(`${array}.`)) return `${array}[${n}]${name.slice(array.length)}`;
  return name;
}
