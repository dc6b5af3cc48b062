import { isAbsolute, normalize, relative, resolve } from 'node:path';

/** Where a call runs: the compiler's getcwd(), and the $PWD it records (the same directory, maybe through symlinks). */
export interface CallDirs {
  cwd: string;
  pwd: string;
}

/*
 * A path as manifests store it, so that one entry serves every directory whose files
 * match (two checkouts, or two directories compiling the same source):
 *   /abs          absolute, as the compiler opened it;
 *   $PWD, $PWD/r  relative to the recorded working directory, resolved lexically: what
 *                 the compiler opens for a path spelled relative, or for an absolute path
 *                 under the base dir spelled from that directory's checkout;
 *   $CWD/r        relative to getcwd(), for relative paths that climb (`../x.h`): the
 *                 kernel resolves `..` from the real directory, not from $PWD.
 * `r` is normal: no empty, `.` or inner `..` segments; `..` only as a leading run.
 */

/** True for a stored path in the grammar above. */
export function isStoredPath(s: string): boolean {
  if (s.startsWith('/')) return !s.includes('\0');
  const rel = s.startsWith('$PWD') ? s.slice(4) : s.startsWith('$CWD') ? s.slice(4) : undefined;
  if (rel === undefined) return false;
  if (rel === '') return s === '$PWD';
  return rel.startsWith('/') && isNormalRelative(rel.slice(1)) && (s.startsWith('$PWD') || rel === '/..' || rel.startsWith('/../'));
}

/** The stored form of `rel` (relative to $PWD, or to getcwd() when `from` says so); `rel` must be normal. */
export function storedRelative(rel: string, from: 'pwd' | 'cwd'): string {
  if (rel === '' || rel === '.') return '$PWD';
  // Going down from getcwd() or from $PWD reaches the same files: they name one directory.
  return from === 'cwd' && (rel === '..' || rel.startsWith('../')) ? `$CWD/${rel}` : `$PWD/${rel}`;
}

/** The stored form of a path the compiler spelled relative (to getcwd()). */
export function storedFromCwd(spelled: string): string {
  return storedRelative(normalize(spelled).replace(/\/+$/, ''), 'cwd');
}

/** The stored form of an absolute path that entered the key relative to $PWD. */
export function storedFromPwd(abs: string, pwd: string): string {
  return storedRelative(relative(pwd, abs), 'pwd');
}

/** Resolves stored paths for one call (absolute stays, $PWD and $CWD are filled in). */
export function storedResolver(dirs: CallDirs): (s: string) => string {
  const pwd = resolve(dirs.pwd);
  const cwd = resolve(dirs.cwd);
  return (s) => {
    if (s.charCodeAt(0) === 47 /* / */) return s;
    const base = s.startsWith('$CWD') ? cwd : pwd;
    if (s.length === 4) return base;
    const rel = s.slice(5);
    // Normal and going down: plain concatenation is the lexical resolution.
    return rel.startsWith('..') ? resolve(base, rel) : base === '/' ? `/${rel}` : `${base}/${rel}`;
  };
}

/** Whether an absolute path may be keyed relative to $PWD: lexically normal and under the base dir. */
export function rebasable(path: string, baseDir: string | undefined): boolean {
  if (baseDir === undefined || !isAbsolute(path) || path.includes('\0')) return false;
  if (path !== baseDir && !path.startsWith(`${baseDir}/`)) return false;
  return path === '/' || (normalize(path) === path && !path.endsWith('/'));
}

function isNormalRelative(rel: string): boolean {
  const parts = rel.split('/');
  let down = false;
  for (const p of parts) {
    if (p === '' || p === '.' || p.includes('\0')) return false;
    if (p === '..') {
      if (down) return false;
    } else down = true;
  }
  return true;
}
