import type { LookupTrace } from '../exec/parse-lookup-trace.js';

const PROC_ENVIRON = /^\/proc\/(?:self|thread-self|\d+)(?:\/task\/\d+)?\/environ$/;

/**
 * A `/proc/…/environ` file the traced run read, or undefined: a process's whole environment
 * as one file, so which variables a proc-macro or splice used of it is unknown (no getenv shows).
 */
export function environRead(t: LookupTrace): string | undefined {
  for (const [p, a] of t.reads) if (a === 'found' && PROC_ENVIRON.test(p)) return p;
  return undefined;
}
