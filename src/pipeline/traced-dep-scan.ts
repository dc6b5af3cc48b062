import { closeSync, openSync, readFileSync, unlinkSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { parseLookupTrace, type LookupTrace } from '../exec/parse-lookup-trace.js';
import type { Sandbox } from '../exec/create-sandbox.js';
import { runOnHost } from '../exec/run-on-host.js';
import { installPaths } from '../runtime/install-paths.js';
import type { CacheContext } from './cache-context.js';
import type { CompileCall } from './cached-compile.js';
import { windowStartNs } from './window-start-ns.js';

export type TracedScan =
  | { kind: 'scanned'; depText: string; trace: LookupTrace; scratchRoots: string[]; startedAtNs: bigint }
  | { kind: 'failed'; why: string };

/**
 * The compile's dependency-only pre-pass (`scanArgs -M -MF FILE`) over the host's read-only
 * view with the lookup tracer preloaded, as runInSandbox runs a fill: what it lists and what
 * it looked up (present and absent) are the host's answers to every question the
 * preprocessor asks, which a remote compile must then be given (c-remote-fill.ts).
 */
export async function tracedDepScan(ctx: CacheContext, sandbox: Sandbox, c: CompileCall, signal: AbortSignal): Promise<TracedScan> {
  const tag = randomBytes(8).toString('hex');
  const depfile = join(sandbox.scratchDir, `${tag}-scan.d`);
  const traceFile = join(sandbox.scratchDir, `${tag}-scan-trace`);
  const startedAtNs = windowStartNs();
  try {
    sandbox.ensureScratch();
    for (const f of [depfile, traceFile]) closeSync(openSync(f, 'wx', 0o600));
    const env = new Map(c.env);
    const preload = c.env.get('LD_PRELOAD');
    env.set('LD_PRELOAD', preload ? `${installPaths.lookupTrace}:${preload}` : installPaths.lookupTrace);
    env.set('REPRISE_TRACE', traceFile);
    const r = await runOnHost({ sandbox, toolPath: c.toolPath, args: [...c.job.scanArgs, '-M', '-MF', depfile], cwd: c.cwd, env, umask: c.umask, outputs: [], signal, log: ctx.log });
    if (r.kind !== 'ran') return { kind: 'failed', why: r.kind === 'sandbox-error' ? r.why : 'no overlay' };
    if (r.code !== 0 || r.signal !== 0) return { kind: 'failed', why: `the pre-pass exited ${r.code}: ${r.stderr.toString('utf8').slice(0, 200)}` };
    return { kind: 'scanned', depText: readFileSync(depfile, 'utf8'), trace: parseLookupTrace(readFileSync(traceFile)), scratchRoots: [sandbox.scratchDir], startedAtNs };
  } catch (e) {
    return { kind: 'failed', why: (e as Error).message };
  } finally {
    for (const f of [depfile, traceFile]) {
      try {
        unlinkSync(f);
      } catch {
        // already gone, or never made
      }
    }
  }
}
