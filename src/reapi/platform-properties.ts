// The platform properties by which reprise's own clients ask `reprise serve --execute` for
// more than REAPI says (docs/remote-execution.md). Other servers ignore them: what each client
// does about that is its own (a start script's check, a trace that does not come back).

/** The input root placed at `/`, its directories at their own paths (value `/`: src/reapi/serve/execute/place-root-at-slash.ts). */
export const ROOT_AT_PROPERTY = 'reprise-root-at';
/** The command's lookup trace (every open, stat, exec and getenv: shims/lookup-trace.c) written to the output file the value names. */
export const TRACE_PROPERTY = 'reprise-lookup-trace';
