import { dirname, isAbsolute, join, normalize, relative, resolve } from 'node:path';
import type { RebasedDep } from '../adapters/gcc/depfile-template.js';
import type { ProbeOrigin } from '../adapters/gcc/include-probes.js';
import type { KeyRebase } from './rebase-key-paths.js';
import { storedFromCwd, storedFromPwd, storedRelative, type CallDirs } from './stored-path.js';

export interface EntryPathsInput {
  dirs: CallDirs;
  rebase: KeyRebase;
  /** The depfile's prerequisites as the compiler spelled them. */
  deps: readonly string[];
  /** The include search chain as spelled (arguments, environment, the compiler's own directories). */
  chain: readonly string[];
  /** Where each probe path comes from (include-probes.ts), with the chain and inputs above resolved. */
  origins: ReadonlyMap<string, readonly ProbeOrigin[]>;
}

/** How the paths of one compile are stored; undefined where a path's meaning elsewhere is ambiguous. */
export interface EntryPaths {
  /** Parallel to `deps`. */
  inputs: Array<string | undefined>;
  /** For an absolute path the probes derived. */
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
 * - any other absolute one (system headers, literal paths) stays put;
 * - a probe path follows the directory or file it was derived from.
 * An absolute prerequisite under both a rebased root and a fixed search directory (a
 * toolchain inside the checkout), or a probe derived two ways that disagree, is
 * ambiguous: the caller then binds the entry to its directories.
 */
export function entryPaths(x: EntryPathsInput): EntryPaths {
  const { cwd, pwd } = x.dirs;
  const rebased = new Set<string>();
  for (const r of x.rebase.roots) rebased.add(r.dir ? r.path : dirname(r.path));
  const fixed = new Set<string>();
  const chain = x.chain.map((d): { abs: string; stored: string } => {
    if (!isAbsolute(d)) return { abs: resolve(cwd, d), stored: storedFromCwd(d) };
    if (rebased.has(d)) return { abs: d, stored: storedFromPwd(d, pwd) };
    fixed.add(resolve(d));
    return { abs: resolve(d), stored: resolve(d) };
  });

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
  const absDeps = x.deps.map((d) => resolve(cwd, d));

  const storedVia = (path: string, o: ProbeOrigin): string | undefined => {
    switch (o.from) {
      case 'literal':
        return path;
      case 'chain': {
        const c = chain[o.index];
        return c && under(c.abs, c.stored, path);
      }
      case 'input':
      case 'input-dir': {
        const stored = inputs[o.index];
        const abs = absDeps[o.index];
        if (stored === undefined || abs === undefined) return undefined;
        return o.from === 'input' ? under(abs, stored, path) : under(dirname(abs), dirname(stored), path);
      }
    }
  };

  return {
    inputs,
    probe(path) {
      const forms = new Set((x.origins.get(path) ?? []).map((o) => storedVia(path, o)));
      const [form] = forms;
      return forms.size === 1 ? form : undefined;
    },
    rebasedDep(dep) {
      if (!isAbsolute(dep) || absoluteKind(dep) !== 'rebased') return undefined;
      const root = ancestors(dep).find((p) => rebased.has(p) || x.rebase.roots.some((r) => r.path === p));
      return root === undefined ? undefined : { pwd: relative(pwd, root), rest: dep.slice(root.length) };
    },
  };
}

/** The stored form of `path`, reached from `base` (absolute) whose stored form is `stored`. */
function under(base: string, stored: string, path: string): string {
  if (stored.startsWith('/')) return path;
  // Both are resolved: a path below `base` is its tail (path.relative costs much more, per probe).
  const prefix = base === '/' ? '/' : `${base}/`;
  const tail = path.startsWith(prefix) ? path.slice(prefix.length) : path === base ? '' : relative(base, path);
  const rel = normalize(join(stored.length > 4 ? stored.slice(5) : '.', tail));
  return storedRelative(rel === '.' ? '' : rel, stored.startsWith('$CWD') ? 'cwd' : 'pwd');
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
