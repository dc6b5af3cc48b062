import { basename, dirname } from 'node:path';
import { makeDepfileTemplate } from '../adapters/gcc/depfile-template.js';
import type { ProbeOrigin } from '../adapters/gcc/include-probes.js';
import type { DigestAlgorithm } from '../hashing/types.js';
import { groupAbsent, type AbsentDir } from './absent-set.js';
import { isStoredPath } from './stored-path.js';
import { anchorReason } from './anchor-reason.js';
import { entryPaths } from './entry-paths.js';
import type { KeyRebase } from './rebase-key-paths.js';
import type { CallDirs } from './stored-path.js';
import type { DepTarget } from './types.js';

export interface EntryInput {
  algorithm: DigestAlgorithm;
  baseDir: string | undefined;
  dirs: CallDirs;
  rebase: KeyRebase;
  envValues: Iterable<string>;
  /** The depfile's prerequisites as spelled, and the same files resolved (absolute) with their digests. */
  spelled: readonly string[];
  inputs: ReadonlyArray<{ path: string; digest: string }>;
  /** The include search chain as spelled. */
  chain: readonly string[];
  /** From include-probes.ts: absolute paths, and where each comes from. */
  absent: readonly string[];
  present: readonly string[];
  /** Candidates that are directories and must not become files (include-probes.ts). */
  notFiles: readonly string[];
  origins: ReadonlyMap<string, readonly ProbeOrigin[]>;
  /** The outputs other than the caller's depfile, with stdout and stderr. */
  outputs: readonly Buffer[];
  /** Why a file-name expansion may spell a path under the base dir (run only when the key rebased such a path). */
  fileNames(baseDir: string): Promise<string | undefined>;
  /** The depfile the caller asked for, with its targets. */
  depfile: { data: Buffer; targets: readonly DepTarget[] } | undefined;
}

/** The manifest entry's paths and the depfile to store, for any directory or bound to this one. */
export interface StoredEntry {
  inputs: Array<{ path: string; digest: string }>;
  absent: AbsentDir[];
  /** The absent paths one by one, for the result key. */
  absentPaths: string[];
  present: string[];
  notFiles: string[];
  /** Set when the entry serves only this call's directories, with the reason. */
  anchor: (CallDirs & { why: string }) | undefined;
  depfile: { role: 'depfile' | 'depfile-template'; data: Buffer } | undefined;
}

/**
 * Stores an entry so that it serves every directory where the same files sit at the same
 * places relative to the working directory (entry-paths.ts), with the depfile as a
 * template when the key spells paths from $PWD. When that is not safe (a path that could
 * mean different files elsewhere, an output that may hold the checkout's location, a
 * depfile reprise cannot rewrite), the entry keeps absolute paths and is bound to this
 * call's directories, which is what an entry was before base dirs existed.
 */
export async function storedEntry(x: EntryInput): Promise<StoredEntry> {
  const paths = entryPaths({ dirs: x.dirs, rebase: x.rebase, deps: x.spelled, chain: x.chain, origins: x.origins });
  const groups = groupAbsent(x.absent);
  /** Probe paths in stored form, or undefined when one of them has none. */
  const storedProbes = (list: readonly string[]): string[] | undefined => {
    const out: string[] = [];
    for (const p of list) {
      const stored = paths.probe(p);
      if (stored === undefined) return undefined;
      out.push(stored);
    }
    return out;
  };
  const portable = ((): Omit<StoredEntry, 'anchor' | 'depfile'> | undefined => {
    const inputs: StoredEntry['inputs'] = [];
    for (const [i, stored] of paths.inputs.entries()) {
      if (stored === undefined) return undefined;
      inputs.push({ path: stored, digest: x.inputs[i]!.digest });
    }
    const absentPaths: string[] = [];
    const absent: AbsentDir[] = [];
    for (const g of groups) {
      let dir: string | undefined;
      for (const n of g.names) {
        const stored = paths.probe(g.dir === '/' ? `/${n}` : `${g.dir}/${n}`);
        // One stored directory per group, and the name unchanged.
        if (stored === undefined || basename(stored) !== n || (dir ??= dirname(stored)) !== dirname(stored)) return undefined;
        absentPaths.push(stored);
      }
      if (dir === undefined) return undefined;
      const { parent, ...rest } = g;
      const storedParent = parent && dir !== g.dir ? storedAncestor(g.dir, dir, parent) : parent;
      absent.push({ ...rest, dir, ...(storedParent ? { parent: storedParent } : {}) });
    }
    const present = storedProbes(x.present);
    const notFiles = storedProbes(x.notFiles);
    if (present === undefined || notFiles === undefined) return undefined;
    return { inputs, absent, absentPaths, present, notFiles };
  })();

  let why = portable ? undefined : 'a path could name different files from another directory';
  if (portable && x.baseDir !== undefined) {
    const stored = [...portable.inputs.map((i) => i.path), ...portable.absentPaths, ...portable.present, ...portable.notFiles];
    why = await anchorReason({ algorithm: x.algorithm, baseDir: x.baseDir, rebase: x.rebase, stored, envValues: x.envValues, inputs: x.inputs, outputs: x.outputs, fileNames: x.fileNames });
  }
  let depfile: StoredEntry['depfile'] = x.depfile && { role: 'depfile', data: x.depfile.data };
  if (portable && !why && x.depfile && x.rebase.any) {
    const text = x.depfile.data.toString('utf8');
    const template = Buffer.from(text, 'utf8').equals(x.depfile.data) ? makeDepfileTemplate(text, x.depfile.targets, paths.rebasedDep) : undefined;
    if (template) depfile = { role: 'depfile-template', data: Buffer.from(JSON.stringify(template), 'utf8') };
    else why = 'the depfile cannot be rewritten for another directory';
  }
  if (portable && !why) return { ...portable, anchor: undefined, depfile };
  return {
    inputs: [...x.inputs],
    absent: groups,
    absentPaths: [...x.absent],
    present: [...x.present],
    notFiles: [...x.notFiles],
    anchor: { ...x.dirs, why: why ?? 'bound' },
    depfile: x.depfile && { role: 'depfile', data: x.depfile.data },
  };
}

/**
 * A missing directory's ancestor, in the stored form of the directory: cut the same tail
 * off both. Without one, the group is checked directly (never vouched for by a directory
 * of the checkout that stored it).
 */
function storedAncestor(dir: string, storedDir: string, parent: { dir: string; stamp: string }): { dir: string; stamp: string } | undefined {
  if (parent.dir === '/' || !dir.startsWith(`${parent.dir}/`)) return undefined;
  const tail = dir.slice(parent.dir.length);
  if (!storedDir.endsWith(tail)) return undefined;
  const stored = storedDir.slice(0, storedDir.length - tail.length);
  return isStoredPath(stored) ? { dir: stored, stamp: parent.stamp } : undefined;
}
