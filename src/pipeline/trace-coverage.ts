import { basename } from 'node:path';
import type { LookupTrace } from '../exec/parse-lookup-trace.js';

/** What a key covers, as the lookup trace is checked against it (one shape for every language). */
export interface KeyCoverage {
  /** Files whose content the key holds (inputs, extra inputs, paths that must stay present). */
  files: ReadonlySet<string>;
  /** Paths that must stay absent: each covers itself and every path below it (a missing directory stands for its names). */
  absent: readonly string[];
  /** Paths whose existence (as a directory, or anything) the key covers without their content: search directories, the working directory, a candidate that must stay a directory. */
  exist: ReadonlySet<string>;
  /** The toolchain's files and directories (identified by the toolchain's digests): anything at or below them is its own. */
  toolchain: readonly string[];
  /** The programs the toolchain runs: an exec of one of these, by path or by bare name, is its own. */
  programs: readonly string[];
  /** Private places of the run (scratch, $TMPDIR) and the outputs: not inputs of anything. */
  own: readonly string[];
  /** Variables the key holds, set or unset, and those documented as unable to reach an output. */
  env: ReadonlySet<string>;
  /**
   * Where a path whose existence the key misses cannot simply be added to it as spelled:
   * the working directory and the base dir, whose paths an entry stores relative to each
   * caller. Elsewhere (a specs file the driver looks for, a library directory it finds) it
   * joins the key, to stay absent or present.
   */
  local: readonly string[];
  /**
   * Whether an absent path in the working directory or the base dir can still join the key:
   * it lies below a search directory or an input's directory, from which an entry stores it
   * for each caller (gcc asks for `x.h.gch` at every place it searches before the unit's first token).
   */
  placeable(path: string): boolean;
  /** Directories (and those below them) the toolchain lists to find parts of itself, documented in docs/trust-model.md (clang lists /opt for ROCm, /usr/lib/gcc for a GCC installation). */
  listable: readonly string[];
  /** Whether a path is a directory now: opening one for reading succeeds, and the compiler then passes it by (a directory named like a header). */
  isDir(path: string): boolean;
}

/** The trace's verdict: the first question the key cannot answer, or the absent paths to add to it. */
export type Coverage = { kind: 'covered'; addAbsent: string[]; addPresent: string[]; addRead: string[] } | ({ kind: 'gap' } & Uncovered);

/** The first question a trace shows the key does not answer, with its counted reason. */
export interface Uncovered {
  reason: 'trace-incomplete' | 'sandbox-violation' | 'unkeyed-lookup' | 'directory-listed' | 'unkeyed-program' | 'unkeyed-env';
  what: string;
}

/** Kernel and device files: /proc/self/..., /dev/null, /sys (CPU counts). */
const SYSTEM = ['/proc', '/dev', '/sys'];

/**
 * Checks that the key covers every question the traced compile asked: each file it read
 * is keyed by content (or is added to the key), each path it found absent is keyed absent (or lies below one, or is
 * added to the key), each path it found present is a keyed file or a keyed directory (or a
 * directory on the way to one), no directory outside the toolchain was listed, every
 * program run is the toolchain's, and every variable read is keyed.
 */
export function traceCoverage(t: LookupTrace, k: KeyCoverage): Coverage {
  const add = { absent: [] as string[], present: [] as string[], read: [] as string[] };
  const gap = firstGap(t, k, add);
  return gap ? { kind: 'gap', ...gap } : { kind: 'covered', addAbsent: add.absent, addPresent: add.present, addRead: add.read };
}

