// What a traced command placed at `/` read or ran from the executor's own disk rather than
// from its input root, with each file's SHA-256 (OUTSIDE_DIGESTS_PROPERTY): the client can
// then check those files against its own (docs/remote-execution.md, "GHC"). Only what the
// trace names is digested; what the loader maps (glibc, a program's shared libraries) stays
// untraced, as for every action.
import { statSync } from 'node:fs';
import { findOnPath } from '../../../exec/find-on-path.js';
import { parseLookupTrace } from '../../../exec/parse-lookup-trace.js';
import { realDirPath } from '../../../exec/remote/executor-own-files.js';
import { underAny } from '../../../exec/remote/under-any.js';
import type { InputEntry } from './read-input-tree.js';
import { hashFile } from '../../../hashing/hash-file.js';
import type { OutsideDigests } from '../../platform-properties.js';

/** Kernel and private places: not the executor's files. */
const NOT_FILES = ['/proc', '/dev', '/sys', '/tmp'];

/** How the sandbox saw the executor's disk with the root placed at `/`. */
export interface PlacedView {
  /** The path was the root's: under a directory bound whole, or a file an overlay added. */
  ofRoot(abs: string): boolean;
  /** A regular file there. */
  isFile(abs: string): boolean;
}

/** How the sandbox saw a path: the root's under `binds`, and a file an overlay added; the executor's own elsewhere. */
export function placedView(entries: readonly InputEntry[], binds: readonly string[], overlays: readonly string[]): PlacedView {
  const bound = binds.map((d) => `/${d}`);
  const over = overlays.map((d) => `/${d}`);
  const held = new Set(entries.filter((e) => e.kind !== 'dir').map((e) => `/${e.path}`));
  const added = new Set([...held].filter((p) => underAny(p, over)));
  // A trace names a path as the command spelled it (/lib/... on a merged /usr): the root's file is found by its directory's real path too.
  // Each directory's real path asked once: a trace names thousands of paths in a few hundred directories.
  const realDirs = new Map<string, string | null>();
  const addedReal = new Set([...added].map((p) => realDirPath(p, realDirs)));
  const isAdded = (p: string): boolean => added.has(p) || addedReal.has(realDirPath(p, realDirs));
  return {
    ofRoot: (p) => underAny(p, bound) || isAdded(p),
    isFile: (p) => (underAny(p, bound) ? held.has(p) : isAdded(p) || statSync(p, { throwIfNoEntry: false })?.isFile() === true),
  };
}

/**
 * `trace`: the command's trace file; `path`: the command's PATH, by which a program run by a
 * bare name was found.
 */
export async function outsideDigests(trace: Buffer, view: PlacedView, path: string | undefined): Promise<OutsideDigests> {
  const t = parseLookupTrace(trace);
  const files: Record<string, string> = {};
  const programs: Record<string, string> = {};
  const own = (p: string): boolean => !p.startsWith('/') || underAny(p, NOT_FILES) || view.ofRoot(p) || p.startsWith('/.reprise-');
  const digest = async (p: string): Promise<void> => {
    if (own(p) || p in files || !statSync(p, { throwIfNoEntry: false })?.isFile()) return;
    try {
      files[p] = (await hashFile('sha256', p)).hash;
    } catch {
      // unreadable here: the client finds no digest and does not take the result
    }
  };
  for (const m of [t.reads, t.looks]) for (const [p, a] of m) if (a === 'found') await digest(p);
  for (const x of t.execs) {
    if (x.startsWith('/')) {
      await digest(x);
      continue;
    }
    const found = findOnPath(x, path, (p) => view.isFile(p));
    if (found === undefined) continue;
    programs[x] = found;
    await digest(found);
  }
  return { files, programs };
}
