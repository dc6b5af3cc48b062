// The records behind `reprise why` (docs/why.md): what the daemon writes per output file,
// and the report the CLI derives from the last two. Both are JSON; fields are only ever added.
import type { KeyEntry } from '../keying/key-builder.js';

export type CompileOutcome = 'hit' | 'miss' | 'not-stored';

/** One cacheable compile that wrote an output file, as `reprise why` needs it. */
export interface CompileRecord {
  /** When the daemon answered the call (ISO time). */
  at: string;
  /** hit: replayed from the cache; miss: compiled and stored; not-stored: compiled, but the result was not stored (`reason`). */
  outcome: CompileOutcome;
  /** The shim's name (gcc, g++, clang, ...). */
  tool: string;
  /** An uncacheable reason (src/pipeline/uncacheable-reasons.ts), for not-stored. */
  reason?: string;
  directKey: string;
  /** The direct key's inputs, as `reprise explain` prints them. */
  transcript: KeyEntry[];
  /**
   * The result that was replayed or stored; absent for not-stored. With the direct key it
   * names the manifest entry that lists the files read (their digests) and the paths
   * probed: `why` reads them from there rather than keeping a copy per output file.
   */
  resultKey?: string;
  /** Where the compile ran (getcwd and $PWD): the stored relative paths of its input set resolve against these. Absent in early records. */
  dirs?: { cwd: string; pwd: string };
}

/** The file $REPRISE_CACHE_DIR/<digest>/why/ab/cdef… (the digest of `output`). */
export interface WhyDocument {
  schema: 1;
  /** The output file, absolute, its directory resolved through symlinks. */
  output: string;
  /** The last compiles that wrote it, oldest first, at most two. */
  compiles: CompileRecord[];
}

/** One difference between the two last compiles of a file. */
export type WhyChange =
  /** An argument in the key changed, was added or was removed (terminal: one the daemon adds for the caller's terminal). */
  | { kind: 'argument-changed'; from: string; to: string; terminal: boolean }
  | { kind: 'argument-added'; value: string; terminal: boolean }
  | { kind: 'argument-removed'; value: string; terminal: boolean }
  /** Any other direct-key input, by its transcript tag (env:NAME, tool:NAME, source, language, cwd, salt, ...); null: not in that compile's key. */
  | { kind: 'key-input-changed'; tag: string; from: string | null; to: string | null }
  /** A file read by both compiles whose content differs. */
  | { kind: 'header-changed'; path: string; from: string; to: string }
  /** A file read now that the compile before did not read (and did not probe). */
  | { kind: 'header-added'; path: string; digest: string }
  /** A file the compile before read that is no longer read. */
  | { kind: 'header-removed'; path: string; digest: string }
  /** A path that had to stay absent now holds a file that is read: it shadows another header, or satisfies a __has_include. */
  | { kind: 'header-appeared'; path: string; digest: string }
  /** A path whose existence a __has_include tested came or went. */
  | { kind: 'probe-changed'; path: string; exists: boolean }
  /** The entry compared with serves only compiles in other directories (`pwd`, getcwd `cwd`): its result may hold their paths. */
  | { kind: 'entry-bound'; cwd: string; pwd: string; reason: string | null };

export type WhyVerdict =
  /** Nothing is recorded for the file. */
  | 'no-record'
  /** The record failed validation; it has been deleted (the next compile starts a new one). */
  | 'corrupt-record'
  /** Only one compile is recorded, and no other entry of its direct key to compare it with (or it was a hit). */
  | 'one-compile'
  /** No key input differs between the two compiles (or the compile and the nearest entry). */
  | 'nothing-changed'
  /** `changes` lists what differs. */
  | 'changed';

/** `reprise why FILE --json`. */
export interface WhyReport {
  schema: 1;
  file: string;
  verdict: WhyVerdict;
  /**
   * The recorded compiles, oldest first, without their key inputs; `boundTo` when the entry
   * it stored or replayed serves only its own directories, with the reason when known.
   */
  compiles: Array<Pick<CompileRecord, 'at' | 'outcome' | 'tool' | 'reason' | 'directKey' | 'resultKey'> & { boundTo?: { cwd: string; pwd: string; reason: string | null } }>;
  /**
   * Set when the file has one compile recorded (the first at this path: a new build
   * directory or checkout) and it was not a hit: the stored entry of the same direct key
   * it was compared with, the nearest in the files read. `later`: stored after that
   * compile, so it was not there to hit. Without one there is nothing to compare.
   */
  nearest?: { resultKey: string; later: boolean };
  /**
   * False when either compile's input set is unknown: it was not stored, or its manifest
   * entry is no longer in the cache. Header changes are then not listed.
   */
  headersCompared: boolean;
  changes: WhyChange[];
}
