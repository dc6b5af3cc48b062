import { resolve } from 'node:path';
import { readInterface } from '../../adapters/ghc/read-interface.js';
import type { LookupTrace } from '../../exec/parse-lookup-trace.js';
import { readText } from './splice-environment.js';
import type { GhcCall, GhcKeyed } from './ghc-call.js';
import type { GhcInputs } from './ghc-trace.js';

/** A source that turns CPP on for itself. */
const CPP_PRAGMA = /\{-#\s*(?:LANGUAGE\b[^#]*\bCPP\b|OPTIONS(?:_GHC)?\b[^#]*-cpp\b)/;

/** ghc's temporary directory for a call, as it spells it: the last -tmpdir, else $TMPDIR, else /tmp. */
export function ghcTmpDir(args: readonly string[], env: ReadonlyMap<string, string>): string {
  const at = args.lastIndexOf('-tmpdir');
  return (at >= 0 ? args[at + 1] : undefined) ?? (env.get('TMPDIR') || '/tmp');
}

/** The files a compile's interface records it depends on (what CPP included, addDependentFile), or undefined when it cannot be read (not ghc 9.0's). */
export function dependentFiles(k: GhcKeyed, data: readonly Buffer[]): string[] | undefined {
  const hi = k.outputs.findIndex((o) => o.role === 'hi');
  return hi >= 0 && data[hi] ? readInterface(data[hi])?.files : undefined;
}

/**
 * A file the fill's interface records (`recorded`: dependentFiles) that bare ghc's would not, or undefined. ghc leaves out
 * of an interface's dependent files every path CPP included that starts, as a string, with its
 * temporary directory (its own preprocessed copies are there). A fill runs ghc with a private
 * $TMPDIR, so a header included by an absolute path under the caller's (a project under /tmp)
 * is recorded by the fill and left out by bare ghc: the outputs differ. When the interface
 * cannot be read, a CPP module that read anything there is taken to differ.
 */
export function tmpDirDivergence(c: GhcCall, recorded: readonly string[] | undefined, trace: LookupTrace | undefined): string | undefined {
  const tmp = ghcTmpDir(c.job.runArgs, c.env);
  if (recorded) return recorded.find((f) => f.startsWith(tmp));
  if (!c.job.cpp && !CPP_PRAGMA.test(readText(resolve(c.cwd, c.job.source)))) return undefined;
  return [...(trace?.reads.keys() ?? [])].find((p) => p.startsWith(tmp));
}

/**
 * What a stored compile's entry must also hold because of that rule: an interface that records
 * dependent files is bare ghc's only while none of them starts with the caller's temporary
 * directory, so the entry is kept to the caller's $TMPDIR (unkeyed otherwise: ghc-trace.ts).
 */
export function withTmpDirKeyed(learned: GhcInputs, c: GhcCall, recorded: readonly string[] | undefined): GhcInputs {
  if (recorded?.length === 0 || learned.env.some((e) => e.name === 'TMPDIR')) return learned;
  const env = [...learned.env, { name: 'TMPDIR', value: c.env.get('TMPDIR') ?? null }].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { ...learned, env };
}
