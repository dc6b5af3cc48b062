import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import type { ContentScan } from './scan-content.js';

export interface ProbeInput {
  /** Every file the compile read (absolute), the source first, with its content scan. */
  inputs: ReadonlyArray<{ path: string; scan: ContentScan }>;
  /** Every directory the preprocessor may search for <...>, in order (-iquote, -I, -isystem, system, -idirafter), existing or not. */
  chain: readonly string[];
}

export interface Probes {
  /** Paths that must stay absent: had one existed, the compiler would have read it instead. */
  absent: string[];
  /** Paths that must still exist: __has_include answered true because of them. */
  present: string[];
}

/**
 * What else, besides the inputs' contents, decides which files the preprocessor reads:
 * the hole in ccache's direct mode is a new header in an earlier -I directory.
 * - A header found in chain directory i would be shadowed by the same name in any
 *   directory before i.
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
  // A candidate that exists but was not read cannot lie on an active include's search path
  // (it would have been found first): it sits behind an inactive #if. Only the missing
  // ones must stay missing.
  const mustLack = (path: string): void => {
    if (!inputs.has(path) && !absent.has(path) && !existsSync(path)) absent.add(path);
  };
  const headers = p.inputs.slice(1).map((i) => i.path);
  for (const f of p.inputs) mustLack(`${f.path}.gch`);
  for (const header of headers) {
    for (let i = 0; i < p.chain.length; i++) {
      const rel = under(p.chain[i]!, header);
      if (rel !== undefined) for (let j = 0; j < i; j++) mustLack(join(p.chain[j]!, rel));
    }
  }
  for (const f of p.inputs) {
    const here = dirname(f.path);
    for (const name of f.scan.quoteIncludes) if (!isAbsolute(name)) mustLack(join(here, name));
    // `#include MACRO` may be either form: assume quoted for every header read.
    if (f.scan.computedInclude) {
      for (const header of headers) for (const dir of p.chain) {
        const rel = under(dir, header);
        if (rel !== undefined) mustLack(join(here, rel));
      }
    }
    for (const probe of f.scan.probes) {
      const candidates = isAbsolute(probe.name) ? [probe.name] : [...(probe.quoted ? [here] : []), ...p.chain].map((d) => join(d, probe.name));
      for (const c of candidates) {
        if (existsSync(c)) {
          present.add(c);
          break;
        }
        absent.add(c);
      }
    }
  }
  for (const c of present) absent.delete(c);
  return { absent: [...absent].sort(), present: [...present].sort() };
}

function under(dir: string, file: string): string | undefined {
  const rel = relative(dir, file);
  return rel !== '' && !rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel) ? rel : undefined;
}
