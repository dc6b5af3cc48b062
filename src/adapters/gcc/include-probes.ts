import { dirname, isAbsolute, join, relative, sep } from 'node:path';

export interface ProbeInput {
  /** Every file the compile read (absolute), the source first. */
  inputs: readonly string[];
  /** Every directory the preprocessor may search, in order: -iquote, -I, -isystem, system, -idirafter; existing or not. */
  chain: readonly string[];
  /** Names passed to __has_include in any input. */
  probedNames: readonly string[];
}

/**
 * The paths that must stay absent for the compile to read the same files again (the hole
 * in ccache's direct mode: a new header in an earlier -I directory). For each header, its
 * name relative to every chain directory that holds it is looked up in every directory
 * searched before that one, and in every includer's directory (a quoted #include looks
 * there first). We do not know which #include form or includer was used, so we take all:
 * an extra probe costs a stat, a missing one could cost a wrong hit.
 */
export function includeProbes(p: ProbeInput): string[] {
  const inputs = new Set(p.inputs);
  const includerDirs = [...new Set(p.inputs.map((f) => dirname(f)))];
  const probes = new Set<string>();
  const add = (path: string): void => {
    if (!inputs.has(path)) probes.add(path);
  };
  // gcc silently reads x.h.gch instead of x.h when it exists beside it.
  for (const f of p.inputs) add(`${f}.gch`);
  for (const header of p.inputs.slice(1)) {
    for (let i = 0; i < p.chain.length; i++) {
      const rel = under(p.chain[i]!, header);
      if (rel === undefined) continue;
      for (let j = 0; j < i; j++) add(join(p.chain[j]!, rel));
      for (const d of includerDirs) add(join(d, rel));
    }
  }
  // A name probed with __has_include and not found anywhere is absent from the inputs; its
  // appearance in any searched place would change the preprocessing.
  for (const name of p.probedNames) {
    if (isAbsolute(name)) {
      add(name);
      continue;
    }
    for (const d of [...includerDirs, ...p.chain]) add(join(d, name));
  }
  return [...probes].sort();
}

function under(dir: string, file: string): string | undefined {
  const rel = relative(dir, file);
  return rel !== '' && !rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel) ? rel : undefined;
}
