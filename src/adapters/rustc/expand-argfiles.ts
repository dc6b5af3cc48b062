export type ExpandedArgfiles = { args: string[] } | { error: string };

/**
 * Expands `@path` arguments as rustc does: the file's lines replace the argument, one
 * argument per line, with no quoting and no nesting. `readFile` gets an absolute path and
 * returns undefined when it cannot read it (rustc then fails, and so do we: uncacheable).
 * `@shell:path` (unstable shell-style splitting) is not modelled.
 */
export function expandArgfiles(args: readonly string[], readFile: (path: string) => string | undefined, cwd: string): ExpandedArgfiles {
  const out: string[] = [];
  for (const a of args) {
    if (!a.startsWith('@')) {
      out.push(a);
      continue;
    }
    const name = a.slice(1);
    if (name.startsWith('shell:')) return { error: `${a}: shell-style argfiles are unstable` };
    const text = readFile(name.startsWith('/') ? name : `${cwd.replace(/\/+$/, '')}/${name}`);
    if (text === undefined) return { error: `${a}: cannot read` };
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    out.push(...lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l)));
  }
  return { args: out };
}
