// Where an input root asked for at `/` (ROOT_AT_PROPERTY) is bound in the sandbox. Its own
// top-level directories (`home/`, `root/`) go at their names. The sandbox keeps `/tmp` (a
// private tmpfs) and the system directories (the executor's, read-only) for itself, so the
// root's entries there go one level down: each entry of `tmp/` into the private /tmp, and under
// a system directory each directory that directly holds the root's files, bound whole over the
// executor's own (a Go toolchain's `usr/lib/go-1.19/pkg/tool/linux_amd64`). The command then
// sees exactly the root's files there, as the host's sandbox showed them, and the executor's
// system everywhere else (its loader and libc, taken on trust as for every action).
import { posix } from 'node:path';
import { KERNEL_TOP_DIRS, SYSTEM_TOP_DIRS } from '../../platform-properties.js';
import type { InputEntry } from './read-input-tree.js';

/** A directory of the staged root (relative) bound at the same path from `/`. */
export type RootBind = string;

/**
 * `binds`: bound in order; `open`: directories to stage file by file rather than bind whole
 * (plan-staging.ts), because a bind of them would cover the sandbox's own: /tmp and the
 * directories that lead to the ones bound under a system directory.
 */
export type RootPlacement = { ok: true; binds: RootBind[]; open: string[] } | { ok: false; why: string };

/**
 * The binds that place `entries` at `/`. `isDir(abs)`: the executor has that path as a
 * directory of its system (through symlinks within it), so a bind over it shows the root's
 * content there and nothing of the executor's. `reserved`: further top-level names the sandbox
 * uses itself. `workingDirectory` (relative) is placed too, though the root hold nothing in it
 * (a Go step runs in its package's directory and may read only files elsewhere).
 */
export function placeRootAtSlash(given: ReadonlyArray<Pick<InputEntry, 'kind' | 'path'>>, isDir: (abs: string) => boolean, reserved: ReadonlySet<string> = new Set(), workingDirectory = ''): RootPlacement {
  const entries = [...given];
  const wd = posix.normalize(workingDirectory === '' ? '.' : workingDirectory).replace(/\/$/, '');
  if (wd !== '.') for (let d = wd; d !== '.'; d = posix.dirname(d)) if (!entries.some((e) => e.path === d)) entries.push({ kind: 'dir', path: d });
  const dirs = new Set(entries.filter((e) => e.kind === 'dir').map((e) => e.path));
  const tops = [...new Set(entries.map((e) => e.path.split('/')[0]!))].sort();
  const binds: RootBind[] = [];
  const open: string[] = [];
  for (const top of tops) {
    if (KERNEL_TOP_DIRS.has(top) || reserved.has(top) || !dirs.has(top)) return { ok: false, why: `the input root's ${top} is not a directory the sandbox can place at /${top}` };
    if (top === 'tmp') {
      open.push('tmp');
      binds.push(...new Set(entries.filter((e) => e.path.startsWith('tmp/')).map((e) => `tmp/${e.path.split('/')[1]!}`)));
      continue;
    }
    if (!SYSTEM_TOP_DIRS.has(top)) {
      binds.push(top);
      continue;
    }
    // The directories that hold the root's files (or are empty in it), outermost first: a bind covers what is below it.
    const under = entries.filter((e) => e.path.startsWith(`${top}/`));
    const holders = new Set(under.flatMap((e) => (e.kind !== 'dir' ? [posix.dirname(e.path)] : under.some((o) => o.path.startsWith(`${e.path}/`)) ? [] : [e.path])));
    const anchors = [...holders].sort().filter((d, i, all) => !all.slice(0, i).some((a) => d.startsWith(`${a}/`)));
    for (const a of anchors) {
      if (a === top) return { ok: false, why: `the input root has files directly in ${top}/, which would hide the executor's /${top}` };
      if (!isDir(`/${a}`)) return { ok: false, why: `/${a} is not a directory on this executor: the input root's files there have no place` };
      binds.push(a);
      open.push(posix.dirname(a));
    }
  }
  return { ok: true, binds, open };
}
