import { relative } from 'node:path';
import { rebasable } from './stored-path.js';
import type { CompileJob } from './types.js';

/** Marks a path keyed relative to $PWD. argv words cannot hold NUL, so no spelled path collides with it. */
const PWD_MARK = '\0PWD';

/** The key's view of a job's paths under a base dir (ccache's base_dir). */
export interface KeyRebase {
  /** keyArgs, each rebased path replaced by its marked spelling from $PWD. */
  args: string[];
  /** The same for people: `$PWD/../inc`. */
  display: string[];
  source: { key: string; display: string };
  /** Parallel to job.extraInputs. */
  extraInputs: Array<{ key: string; display: string }>;
  /** Rebased absolute paths that headers are found through: include dirs, include files, the source. */
  roots: Array<{ path: string; dir: boolean }>;
  /** A rebased path may be spelled by `__FILE__` in some file of the compile. */
  fileMacro: boolean;
  /** Whether any path was rebased: only then can an output depend on a checkout's location. */
  any: boolean;
}

/**
 * Keys every absolute, lexically normal path under `baseDir` that the adapter offers
 * (job.keyPaths) by its spelling from `pwd`, so two checkouts of one tree at different
 * places key the same. Paths outside the base dir, relative ones and all others stay as
 * given. Without a base dir nothing changes.
 */
export function rebaseKeyPaths(job: CompileJob, baseDir: string | undefined, pwd: string): KeyRebase {
  const args = [...job.keyArgs];
  const display = [...job.keyArgs];
  const r: KeyRebase = { args, display, source: { key: job.source, display: job.source }, extraInputs: [], roots: [], fileMacro: false, any: false };
  const rebased = new Set<string>();
  // Right to left within a word, so earlier offsets stay valid.
  const slots = [...job.keyPaths].sort((a, b) => a.arg - b.arg || b.start - a.start);
  for (const p of slots) {
    const word = job.keyArgs[p.arg];
    if (word === undefined) continue;
    const path = word.slice(p.start, p.end);
    if (!rebasable(path, baseDir)) continue;
    const rel = relative(pwd, path);
    const tail = rel === '' ? '' : `/${rel}`;
    args[p.arg] = `${args[p.arg]!.slice(0, p.start)}${PWD_MARK}${tail}${args[p.arg]!.slice(p.end)}`;
    display[p.arg] = `${display[p.arg]!.slice(0, p.start)}$PWD${tail}${display[p.arg]!.slice(p.end)}`;
    r.any = true;
    if (p.fileMacro) r.fileMacro = true;
    if (p.kind === 'source') r.source = { key: `${PWD_MARK}${tail}`, display: `$PWD${tail}` };
    if (p.kind === 'source' || p.kind === 'include-file' || p.kind === 'include-dir') r.roots.push({ path, dir: p.kind === 'include-dir' });
    if (p.kind === 'extra-input') rebased.add(path);
  }
  for (const x of job.extraInputs) {
    const rel = rebased.has(x) ? relative(pwd, x) : undefined;
    const tail = rel === undefined || rel === '' ? '' : `/${rel}`;
    r.extraInputs.push(rel === undefined ? { key: x, display: x } : { key: `${PWD_MARK}${tail}`, display: `$PWD${tail}` });
  }
  return r;
}
