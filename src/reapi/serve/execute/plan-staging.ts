import { posix } from 'node:path';
import type { Digest } from '../../../hashing/types.js';
import type { InputEntry } from './read-input-tree.js';
import type { StagedEntry } from './stage-input-root.js';

/** A read-only bind over the staged root: a staged path over itself, or a cached directory (by digest) at `path`. */
export type ReadOnlyBind = { path: string; cached?: undefined } | { path: string; cached: CachedDir };

/** A closed directory laid out once in the staged-directory cache (staged-dirs.ts) and bound read-only wherever an action has it. */
export interface CachedDir {
  digest: Digest;
  /** Its subtree, by paths relative to it. */
  entries: InputEntry[];
}

export interface StagingPlan {
  /** Entries to lay out in the action's own directory; a cached directory is only its (empty) mount point here. `copy`: a copy, not a link to the store's file (it has no bind). */
  staged: StagedEntry[];
  /** Root-relative binds in order: a directory's before those inside it. */
  readOnly: ReadOnlyBind[];
}

/**
 * What is staged for an action and what the sandbox binds read-only over it, so that no staged
 * file, a link to a store file, can be written: each file of a directory the action may write
 * in (the root, the working directory and everything under it, and the directories that lead to
 * the working directory or to an output), and every other ("closed") directory whole. One bind
 * per directory rather than per file matters for input roots that carry a toolchain (176 files
 * of gcc under `usr/`, each bind costing about a millisecond of bwrap's start); an action then
 * cannot create files in an input directory outside its working directory that holds no
 * output, which REAPI does not promise anyway.
 *
 * A closed directory that `cache` takes (one seen before: a toolchain's directories come back
 * in every action) is not staged at all but bound from the cache, where it was laid out once by
 * its digest: it holds exactly what its Directory message names, no more. Inside a closed
 * directory the cache does not take (the system headers, which differ from one compile to the
 * next), its subdirectories are asked about in turn. `alsoOpen`: directories (and those that
 * lead to them) never bound whole (an input root at `/`: place-root-at-slash.ts).
 */
export function planStaging(entries: readonly InputEntry[], workingDirectory: string, outputs: readonly string[], cache: (digest: Digest) => boolean, alsoOpen: readonly string[] = []): StagingPlan {
  const cwd = posix.normalize(workingDirectory === '' ? '.' : workingDirectory).replace(/^\.$/, '').replace(/\/$/, '');
  const open = new Set<string>(['']);
  const addAncestors = (p: string): void => {
    for (let d = p; d !== '' && d !== '.'; d = posix.dirname(d)) open.add(d);
  };
  addAncestors(cwd);
  for (const o of outputs) addAncestors(posix.dirname(posix.join(cwd, o)));
  for (const d of alsoOpen) addAncestors(d);
  const isOpen = (dir: string): boolean => open.has(dir) || cwd === '' || dir.startsWith(`${cwd}/`);
  const plan: StagingPlan = { staged: [], readOnly: [] };
  /** The end (exclusive) of the subtree of the directory entry at `i`: the flattened tree lists a directory's whole subtree right after it. */
  const subtreeEnd = (i: number): number => {
    const prefix = `${entries[i]!.path}/`;
    let end = i + 1;
    while (end < entries.length && entries[end]!.path.startsWith(prefix)) end++;
    return end;
  };
  const closed = (i: number, insideBound: boolean): number => {
    const dir = entries[i] as Extract<InputEntry, { kind: 'dir' }>;
    const end = subtreeEnd(i);
    plan.staged.push(dir);
    if (cache(dir.digest)) {
      const cut = dir.path.length + 1;
      plan.readOnly.push({ path: dir.path, cached: { digest: dir.digest, entries: entries.slice(i + 1, end).map((e) => ({ ...e, path: e.path.slice(cut) })) } });
      return end;
    }
    // Inside a directory already bound read-only whole, only the cached ones need binds of their own.
    if (!insideBound) plan.readOnly.push({ path: dir.path });
    for (let j = i + 1; j < end; ) {
      const e = entries[j]!;
      if (e.kind === 'dir') j = closed(j, true);
      else {
        plan.staged.push(e);
        j++;
      }
    }
    return end;
  };
  for (let i = 0; i < entries.length; ) {
    const e = entries[i]!;
    if (e.kind === 'dir' && !isOpen(e.path)) {
      i = closed(i, false);
      continue;
    }
    plan.staged.push(e);
    if (e.kind === 'file') plan.readOnly.push({ path: e.path });
    i++;
  }
  return withinBindLimit(plan);
}

/**
 * bubblewrap takes at most 9000 arguments, three a bind. Past this many binds of single files,
 * those files are staged as copies instead (the action's own: nothing it does to them reaches
 * the store), so a root of thousands of files in its working directory still runs.
 */
export const MAX_FILE_BINDS = 2000;

function withinBindLimit(plan: StagingPlan): StagingPlan {
  const files = new Set(plan.staged.flatMap((e) => (e.kind === 'file' ? [e.path] : [])));
  const fileBinds = plan.readOnly.filter((b) => !b.cached && files.has(b.path));
  if (fileBinds.length <= MAX_FILE_BINDS) return plan;
  const copied = new Set(fileBinds.map((b) => b.path));
  return {
    staged: plan.staged.map((e) => (e.kind === 'file' && copied.has(e.path) ? { ...e, copy: true } : e)),
    readOnly: plan.readOnly.filter((b) => b.cached || !copied.has(b.path)),
  };
}
