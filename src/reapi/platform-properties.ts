// The platform properties by which reprise's own clients ask `reprise serve --execute` for
// more than REAPI says (docs/remote-execution.md). Other servers ignore them: what each client
// does about that is its own (a start script's check, a trace that does not come back). And the
// directories its sandbox keeps for itself, which decide where a root at `/` can place files.

/** The input root placed at `/`, its directories at their own paths (value `/`: src/reapi/serve/execute/place-root-at-slash.ts). */
export const ROOT_AT_PROPERTY = 'reprise-root-at';
/**
 * The top-level directories `reprise serve --execute` shows from its own system, read-only, in
 * every action: a root at `/` places files there only in directories below them, bound over the
 * executor's own (place-root-at-slash.ts).
 */
export const SYSTEM_TOP_DIRS: ReadonlySet<string> = new Set(['usr', 'bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32', 'etc']);
/** Kernel file systems, the sandbox's own: nothing of a root at `/` may go there. */
export const KERNEL_TOP_DIRS: ReadonlySet<string> = new Set(['proc', 'dev', 'sys']);
/** The command's lookup trace (every open, stat, exec and getenv: shims/lookup-trace.c) written to the output file the value names. */
export const TRACE_PROPERTY = 'reprise-lookup-trace';
/**
 * With TRACE_PROPERTY, for a root at `/`: every file the traced command read, looked at or ran
 * from the executor's own disk rather than the root, with its SHA-256, written as JSON
 * (OutsideDigests) to the output file the value names (src/reapi/serve/execute/outside-digests.ts).
 */
export const OUTSIDE_DIGESTS_PROPERTY = 'reprise-outside-digests';

/** The file OUTSIDE_DIGESTS_PROPERTY names. */
export interface OutsideDigests {
  /** Absolute path on the executor → SHA-256 (hex). */
  files: Record<string, string>;
  /** A program run by a bare name → the path the command's PATH found it at. */
  programs: Record<string, string>;
}
