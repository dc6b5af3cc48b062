/** What rustc's dep-info says a compile read. */
export interface RustDepInfo {
  /** Every prerequisite, as spelled (relative to the working directory or absolute), in order, once each. */
  files: string[];
  /** `# env-dep:NAME=VALUE` (value null: `# env-dep:NAME`, read while unset). */
  env: Array<{ name: string; value: string | null }>;
}

/**
 * Parses rustc's dep-info: make rules whose paths escape spaces as `\ `, then comment lines
 * `# env-dep:NAME=VALUE` whose values escape `\`, newline and carriage return as `\\`,
 * `\n` and `\r`. Other comments (checksums) are skipped. Undefined when it has no rule.
 */
export function parseRustDepInfo(text: string): RustDepInfo | undefined {
  const files: string[] = [];
  const seen = new Set<string>();
  const env = new Map<string, string | null>();
  let rules = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) {
      const m = /^# env-dep:([^=]*)(?:=(.*))?$/.exec(line);
      if (m) env.set(m[1]!, m[2] === undefined ? null : unescapeEnv(m[2]));
      continue;
    }
    const words = splitEscaped(line);
    if (words.length === 0) continue;
    const target = words[0]!;
    if (!target.endsWith(':')) return undefined;
    rules++;
    for (const w of words.slice(1)) {
      if (seen.has(w)) continue;
      seen.add(w);
      files.push(w);
    }
  }
  if (rules === 0) return undefined;
  return { files, env: [...env].map(([name, value]) => ({ name, value })) };
}

/** Words separated by unescaped spaces; `\ ` is a space inside a word. */
function splitEscaped(line: string): string[] {
  const words: string[] = [];
  let cur = '';
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === '\\' && line[i + 1] === ' ') {
      cur += ' ';
      i++;
    } else if (ch === ' ') {
      if (cur !== '') words.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur !== '') words.push(cur);
  return words;
}

function unescapeEnv(v: string): string {
  return v.replace(/\\([\\nr])/g, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : '\\'));
}
