import { statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { LookupTrace } from '../../exec/parse-lookup-trace.js';
import type { FileDigestCache } from '../../hashing/file-digest-cache.js';
import { under } from '../trace-coverage.js';
import { SYSTEM_TREES as SYSTEM } from '../system-trees.js';
import type { PipelineUncacheableReason } from '../uncacheable-reasons.js';
import type { GhcUncacheableReason } from '../../adapters/ghc/types.js';
import { TIME_MACRO } from '../../adapters/gcc/scan-content.js';
import { environmentDigest, environmentWalker, readText, WHOLE_ENVIRONMENT } from './splice-environment.js';

/** What a ghc fill read, as its trace saw it: the manifest entry's inputs, absences, existences and variables. */
export interface GhcInputs {
  /** Every file it read, absolute, with its digest: sources, interfaces, objects a splice ran, package files, headers. */
  inputs: Array<{ path: string; digest: string }>;
  /** Paths it looked for and did not find (a module searched along -i, an environment file): each must stay absent. */
  absent: string[];
  /** Paths whose existence it asked about without reading them (an imported module's object): each must still exist. */
  present: string[];
  /** The variables it read, with the caller's values (null: unset). */
  env: Array<{ name: string; value: string | null }>;
  /** The file that says a splice it ran could walk the whole environment (env then holds WHOLE_ENVIRONMENT). */
  walkedBy?: string;
}

export type GhcTraced =
  | { kind: 'ok'; learned: GhcInputs }
  | { kind: 'unstored'; reason: PipelineUncacheableReason | GhcUncacheableReason; what: string };

/**
 * Variables ghc and the C toolchain it runs read that cannot change the outputs or that the
 * key holds otherwise: the programs are found on PATH (the toolchain, taken on trust as for
 * rustc's linker), temporary directories are private to each run, TERM and COLUMNS shape
 * messages on a terminal and the daemon runs ghc through pipes, MAKEFLAGS carries make's
 * jobserver, and the tracer's own.
 */
export const GHC_UNKEYED_ENV: ReadonlySet<string> = new Set(['PATH', 'LD_LIBRARY_PATH', 'TMPDIR', 'TMP', 'TEMP', 'LD_PRELOAD', 'REPRISE_TRACE', 'TERM', 'COLUMNS', 'MAKEFLAGS', 'MFLAGS']);
/** Those ghc's own process reads (its temporary directory, the RTS linker's search path) and the tracer's. */
const GHC_OWN_UNKEYED_ENV: ReadonlySet<string> = new Set(['TMPDIR', 'LD_LIBRARY_PATH', 'LD_PRELOAD', 'REPRISE_TRACE']);

/** The C toolchain a ghc compile runs: the C compiler, assembler and linker and `touch` (a boot object) it names in --info. */
const C_TOOLCHAIN_PROGRAM = /^(?:[\w.-]+-)?(?:gcc|cc|clang|as|ld|ld\.gold|ld\.bfd|ld\.lld|collect2|cc1|lto-wrapper|nm|strip|ar|ranlib|llc|opt|unlit|touch)(?:-[\d.]+)?$/;
const GHC_PROGRAM = /^(?:[\w.-]+-)?(?:ghc|ghc-iserv|ghc-iserv-dyn)(?:-[\d.]+)?$/;
/** Programs a ghc compile runs that belong to its toolchain: the C toolchain, and its own. */
const toolchainProgram = (name: string): boolean => C_TOOLCHAIN_PROGRAM.test(name) || GHC_PROGRAM.test(name);

export interface GhcTraceOptions {
  /** The compile's private places (scratch, its $TMPDIR): not inputs. */
  own: readonly string[];
  /** The outputs, absolute (their `.tmp` siblings are ghc's own temporaries). */
  outputs: readonly string[];
  /** The compiler's library directory: programs there are its own. */
  libDir: string;
  cwd: string;
  env: ReadonlyMap<string, string>;
  files: FileDigestCache<unknown>;
  /** The suffixes of the objects and interfaces ghc makes (-osuf, -hisuf, -dynosuf, -dynhisuf). */
  artefactSuffixes: readonly string[];
  /** The module's source, absolute: its splices run from it. */
  source: string;
  /** Host path → the snapshot the compile was shown there (pin-files.ts): digested instead. */
  readFrom?: ReadonlyMap<string, string>;
}

/**
 * Turns a fill's lookup trace into what its entry must check: every file read (digested
 * now: a file changed since would show on the next lookup), every path found absent
 * outside the system's trees and PATH, every other existence answer, and every variable
 * read. A fill whose trace is incomplete, that listed a directory outside the system, ran
 * a program that is not the toolchain's or wrote a file the job does not name is not stored.
 */
export async function ghcTraced(t: LookupTrace, o: GhcTraceOptions): Promise<GhcTraced> {
  if (!t.complete || t.unplaced.length > 0) return { kind: 'unstored', reason: 'trace-incomplete', what: t.unplaced[0] ?? 'a process left untraced' };
  // A splice that read the time of day (getCurrentTime): the output is the moment's, as C's __TIME__.
  // The C toolchain's own reads (cc1 seeds its random numbers from it) are not a splice's.
  const clock = [...t.clock].find((x) => !C_TOOLCHAIN_PROGRAM.test(basename(x)));
  if (clock) return { kind: 'unstored', reason: 'time-macro', what: `read the wall clock (${clock})` };
  const outputs = new Set(o.outputs);
  const temporaries = new Set(o.outputs.map((p) => `${p}.tmp`));
  const skip = [...o.own, '/proc', '/dev', '/sys'];
  // ghc makes its output directories (the fill made them first): whether they exist is not an input.
  const outputDirs = new Set(o.outputs.flatMap((p) => ancestors(p)));
  const own = (p: string): boolean => outputs.has(p) || temporaries.has(p) || outputDirs.has(p) || under(p, skip);
  const pathDirs = (o.env.get('PATH') ?? '').split(':').filter((d) => d.startsWith('/'));
  const system = (p: string): boolean => under(p, SYSTEM) && !under(p, [o.cwd]);
  // Objects and interfaces (an imported module's object, asked about, never read): whether they exist is what ghc wants.
  const artefact = (p: string): boolean => o.artefactSuffixes.some((x) => p.endsWith(`.${x}`) || p.endsWith(`.${x}-boot`));

  // A write the view refused (read-only: EROFS) is one bare ghc may have made; a splice that
  // caught the error went on, and its outputs are not what bare ghc's run would leave.
  for (const [p, a] of t.writes) {
    if (a !== 'absent' && !own(p)) return { kind: 'unstored', reason: 'unexpected-output', what: `${a === 'found' ? 'wrote' : 'tried to write'} ${p}` };
  }
  for (const [p, a] of t.listed) {
    if (a === 'found' && !own(p) && !system(p) && !pathDirs.includes(p)) return { kind: 'unstored', reason: 'directory-listed', what: `listed ${p}` };
  }
  for (const x of t.execs) {
    if (x.startsWith('/') ? !under(x, [o.libDir]) && !toolchainProgram(basename(x)) : !toolchainProgram(x)) return { kind: 'unstored', reason: 'unkeyed-program', what: `ran ${x}` };
  }

  const inputs: GhcInputs['inputs'] = [];
  const read = new Set<string>();
  const absent = new Set<string>();
  for (const [p, a] of t.reads) {
    if (own(p)) continue;
    if (a === 'found') {
      const d = await o.files.digest(o.readFrom?.get(p) ?? p);
      if (!d) {
        // A directory opened for reading, or a file gone since: only a file is an input.
        if (o.files.stamp(p) === undefined && !dirExists(p)) return { kind: 'unstored', reason: 'input-vanished', what: p };
        continue;
      }
      read.add(p);
      inputs.push({ path: p, digest: d.digest.hash });
    } else if (!system(p) && !pathDirs.includes(dirname(p))) {
      if (a === 'absent') absent.add(p);
      else return { kind: 'unstored', reason: 'unkeyed-lookup', what: `could not read ${p}` };
    }
  }
  // A header CPP read that uses the clock (its __TIME__): the output is the moment's, as in C.
  const clocked = inputs.find((i) => i.path.endsWith('.h') && TIME_MACRO.test(readText(i.path)));
  if (clocked) return { kind: 'unstored', reason: 'time-macro', what: `read ${clocked.path}, which uses __DATE__ or __TIME__` };
  const present: string[] = [];
  for (const [p, a] of t.looks) {
    if (own(p) || read.has(p) || system(p) || pathDirs.includes(dirname(p))) continue;
    if (a === 'absent') absent.add(p);
    else if (a !== 'found') continue;
    else if (artefact(p) || !statSync(p, { throwIfNoEntry: false })?.isFile()) present.push(p);
    else {
      // A file asked about and not read that ghc does not make (a splice's getFileSize):
      // the size stat told it follows its bytes, so it is keyed by them.
      const d = await o.files.digest(p);
      if (!d) return { kind: 'unstored', reason: 'input-vanished', what: p };
      inputs.push({ path: p, digest: d.digest.hash });
    }
  }
  const env: GhcInputs['env'] = [];
  for (const [name] of t.env) {
    if (name.startsWith('REPRISE_')) continue;
    // What the C toolchain reads of these is left out; ghc's own process reads only
    // GHC_OWN_UNKEYED_ENV of them, so any other read there is a splice's (lookupEnv "PATH").
    const readBySplice = !GHC_OWN_UNKEYED_ENV.has(name) && [...(t.envReaders.get(name) ?? [])].some((x) => GHC_PROGRAM.test(basename(x)));
    if (GHC_UNKEYED_ENV.has(name) && !readBySplice) continue;
    env.push({ name, value: o.env.get(name) ?? null });
  }
  // A splice that could walk the whole environment: the entry holds all of it (splice-environment.ts).
  const walkedBy = await environmentWalker(t, inputs, o.source);
  if (walkedBy) env.push({ name: WHOLE_ENVIRONMENT, value: environmentDigest(o.env) });
  env.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { kind: 'ok', learned: { inputs, absent: [...absent].sort(), present: present.sort(), env, ...(walkedBy ? { walkedBy } : {}) } };
}

/** Every directory above p, up to the root. */
export function ancestors(p: string): string[] {
  const out: string[] = [];
  for (let d = dirname(p); d !== '/' && !out.includes(d); d = dirname(d)) out.push(d);
  return out;
}

function dirExists(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
