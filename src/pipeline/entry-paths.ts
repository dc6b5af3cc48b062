import { dirname, isAbsolute, normalize, relative, resolve } from 'node:path';
import type { RebasedDep } from '../adapters/gcc/depfile-template.js';
import type { KeyRebase } from './rebase-key-paths.js';
import { storedFromCwd, storedFromPwd, type CallDirs } from './stored-path.js';

export interface EntryPathsInput {
  dirs: CallDirs;
  rebase: KeyRebase;
  /** The depfile's prerequisites as the compiler spelled them. */
  deps: readonly string[];
  /** The include search chain as spelled (arguments, environment, the compiler's own directories). */
  chain: readonly string[];
  /** Absolute paths the sources name themselves (`__has_include("/x")`): they mean the same file anywhere. */
  literal: readonly string[];
}

/** How the paths of one compile are stored; undefined where a path's meaning elsewhere is ambiguous. */
export interface EntryPaths {
  /** Parallel to `deps`. */
  inputs: Array<string | undefined>;
  /** For an absolute path the probes derived (include-probes.ts). */
  probe(path: string): string | undefined;
  /** For the depfile: a prerequisite spelled under a rebased root, split at that root. */
  rebasedDep(dep: string): RebasedDep | undefined;
}

/**
 * Decides what each path of a compile means for a call in another directory with the same
 * direct key, and stores it so (stored-path.ts):
 * - a prerequisite spelled relative was opened from getcwd(), as it will be elsewhere;
 * - one spelled absolute under a root the key spells from $PWD (a rebased include dir,
 *   include file or source) moves with $PWD;
 * - any other absolute one (system headers, literal paths) stays put.
 * Derived paths (absent headers, `.gch` beside an input, names beside an includer) follow
 * the directory they were derived from. A path under two roots that would store it
 * differently is ambiguous: the caller then binds the entry to its directories.
 */
export function entryPaths(x: EntryPathsInput): EntryPaths {
  const { cwd, pwd } = x.dirs;
  // Absolute directory (or file) → the stored forms it was reached through.
  const roots = new Map<string, Set<string>>();
  const addRoot = (abs: string, stored: string | undefined): void => {
    const forms = roots.get(abs) ?? new Set<string>();
    forms.add(stored ?? '\0ambiguous');
    roots.set(abs, forms);
  };
  const rebased = new Set<string>();
  for (const r of x.rebase.roots) {
    const dir = r.dir ? r.path : dirname(r.path);
    rebased.add(dir).add(r.path);
    addRoot(dir, storedFromPwd(dir, pwd));
    addRoot(r.path, storedFromPwd(r.path, pwd));
  }
  const fixed = new Set<string>();
  for (const d of x.chain) {
    if (!isAbsolute(d)) addRoot(resolve(cwd, d), storedFromCwd(d));
    else if (!rebased.has(d)) {
      fixed.add(resolve(d));
      addRoot(resolve(d), resolve(d));
    }
  }

  /** Which kind of root an absolute spelled prerequisite hangs from: rebased, fixed, both, or neither. */
  const absoluteKind = (spelled: string): 'rebased' | 'fixed' | 'both' | undefined => {
    let kind: 'rebased' | 'fixed' | 'both' | undefined;
    for (const p of ancestors(spelled)) {
      const k = rebased.has(p) ? 'rebased' : fixed.has(p) ? 'fixed' : undefined;
      if (k) kind = kind === undefined || kind === k ? k : 'both';
    }
    return kind;
  };
  const inputs = x.deps.map((d): string | undefined => {
    if (!isAbsolute(d)) return storedFromCwd(d);
    const kind = absoluteKind(d);
    if (kind === 'both') return undefined;
    return kind === 'rebased' ? storedFromPwd(normalize(d), pwd) : normalize(d);
  });
  // Names beside an input are looked up in its directory as spelled.
  x.deps.forEach((d, i) => {
    const abs = resolve(cwd, d);
    const stored = inputs[i];
    addRoot(abs, stored);
    addRoot(dirname(abs), stored === undefined ? undefined : dirname(stored)); // a file's stored form ends in its name
  });
  for (const l of x.literal) addRoot(l, l);

  return {
    inputs,
    probe(path) {
      let found: string | undefined;
      for (const p of ancestors(path)) {
        for (const form of roots.get(p) ?? []) {
          if (form === '\0ambiguous') return undefined;
          const rest = path.slice(p.length);
          const stored = rest === '' ? form : form === '/' ? rest : `${form}${rest}`;
          if (found !== undefined && found !== stored) return undefined;
          found = stored;
        }
      }
      return found ?? path;
    },
    rebasedDep(dep) {
      if (!isAbsolute(dep) || absoluteKind(dep) !== 'rebased') return undefined;
      const root = ancestors(dep).find((p) => x.rebase.roots.some((r) => r.path === p || (!r.dir && dirname(r.path) === p)));
      return root === undefined ? undefined : { pwd: relative(pwd, root), rest: dep.slice(root.length) };
    },
  };
}

/** The path and each directory above it, as string prefixes (the spelling is kept: `a/sub/../x` has `a/sub`). */
function ancestors(path: string): string[] {
  const out = [path];
  for (let p = path; p !== '/' && p !== '.'; ) {
    const up = dirname(p);
    if (up === p) break;
    out.push(up);
    p = up;
  }
  return out.filter((p) => path === p || path.startsWith(p === '/' ? '/' : `${p}/`));
}
