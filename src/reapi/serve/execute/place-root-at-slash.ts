// Where an input root asked for at `/` (ROOT_AT_PROPERTY) is placed in the sandbox. Its own
// top-level directories (`home/`, `root/`) go at their names. The sandbox keeps `/tmp` (a
// private tmpfs) and the system directories (the executor's, read-only) for itself, so the
// root's entries there go one level down: each entry of `tmp/` into the private /tmp, and under
// a system directory each directory that holds the root's files either bound whole over the
// executor's own (a Go toolchain's `usr/lib/go-1.19/pkg/tool/linux_amd64`: the command sees
// exactly the root's files there, as the host's sandbox showed them), or, where a whole bind
// would hide what the executor itself runs on or the executor lacks the directory, added to the
// executor's own by a read-only overlay (`/usr/bin`, `/usr/lib/x86_64-linux-gnu`: the root's
// files over the executor's; run-sandboxed-command.ts mounts it). So a toolchain travels into
// an executor that has none installed, and the executor's loader, libc and shell stay in place.
import { posix } from 'node:path';
import { KERNEL_TOP_DIRS, SYSTEM_TOP_DIRS } from '../../platform-properties.js';
import type { InputEntry } from './read-input-tree.js';

/** A directory of the staged root (relative) bound at the same path from `/`. */
export type RootBind = string;

/**
 * `binds`: bound in order; `overlays`: directories of the root (relative, outermost first) whose
 * staged content goes over the executor's directory of that path (which exists); `open`:
 * directories to stage file by file rather than bind whole (plan-staging.ts), because a bind
 * of them would cover the sandbox's own: /tmp, the directories that lead to the ones bound
 * under a system directory, and every directory inside an overlay that the executor has.
 */
export type RootPlacement = { ok: true; binds: RootBind[]; overlays: string[]; open: string[] } | { ok: false; why: string };

/**
 * Directories the executor's own programs, loader and libraries live in, and the shared header
 * directories: a root's files there are added to the executor's, never bound over them.
 */
const MERGED = /^(?:usr\/(?:local\/)?)?(?:s?bin|include|lib(?:32|64|x32)?(?:\/[^/]+-linux-gnu[^/]*)?)$/;

/**
 * The placement of `entries` at `/`. `isDir(abs)`: the executor has that path as a directory of
 * its system (through symlinks within it). `reserved`: further top-level names the sandbox uses
 * itself. `workingDirectory` (relative) is placed too, though the root hold nothing in it (a Go
 * step runs in its package's directory and may read only files elsewhere). `overlays`: whether
 * this executor can mount overlays (serve's probe); without, a root that needs one is refused.
 */
export function placeRootAtSlash(given: ReadonlyArray<Pick<InputEntry, 'kind' | 'path'>>, isDir: (abs: string) => boolean, reserved: ReadonlySet<string> = new Set(), workingDirectory = '', overlays = true): RootPlacement {
  const entries = [...given];
  const wd = posix.normalize(workingDirectory === '' ? '.' : workingDirectory).replace(/\/$/, '');
  if (wd !== '.') for (let d = wd; d !== '.'; d = posix.dirname(d)) if (!entries.some((e) => e.path === d)) entries.push({ kind: 'dir', path: d });
  const dirs = new Set(entries.filter((e) => e.kind === 'dir').map((e) => e.path));
  const tops = [...new Set(entries.map((e) => e.path.split('/')[0]!))].sort();
  const binds: RootBind[] = [];
  const open: string[] = [];
  const over: string[] = [];
  const under = (p: string, d: string): boolean => p === d || p.startsWith(`${d}/`);
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
    // The directories that hold the root's files (or are empty in it), outermost first.
    const inside = entries.filter((e) => e.path.startsWith(`${top}/`));
    const holders = [...new Set(inside.flatMap((e) => (e.kind !== 'dir' ? [posix.dirname(e.path)] : inside.some((o) => o.path.startsWith(`${e.path}/`)) ? [] : [e.path])))].sort();
    const bound: string[] = [];
    const laid: string[] = [];
    for (const h of holders) {
      if (h === top) return { ok: false, why: `the input root has files directly in ${top}/, which would hide the executor's /${top}` };
      if (bound.some((b) => under(h, b))) continue; // a bind covers what is below it
      if (!MERGED.test(h) && isDir(`/${h}`)) {
        // Bound whole, also inside an overlay: exactly the root's files there.
        bound.push(h);
        continue;
      }
      // Added to the executor's nearest directory on the way (the holder itself where it has it).
      let at = h;
      while (!isDir(`/${at}`)) {
        if (!at.includes('/')) return { ok: false, why: `/${at} is not a directory on this executor: the input root's files there have no place` };
        at = posix.dirname(at);
      }
      if (!overlays) return { ok: false, why: `/${h} would need the root's files added to this executor's /${at}, and it cannot mount an overlay` };
      if (!laid.some((o) => under(at, o))) laid.push(at);
    }
    const outer = laid.filter((o) => !laid.some((p) => p !== o && under(o, p)));
    binds.push(...bound);
    over.push(...outer);
    open.push(...bound.map((b) => posix.dirname(b)));
    // Inside an overlay, a directory the executor has is the executor's with the root's added: never bound whole.
    // (Below one it lacks, it lacks them all: a toolchain it has not installed is hundreds of directories.)
    const lacks = new Set<string>();
    for (const o of outer) {
      for (const d of dirs) {
        if (!under(d, o) || bound.some((b) => under(d, b))) continue;
        if (lacks.has(posix.dirname(d)) || !isDir(`/${d}`)) lacks.add(d);
        else open.push(d);
      }
    }
  }
  return { ok: true, binds, overlays: over, open };
}
