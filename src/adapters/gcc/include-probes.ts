import { existsSync, lstatSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import type { DirLook } from '../../pipeline/dir-listings.js';
import type { ContentScan } from './scan-content.js';

export interface ProbeInput {
  /** Every file the compile read (absolute), the source first, with its content scan. */
  inputs: ReadonlyArray<{ path: string; scan: ContentScan }>;
  /** Every directory the preprocessor may search for <...>, in order (-iquote, -I, -isystem, system, -idirafter), existing or not. */
  chain: readonly string[];
  /** The same directories as the compiler spells them (absolute, not normalized: `inc/../x`); defaults to chain. */
  chainAsGiven?: readonly string[];
  /** Whether normalized paths exist, and directories' entries, from kept directory listings. */
  look: DirLook;
  /** How many leading chain directories are -iquote ones, which `<...>` lookups skip (default 0). */
  quoteDirs?: number;
}

export interface Probes {
  /**
   * Paths that must stay absent: had one existed, the compiler would have read it instead.
   * A name below a missing directory is stood for by the highest missing directory on its
   * way from where it was searched: while that stays absent, so does every name below it.
   */
  absent: string[];
  /** Paths that must still exist: __has_include answered true because of them. */
  present: string[];
  /** The same, as the compiler opens them (`inc/../x.h`): a sandbox must show every directory on the way. */
  presentAsOpened: string[];
  /** Where each absent or present path comes from (one path may come from several places). */
  origins: Map<string, ProbeOrigin[]>;
  /** Candidates that are files and were not read (behind an inactive #if, when the compile saw every file there is). */
  existing: string[];
  /**
   * Probe paths that do not resolve because of a symlink whose target is missing (on the
   * path itself or a directory on the way): the target may appear where no directory stamp
   * of ours looks, so no absent path can vouch for them.
   */
  dangling: string[];
  /**
   * Candidates that are directories: gcc passes a directory by as if nothing were there, so
   * the compile is right while each stays a directory or goes; a file there would be read.
   */
  notFiles: string[];
}

/** A probe path is a name joined to a search directory or an input's directory, `.gch` added to an input, or a literal absolute name. */
export type ProbeOrigin =
  | { from: 'chain'; index: number }
  | { from: 'input-dir'; index: number }
  | { from: 'input'; index: number }
  | { from: 'literal' };

/**
 * What else, besides the inputs' contents, decides which files the preprocessor reads:
 * the hole in ccache's direct mode is a new header in an earlier -I directory.
 * - A header found in chain directory i would be shadowed by the same name in any
 *   directory before i (for a name that climbs, `../x.h`, in any directory).
 * - `#include "x"` looks in the including file's directory first.
 * - gcc reads x.h.gch instead of x.h when it exists.
 * - __has_include(x) is true while the first place that has x still has it, and false
 *   while every place still lacks it; x.gch must stay absent at each place asked.
 * gcc also asks for `name.gch` wherever it searches while a precompiled header could still
 * be used (before the unit's first token): those lookups come from the fill's trace
 * (gcc-coverage.ts), not from here, since which includes they are is not known from text.
 * Paths that are inputs are never probes (#include_next finds the same name further on),
 * and neither are paths that exist unread (see mustLack).
 */
export function includeProbes(p: ProbeInput): Probes {
  const inputs = new Set(p.inputs.map((i) => i.path));
  const absent = new Set<string>();
  const present = new Set<string>();
  const presentAsOpened = new Set<string>();
  const origins = new Map<string, ProbeOrigin[]>();
  const from = (path: string, origin: ProbeOrigin): void => {
    const list = origins.get(path);
    if (!list) origins.set(path, [origin]);
    else if (!list.some((o) => o.from === origin.from && (o.from === 'literal' || (origin.from !== 'literal' && o.index === origin.index)))) list.push(origin);
  };
  // A candidate that exists but was not read cannot lie on an active include's search path
  // (it would have been found first): it sits behind an inactive #if. Only the missing
  // ones must stay missing.
  const existing = new Set<string>();
  const dangling = new Set<string>();
  const notFiles = new Set<string>();
  const entries = p.look.entries;
  // Each absent candidate's stand-in (itself, or a missing directory above it), worked out once.
  const lacking = new Map<string, string>();
  const lack = (path: string, stand: string, origin: ProbeOrigin): void => {
    lacking.set(path, stand);
    if (!absent.has(stand)) absent.add(stand);
    from(stand, origin);
  };
  const mustLack = (path: string, origin: ProbeOrigin, base?: string): void => {
    if (inputs.has(path) || existing.has(path)) return;
    const stand = lacking.get(path) ?? (notFiles.has(path) ? path : undefined);
    if (stand !== undefined) from(stand, origin);
    else if (p.look.exists(path)) {
      if (!statSync(path, { throwIfNoEntry: false })?.isDirectory()) existing.add(path);
      else {
        notFiles.add(path);
        from(path, origin);
      }
    } else {
      const dir = dirname(path);
      const listed = entries(dir);
      if (listed === 'missing' ? danglingOnTheWay(dir) : listed === undefined ? lstatSync(path, { throwIfNoEntry: false }) !== undefined : listed.has(basename(path))) dangling.add(path);
      const missing = base === undefined || listed !== 'missing' ? undefined : highestMissing(dir, base, entries);
      lack(path, missing ?? path, origin);
    }
  };
  // Whether the first directory on the way to missing `dir` that does not resolve is a
  // symlink (dangling), not a name that is absent or a file; once per directory.
  const danglingDirs = new Map<string, boolean>();
  const danglingOnTheWay = (dir: string): boolean => {
    let known = danglingDirs.get(dir);
    if (known === undefined) {
      let top = dir;
      while (dirname(top) !== top && entries(dirname(top)) === 'missing') top = dirname(top);
      known = lstatSync(top, { throwIfNoEntry: false })?.isSymbolicLink() ?? false;
      danglingDirs.set(dir, known);
    }
    return known;
  };
  // Names `files` in directory `dir` (normal, absolute), each as mustLack would, but looking
  // the directory up once: most candidates share a directory with many others, or lie below
  // one that is missing altogether.
  const mustLackIn = (dir: string, files: readonly string[], origin: ProbeOrigin, base: string): void => {
    const listed = entries(dir);
    // Never a stand-in past a dangling symlink (highestMissing): mustLack then finds it, name by name.
    const missing = listed === 'missing' ? highestMissing(dir, base, entries) : undefined;
    const prefix = dir === '/' ? '/' : `${dir}/`;
    for (const f of files) {
      const path = prefix + f;
      if (missing !== undefined) {
        if (!inputs.has(path)) lack(path, missing, origin);
      } else if (typeof listed === 'object' && !listed.has(f) && !inputs.has(path)) lack(path, path, origin);
      else mustLack(path, origin, base);
    }
  };
  p.inputs.forEach((f, index) => mustLack(`${f.path}.gch`, { from: 'input', index }));
  // Headers by directory, and each directory's place below every chain directory that holds
  // it, worked out once: a C++ unit reads a hundred headers or more from a few directories.
  const byDir = new Map<string, string[]>();
  for (const { path } of p.inputs.slice(1)) {
    const dir = dirname(path);
    const files = byDir.get(dir);
    if (files) files.push(basename(path));
    else byDir.set(dir, [basename(path)]);
  }
  /** Each header's directory below a chain directory ('' for the chain directory itself), with the names there. */
  const names = new Map<string, Set<string>>();
  for (const [dir, files] of byDir) {
    for (let i = 0; i < p.chain.length; i++) {
      const relDir = dir === p.chain[i] ? '' : under(p.chain[i]!, dir);
      if (relDir === undefined) continue;
      const known = names.get(relDir);
      if (known) for (const f of files) known.add(f);
      else names.set(relDir, new Set(files));
      for (let j = 0; j < i; j++) mustLackIn(below(p.chain[j]!, relDir), files, { from: 'chain', index: j }, p.chain[j]!);
    }
  }
  p.inputs.forEach((f, index) => {
    const here = dirname(f.path);
    const beside: ProbeOrigin = { from: 'input-dir', index };
    for (const name of f.scan.quoteIncludes) if (!isAbsolute(name)) mustLack(join(here, name), beside, here);
    // `../x.h` found in chain directory i is not below it, so the loop above never sees it:
    // it must stay absent from every search directory that lacks it. A quoted one found
    // beside its includer was searched for there first, and nothing in the chain shadows it.
    for (const inc of f.scan.climbingIncludes) {
      if (isAbsolute(inc.name) || (inc.quoted && inputs.has(join(here, inc.name)))) continue;
      p.chain.forEach((d, index) => mustLack(join(d, inc.name), { from: 'chain', index }, d));
    }
    // `#include MACRO` may be either form: assume quoted for every header read.
    if (f.scan.computedInclude) for (const [relDir, files] of names) mustLackIn(below(here, relDir), [...files], beside, here);
    for (const probe of f.scan.probes) {
      // Each candidate normalized (as stored) and as the compiler opens it, which is what exists or not.
      const candidates: Array<[string, ProbeOrigin, string]> = isAbsolute(probe.name)
        ? [[probe.name, { from: 'literal' }, probe.name]]
        : [
            ...(probe.quoted ? [[join(here, probe.name), beside, `${here}/${probe.name}`] as [string, ProbeOrigin, string]] : []),
            // `<...>` skips the -iquote directories (found there, it would still look on).
            ...p.chain.flatMap((d, k): Array<[string, ProbeOrigin, string]> => (!probe.quoted && k < (p.quoteDirs ?? 0) ? [] : [[join(d, probe.name), { from: 'chain', index: k }, `${p.chainAsGiven?.[k] ?? d}/${probe.name}`]])),
          ];
      for (const [c, origin, opened] of candidates) {
        from(c, origin);
        // gcc asks for a precompiled `name.gch` at each place too (the lookup trace shows it).
        mustLack(`${c}.gch`, origin, dirname(c));
        if (existsSync(opened)) {
          present.add(c);
          presentAsOpened.add(opened);
          break;
        }
        if (lstatSync(opened, { throwIfNoEntry: false }) !== undefined || (entries(dirname(c)) === 'missing' && danglingOnTheWay(dirname(c)))) dangling.add(c);
        absent.add(c);
      }
    }
  });
  for (const c of present) absent.delete(c);
  return { absent: [...absent].sort(), present: [...present].sort(), presentAsOpened: [...presentAsOpened], origins, existing: [...existing].sort(), dangling: [...dangling].sort(), notFiles: [...notFiles].sort() };
}

/**
 * For a missing directory `dir` at or below `base`: the highest directory between them that
 * is not an entry of its parent. Nothing can appear below it without it appearing first,
 * which changes its parent's listing and stamp, so one absent path stands for every name
 * below. Undefined when a file or a dangling symlink is in the way (an entry that is no
 * directory): each name then stands for itself.
 */
function highestMissing(dir: string, base: string, entries: DirLook['entries']): string | undefined {
  if (dir !== base && under(base, dir) === undefined) return undefined;
  while (dir !== base && entries(dirname(dir)) === 'missing') dir = dirname(dir);
  const up = dirname(dir);
  const parent = up === dir ? undefined : entries(up);
  return typeof parent === 'object' && !parent.has(basename(dir)) ? dir : undefined;
}

/** `rel` (normal, or '') below the absolute normal directory `dir`, without path.join's normalizing. */
function below(dir: string, rel: string): string {
  return rel === '' ? dir : dir === '/' ? `/${rel}` : `${dir}/${rel}`;
}

/** `file` relative to `dir` when below it. Both are absolute and normal (resolved), so a prefix test is exact. */
function under(dir: string, file: string): string | undefined {
  const prefix = dir === '/' ? '/' : `${dir}/`;
  return file.length > prefix.length && file.startsWith(prefix) ? file.slice(prefix.length) : undefined;
}
