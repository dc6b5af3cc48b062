import { lstatSync, readlinkSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';

/** What one sandboxed job may see (docs/protocol.md, "Sandboxed jobs"). */
export interface ViewSpec {
  /** The toolchain's files and directories: read-only. */
  toolchain: readonly string[];
  /** Directories shown whole, read-only (a packaged crate: every file in it is keyed). Bound before scratch directories, which may lie inside them. */
  inputDirs?: readonly string[];
  /** Declared inputs (and paths __has_include found): read-only at their real paths. Spelled as the compiler opened them (`inc/../x.h`), so each directory passed on the way exists inside. */
  inputs: readonly string[];
  /** Each output file: a scratch file bound writable at the path the compiler writes. */
  outputs: ReadonlyArray<{ scratch: string; path: string }>;
  /** Directories that must exist (the working directory, logical and physical; the include search directories). Those missing on the host, or not directories, are left out. */
  dirs: readonly string[];
  /** Private, empty and writable (/tmp, $TMPDIR). */
  tmpfs: readonly string[];
  /**
   * Output directories a tool writes into freely (rustc's --out-dir: temporary files, then
   * renames): each a fresh scratch directory bound writable at the directory's path, with
   * the inputs inside it bound read-only on top. Directories that do not exist are left out.
   */
  scratchDirs?: ReadonlyArray<{ scratch: string; path: string }>;
}

/** The view as the spawner's (op, a, b) triples, plus the paths that could not be shown. */
export interface BuiltView {
  ops: string[];
  /** Inputs that no longer exist or lead through a symlink loop: the run would not be faithful. */
  missing: string[];
}

const MAX_LINKS = 40;

/**
 * Lays out a view that resolves every path as the host does: each symlink met on the way
 * to a path is recreated as a symlink, and the walk goes on at its target, so a header
 * reached through a link (or `..` past one) is found exactly where the compiler finds it
 * outside. Binds land only on physical paths, which the spawner may create as it goes.
 * Everything not named here does not exist inside.
 */
export function buildView(spec: ViewSpec): BuiltView {
  const ops: string[] = ['rw', '/dev', '/dev', 'rw', '/proc', '/proc'];
  const missing: string[] = [];
  const links = new Set<string>();
  const made = new Set<string>();
  const bound = new Set<string>(['/dev', '/proc']);
  const dirsBound: string[] = ['/dev', '/proc'];
  const covered = (p: string): boolean => dirsBound.some((d) => p === d || p.startsWith(`${d}/`));
  // Inputs share most of their directories (a unit's hundred headers sit in a few): one lstat each per view.
  const seen = new Map<string, { link: string | undefined } | undefined>();
  const look = (path: string): { link: string | undefined } | undefined => {
    if (seen.has(path)) return seen.get(path);
    let found: { link: string | undefined } | undefined;
    try {
      found = { link: lstatSync(path).isSymbolicLink() ? readlinkSync(path) : undefined };
    } catch {
      found = undefined;
    }
    seen.set(path, found);
    return found;
  };

  /** The physical path of p, recording the symlinks passed on the way; undefined when it does not resolve. */
  const walk = (p: string, lastMayBeMissing: boolean): string | undefined => {
    let hops = 0;
    let rest = p.split('/').filter((c) => c !== '' && c !== '.');
    let cur = '/';
    while (rest.length > 0) {
      const name = rest.shift()!;
      if (name === '..') {
        // The kernel climbs out of `cur`, so it must exist inside too (`inc/../x.h` with nothing read from inc/).
        if (cur !== '/' && !covered(cur) && !made.has(cur)) {
          made.add(cur);
          ops.push('dir', '/', cur);
        }
        cur = dirname(cur);
        continue;
      }
      const next = cur === '/' ? `/${name}` : `${cur}/${name}`;
      const st = look(next);
      if (!st) return lastMayBeMissing && rest.length === 0 ? next : undefined;
      if (st.link === undefined) {
        cur = next;
        continue;
      }
      if (++hops > MAX_LINKS) return undefined;
      const target = st.link;
      if (!links.has(next) && !covered(next)) {
        links.add(next);
        ops.push('symlink', target, next);
      }
      rest = [...resolve(cur, target).split('/').filter((c) => c !== ''), ...rest];
      cur = '/';
    }
    return cur;
  };

  const bind = (kind: 'ro' | 'rw', src: string, dst: string): void => {
    if (bound.has(dst) || covered(dst)) return;
    bound.add(dst);
    ops.push(kind, src, dst);
  };

  // Empty places first: the inputs below them (tests keep theirs in /tmp) are bound on top.
  for (const t of spec.tmpfs) {
    const phys = walk(t, true);
    if (phys !== undefined && !covered(phys)) ops.push('tmpfs', '/', phys);
  }
  for (const d of spec.inputDirs ?? []) {
    const phys = walk(d, false);
    if (phys === undefined || !isDir(phys)) missing.push(d);
    else bind('ro', phys, phys);
  }
  // Scratch output directories next, so the inputs inside them are bound on top.
  for (const d of spec.scratchDirs ?? []) {
    const phys = walk(d.path, false);
    if (phys !== undefined && isDir(phys)) bind('rw', d.scratch, phys);
  }
  // Then directories, so that a file bound below one is not hidden by it later.
  // An optional part this host lacks has no physical path.
  const toolchain = spec.toolchain.map((p) => walk(p, false)).flatMap((phys) => (phys === undefined ? [] : [{ phys, dir: isDir(phys) }]));
  for (const { phys, dir } of toolchain) {
    if (dir) {
      bind('ro', phys, phys);
      dirsBound.push(phys);
    }
  }
  for (const { phys, dir } of toolchain) if (!dir) bind('ro', phys, phys);
  for (const p of spec.inputs) {
    const phys = walk(p, false);
    if (phys === undefined) missing.push(p);
    else bind('ro', phys, phys);
  }
  for (const d of spec.dirs) {
    const phys = walk(d, false);
    if (phys !== undefined && !bound.has(phys) && !covered(phys) && isDir(phys)) ops.push('dir', '/', phys);
  }
  for (const o of spec.outputs) {
    if (o.path.startsWith('/dev/')) continue;
    const parent = walk(dirname(o.path), false);
    if (parent === undefined) missing.push(o.path);
    else bind('rw', o.scratch, parent === '/' ? `/${basename(o.path)}` : `${parent}/${basename(o.path)}`);
  }
  return { ops, missing };
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
