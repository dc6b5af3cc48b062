import { lstatSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, normalize, resolve } from 'node:path';
import type { ContentScan } from '../adapters/gcc/scan-content.js';

/**
 * Whether the kernel resolves `rel` (from the directory `base`) elsewhere than its lexical
 * normal form: `link/..` steps out of the link's target, not back to where the link sits.
 * Inputs, probes and manifests name files lexically, so such a path would key one file
 * while the compiler reads another (or search a directory no probe watches). `base` must
 * be a path the kernel resolves as written: getcwd(), or a path already checked.
 */
export function climbsOutOfSymlink(base: string, rel: string): boolean {
  const parts = rel.split('/');
  if (!parts.includes('..')) return false;
  const full = isAbsolute(rel) ? rel : `${base}/${rel}`;
  let cur = '/';
  let crossed = false;
  for (const seg of full.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg !== '..') cur = cur === '/' ? `/${seg}` : `${cur}/${seg}`;
    else if (isSymlink(cur)) {
      crossed = true;
      break;
    } else cur = dirname(cur);
  }
  // A climb out of a link can still land where the lexical path does (a merged /usr's
  // /bin/../lib is /usr/lib, and so is /lib): only a different place is a hole.
  return crossed && landing(full) !== landing(normalize(full));
}

/** Where the kernel takes a path: its real path, or its parent's plus its name when it is missing; undefined when neither exists. */
function landing(p: string): string | undefined {
  try {
    return realpathSync.native(p);
  } catch {
    try {
      return `${realpathSync.native(dirname(p))}/${basename(p)}`;
    } catch {
      return undefined;
    }
  }
}

export interface ClimbCheck {
  /** getcwd() of the compile. */
  cwd: string;
  /** The depfile's paths as spelled (relative to cwd, or absolute). */
  deps: readonly string[];
  /** The include search directories as given (relative to cwd, or absolute), in order. */
  chain: readonly string[];
  /** Every input (absolute, lexically resolved), with its content scan. */
  inputs: ReadonlyArray<{ path: string; scan: ContentScan }>;
}

/**
 * The first path the compile read or searched that climbs out of a symlinked directory
 * with `..`: a file it read, a search directory, or a place an include or __has_include
 * name would be looked for (beside its includer when quoted, and in the search chain).
 */
export function symlinkClimb(c: ClimbCheck): string | undefined {
  for (const p of [...c.deps, ...c.chain]) if (climbsOutOfSymlink(c.cwd, p)) return p;
  const dirs = c.chain.map((d) => resolve(c.cwd, d));
  for (const f of c.inputs) {
    const here = dirname(f.path);
    for (const n of [...f.scan.climbingIncludes, ...f.scan.probes]) {
      for (const dir of n.quoted ? [here, ...dirs] : dirs) if (climbsOutOfSymlink(dir, n.name)) return `${dir}/${n.name}`;
    }
  }
  return undefined;
}

function isSymlink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false; // missing: the kernel finds nothing there, and neither does a lexical probe
  }
}
