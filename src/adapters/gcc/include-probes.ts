import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import type { ContentScan } from './scan-content.js';

export interface ProbeInput {
  /** Every file the compile read (absolute), the source first, with its content scan. */
  inputs: ReadonlyArray<{ path: string; scan: ContentScan }>;
  /** Every directory the preprocessor may search for <...>, in order (-iquote, -I, -isystem, system, -idirafter), existing or not. */
  chain: readonly string[];
  /** The same directories as the compiler spells them (absolute, not normalized: `inc/../x`); defaults to chain. */
  chainAsGiven?: readonly string[];
  /** Whether a normalized path exists (existsSync, or an answer from kept directory listings). */
  exists?: (path: string) => boolean;
}

export interface Probes {
  /** Paths that must stay absent: had one existed, the compiler would have read it instead. */
  absent: string[];
  /** Paths that must still exist: __has_include answered true because of them. */
  present: string[];
  /** The same, as the compiler opens them (`inc/../x.h`): a sandbox must show every directory on the way. */
  presentAsOpened: string[];
  /** Where each absent or present path comes from (one path may come from several places). */
  origins: Map<string, ProbeOrigin[]>;
  /** Candidates that exist but were not read (behind an inactive #if, when the compile saw every file there is). */
  existing: string[];
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
 *   while every place still lacks it.
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
  const exists = p.exists ?? existsSync;
  const mustLack = (path: string, origin: ProbeOrigin): void => {
    if (inputs.has(path) || existing.has(path)) return;
    if (absent.has(path)) from(path, origin);
    else if (exists(path)) existing.add(path);
    else {
      absent.add(path);
      from(path, origin);
    }
  };
  const headers = p.inputs.slice(1).map((i) => i.path);
  p.inputs.forEach((f, index) => mustLack(`${f.path}.gch`, { from: 'input', index }));
  // Each header's name below every chain directory that holds it, worked out once: a C++
  // unit reads a hundred headers or more, and the loops below are per header and per file.
  const names = new Set<string>();
  for (const header of headers) {
    for (let i = 0; i < p.chain.length; i++) {
      const rel = under(p.chain[i]!, header);
      if (rel === undefined) continue;
      names.add(rel);
      for (let j = 0; j < i; j++) mustLack(join(p.chain[j]!, rel), { from: 'chain', index: j });
    }
  }
  p.inputs.forEach((f, index) => {
    const here = dirname(f.path);
    const beside: ProbeOrigin = { from: 'input-dir', index };
    for (const name of f.scan.quoteIncludes) if (!isAbsolute(name)) mustLack(join(here, name), beside);
    // `../x.h` found in chain directory i is not below it, so the loop above never sees it:
    // it must stay absent from every search directory that lacks it. A quoted one found
    // beside its includer was searched for there first, and nothing in the chain shadows it.
    for (const inc of f.scan.climbingIncludes) {
      if (isAbsolute(inc.name) || (inc.quoted && inputs.has(join(here, inc.name)))) continue;
      p.chain.forEach((d, index) => mustLack(join(d, inc.name), { from: 'chain', index }));
    }
    // `#include MACRO` may be either form: assume quoted for every header read.
    if (f.scan.computedInclude) for (const rel of names) mustLack(join(here, rel), beside);
    for (const probe of f.scan.probes) {
      // Each candidate normalized (as stored) and as the compiler opens it, which is what exists or not.
      const candidates: Array<[string, ProbeOrigin, string]> = isAbsolute(probe.name)
        ? [[probe.name, { from: 'literal' }, probe.name]]
        : [
            ...(probe.quoted ? [[join(here, probe.name), beside, `${here}/${probe.name}`] as [string, ProbeOrigin, string]] : []),
            ...p.chain.map((d, k): [string, ProbeOrigin, string] => [join(d, probe.name), { from: 'chain', index: k }, `${p.chainAsGiven?.[k] ?? d}/${probe.name}`]),
          ];
      for (const [c, origin, opened] of candidates) {
        from(c, origin);
        if (existsSync(opened)) {
          present.add(c);
          presentAsOpened.add(opened);
          break;
        }
        absent.add(c);
      }
    }
  });
  for (const c of present) absent.delete(c);
  return { absent: [...absent].sort(), present: [...present].sort(), presentAsOpened: [...presentAsOpened], origins, existing: [...existing].sort() };
}

/** `file` relative to `dir` when below it. Both are absolute and normal (resolved), so a prefix test is exact. */
function under(dir: string, file: string): string | undefined {
  const prefix = dir === '/' ? '/' : `${dir}/`;
  return file.length > prefix.length && file.startsWith(prefix) ? file.slice(prefix.length) : undefined;
}
