import type { RustCrateType, RustEmit } from './types.js';

export interface OutputNaming {
  crateName: string;
  /** -C extra-filename (cargo's `-<hash>`), or ''. */
  extraFilename: string;
  crateTypes: readonly RustCrateType[];
  /** Each emitted kind, with its explicit path (`--emit=kind=PATH`) if given. */
  emits: ReadonlyMap<RustEmit, string | undefined>;
  /** --out-dir, or undefined for the working directory. */
  outDir: string | undefined;
}

/** What `--emit=link` writes for each crate type on a Linux target. */
const LINK_NAME: Record<RustCrateType, (stem: string) => string> = {
  lib: (s) => `lib${s}.rlib`,
  rlib: (s) => `lib${s}.rlib`,
  staticlib: (s) => `lib${s}.a`,
  dylib: (s) => `lib${s}.so`,
  cdylib: (s) => `lib${s}.so`,
  'proc-macro': (s) => `lib${s}.so`,
  bin: (s) => s,
};

/**
 * The files rustc writes for a compile without -o (rustc's OutputFilenames): each in
 * --out-dir (or the working directory) named from the crate name and -C extra-filename,
 * unless `--emit=kind=PATH` names it. Order: link outputs by crate type, then metadata,
 * then dep-info. Roles name what each file is, so a result lines up with its call.
 */
export function rustOutputs(n: OutputNaming): Array<{ role: string; path: string }> {
  const stem = `${n.crateName}${n.extraFilename}`;
  const at = (name: string): string => (n.outDir === undefined ? name : `${n.outDir.replace(/\/+$/, '')}/${name}`);
  const out: Array<{ role: string; path: string }> = [];
  if (n.emits.has('link')) {
    const explicit = n.emits.get('link');
    const seen = new Set<string>();
    for (const t of n.crateTypes) {
      const name = LINK_NAME[t](stem);
      if (seen.has(name)) continue; // lib and rlib name one file
      seen.add(name);
      out.push({ role: `link:${t === 'lib' ? 'rlib' : t}`, path: explicit ?? at(name) });
    }
  }
  if (n.emits.has('metadata')) out.push({ role: 'metadata', path: n.emits.get('metadata') ?? at(`lib${stem}.rmeta`) });
  if (n.emits.has('dep-info')) out.push({ role: 'dep-info', path: n.emits.get('dep-info') ?? at(`${stem}.d`) });
  return out;
}
