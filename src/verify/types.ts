// The records of verify mode (docs/verify.md): one JSON line per hit whose fresh compile
// differed, appended by the daemon to <cache dir>/<digest>/verify/mismatches.jsonl and read
// back by `reprise verify`. Fields are only ever added.

/** What a mismatch most likely comes from, best guess first (mismatch-hint.ts). */
export const VERIFY_HINTS = [
  'compiler-nondeterminism', // two fresh compiles differ from each other
  'timestamp-macro', // the bytes that differ hold a date or time (__DATE__, __TIME__, __TIMESTAMP__)
  'absolute-path', // one side names a file at a path where the other names it elsewhere
  'fresh-compile-failed', // the stored result succeeded, the fresh compile in the sandbox did not
  'poisoned-entry', // fresh compiles agree with each other; the stored result does not
] as const;
export type VerifyHint = (typeof VERIFY_HINTS)[number];

/** One thing that differed: an output by its role (object, dwo, gcno, su, depfile) and path, or the compiler's stdout, stderr or exit status. */
export interface VerifyDifference {
  what: string;
  /** Absolute, for an output file. */
  path?: string;
}

/** One verified hit that did not match a fresh compile. */
export interface VerifyMismatch {
  schema: 1;
  /** When it was found (ISO 8601). */
  at: string;
  tool: string;
  /** The file the compile writes (its object; the source when it writes to /dev/null), absolute. */
  file: string;
  cwd: string;
  /** The action result that was replayed (`reprise why FILE` shows the same key). */
  resultKey: string;
  differs: VerifyDifference[];
  hint: VerifyHint;
  /** What the hint rests on (the date or path found), when there is something to show. */
  detail?: string;
}

/** `reprise verify --json`: what the build's hits came to. Counts are the daemon's counters over the run. */
export interface VerifyReport {
  schema: 1;
  /** The command's exit status (128 + N for a signal). */
  status: number;
  hits: number;
  verified: number;
  mismatched: number;
  /** Hits chosen for verifying that could not be compiled again (the daemon log says why). */
  skipped: number;
  mismatches: VerifyMismatch[];
  /** Lines of the mismatch log that are not records, with what is wrong with each. */
  unreadable: string[];
}
