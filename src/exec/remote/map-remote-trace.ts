import { posix } from 'node:path';
import type { LookupTrace } from '../parse-lookup-trace.js';
import { underAny } from './under-any.js';

/** A lookup trace recorded on an executor, read as the host's. */
export interface HostTrace {
  /** Paths under the executor's input root mapped back to the host's ("/w/x/usr/include/a.h" is "/usr/include/a.h"). */
  trace: LookupTrace;
  /** Paths the command looked up elsewhere on the executor's own disk (kept as spelled in `trace`). */
  outside: ReadonlySet<string>;
}

/** Kernel files: the same questions as on the host, answered by the kernel. */
const KERNEL = ['/proc', '/dev', '/sys'];
/**
 * Where the sandbox's private /tmp (the compiler's temporary files) is placed in the mapped
 * trace: a name no host path has, so that a project under the host's /tmp is never taken for it.
 */
export const EXECUTOR_TMP = '/.reprise-executor-tmp';

/**
 * Maps a trace taken on an executor (`root`: the executor's path of the input root; the
 * command ran in `hostCwd`'s place under it) to host paths. The sandbox's /tmp goes to
 * EXECUTOR_TMP; any other path outside the root but the kernel's stays as spelled and is listed
 * in `outside`: the executor's disk answered it, and nothing says the host would answer the same.
 * A root placed at `/` (build-root-at-slash-action.ts) is given as `{ held }`, its files by host
 * path: every path is the host's, and those it does not hold are the executor's, but under
 * /tmp: the executor places each directory of the root there whole (`/tmp/x` for a root file
 * in tmp/x/), so any path under one is the root's (one absent there is absent in the root), and
 * only the rest of /tmp is the sandbox's own.
 */
export function mapRemoteTrace(t: LookupTrace, root: string | { held: ReadonlySet<string> }, hostCwd: string): HostTrace {
  const outside = new Set<string>();
  // A path in the root at the host's, else undefined.
  const unrooted = typeof root === 'string'
    ? (p: string): string | undefined => (p === root ? '/' : p.startsWith(`${root}/`) ? p.slice(root.length) : undefined)
    : placedAtSlash(root.held, hostCwd);
  const host = (p: string): string => {
    const inRoot = unrooted(p);
    if (inRoot !== undefined) return inRoot;
    if (p === '/tmp' || p.startsWith('/tmp/')) return EXECUTOR_TMP + p.slice(4);
    if (p.startsWith('/') && !KERNEL.some((o) => p === o || p.startsWith(`${o}/`))) outside.add(p);
    return p;
  };
  const paths = <V>(m: Map<string, V>): Map<string, V> => new Map([...m].map(([p, v]) => [host(p), v]));
  const trace: LookupTrace = {
    complete: t.complete,
    reads: paths(t.reads),
    looks: paths(t.looks),
    writes: paths(t.writes),
    listed: paths(t.listed),
    // A program run by a relative path (the start script's ../../usr/bin/gcc) is found from the working directory, the host's after mapping; a bare name, through PATH.
    execs: new Set([...t.execs].map((p) => (p.includes('/') && !p.startsWith('/') ? posix.resolve(hostCwd, p) : host(p)))),
    loaded: new Set([...t.loaded].map(host)),
    env: t.env,
    envReaders: new Map([...t.envReaders].map(([name, programs]) => [name, new Set([...programs].map(host))])),
    // Named, not looked up: a caller outside the root (the executor's libc) is no lookup of the compile's.
    envCallers: new Map([...t.envCallers].map(([name, objects]) => [name, new Set([...objects].map((p) => unrooted(p) ?? p))])),
    clock: new Set([...t.clock].map(host)),
    unplaced: t.unplaced,
  };
  return { trace, outside };
}

/** For a root at `/`: a path held, or under a directory of the root placed whole in /tmp (place-root-at-slash.ts), at the host's; else undefined. */
function placedAtSlash(held: ReadonlySet<string>, cwd: string): (p: string) => string | undefined {
  const top = (p: string): string | undefined => (p.startsWith('/tmp/') ? `/tmp/${p.split('/')[2]}` : undefined);
  // The working directory is placed too, though the root hold nothing in it.
  const tops = [...new Set([...held, posix.normalize(cwd)].map(top).filter((d): d is string => d !== undefined))];
  return (p) => (held.has(p) || underAny(p, tops) ? p : undefined);
}
