// What a traced command placed at `/` read or ran from the executor's own disk rather than
// from its input root, with each file's SHA-256 (OUTSIDE_DIGESTS_PROPERTY): the client can
// then check those files against its own (docs/remote-execution.md, "GHC"). Only what the
// trace names is digested; what the loader maps (glibc, a program's shared libraries) stays
// untraced, as for every action.
import { statSync } from 'node:fs';
import { findOnPath } from '../../../exec/find-on-path.js';
import { parseLookupTrace } from '../../../exec/parse-lookup-trace.js';
import { underAny } from '../../../exec/remote/under-any.js';
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

/**
 * `trace`: the command's trace file; `path`: the command's PATH, by which a program run by a
 * bare name was found.
 */
export async function outsideDigests(trace: Buffer, view: PlacedView, path: string | undefined): Promise<OutsideDigests> {
  const ofRoot = (p: string): boolean => view.ofRoot(p);
  const t = parseLookupTrace(trace);
  const files: Record<string, string> = {};
  const programs: Record<string, string> = {};
  const own = (p: string): boolean => !p.startsWith('/') || underAny(p, NOT_FILES) || ofRoot(p) || p.startsWith('/.reprise-');
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