function firstGap(t: LookupTrace, k: KeyCoverage, add: { absent: string[]; present: string[]; read: string[] }): Uncovered | undefined {
  const { absent: addAbsent, present: addPresent } = add;
  const readSet = new Set<string>();
  if (!t.complete) return { reason: 'trace-incomplete', what: 'a traced process ended without its record (killed, or a program the tracer cannot enter)' };
  if (t.unplaced.length > 0) return { reason: 'trace-incomplete', what: `a lookup of ${t.unplaced[0]} from an unknown directory` };
  const own = [...SYSTEM, ...k.own];
  // What the compile created itself (a temporary file beside an output) answers nothing about the host.
  const free = (p: string): boolean => under(p, own) || under(p, k.toolchain) || t.writes.get(p) === 'found';
  // Thousands of absent paths in a C++ unit with many -I directories: looked up by ancestor, not scanned.
  const absentSet = new Set(k.absent);
  const addedAbsent = new Set<string>();
  const keptAbsent = (p: string): boolean => free(p) || underSet(p, absentSet) || underSet(p, addedAbsent);
  const absentOk = (p: string): boolean => {
    if (keptAbsent(p)) return true;
    if (under(p, k.local) && !k.placeable(p)) return false;
    addAbsent.push(p);
    addedAbsent.add(p);
    return true;
  };
  const ancestors = ancestorSet([...k.files, ...k.exist]);
  const presentOk = (p: string): boolean => {
    if (free(p) || k.files.has(p) || k.exist.has(p) || ancestors.has(p)) return true;
    if (under(p, k.local)) return false;
    addPresent.push(p);
    return true;
  };
  // A write refused inside (the host is read-only there) would have gone through outside: the runs differ.
  for (const [p, a] of t.writes) if (a === 'error' && !under(p, own)) return { reason: 'sandbox-violation', what: `could not write ${p} (read-only inside)` };
  for (const [p, a] of t.reads) {
    // A file read that no list names (.incbin, a precompiled header, clang's /etc/os-release) joins the key by content.
    if (a === 'found' && !(free(p) || k.files.has(p))) {
      if (!k.isDir(p)) {
        add.read.push(p);
        readSet.add(p);
      }
      else if (!presentOk(p)) return { reason: 'sandbox-violation', what: `opened ${p}, which the key does not cover` };
    }
    if (a !== 'found' && !absentOk(p)) return { reason: 'unkeyed-lookup', what: `looked for ${p} (absent), which the key does not keep absent` };
  }
  for (const [p, a] of t.looks) {
    if (a === 'found' ? !(presentOk(p) || readSet.has(p)) : !absentOk(p)) return { reason: 'unkeyed-lookup', what: `asked whether ${p} exists (${a}), which the key does not cover` };
  }
  for (const [p, a] of t.listed) if (a === 'found' && !free(p) && !under(p, k.listable)) return { reason: 'directory-listed', what: `listed ${p}` };
  const names = new Set(k.programs.map((p) => basename(p)));
  for (const x of t.execs) {
    const ok = x.includes('/') ? k.programs.includes(x) || under(x, k.toolchain) : names.has(x);
    if (!ok) return { reason: 'unkeyed-program', what: `ran ${x}` };
  }
  for (const l of t.loaded) if (l.includes('/') && !free(l) && !k.files.has(l)) return { reason: 'unkeyed-program', what: `loaded ${l}` };
  for (const [name] of t.env) if (!k.env.has(name)) return { reason: 'unkeyed-env', what: `read $${name}` };
  return undefined;
}

/** Whether p is one of roots or lies below one. */
export function under(p: string, roots: readonly string[]): boolean {
  for (const r of roots) if (p === r || (p.startsWith(r) && (r === '/' || p[r.length] === '/'))) return true;
  return false;
}

/** Whether p or a directory above it is in the set. */
function underSet(p: string, set: ReadonlySet<string>): boolean {
  if (set.size === 0) return false;
  for (let q = p; ; ) {
    if (set.has(q)) return true;
    const i = q.lastIndexOf('/');
    if (i <= 0) return q !== '/' && set.has('/');
    q = q.slice(0, i);
  }
}

/** Every directory on the way to each path (`/a` and `/a/b` for `/a/b/c`), and `/`. */
function ancestorSet(paths: Iterable<string>): Set<string> {
  const out = new Set<string>(['/']);
  for (const p of paths) {
    for (let i = p.indexOf('/', 1); i > 0; i = p.indexOf('/', i + 1)) {
      const d = p.slice(0, i);
      if (out.has(d) && i > 1) continue;
      out.add(d);
    }
  }
  return out;
}
