import { closeSync, openSync, readFileSync, unlinkSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { parseLookupTrace, type LookupTrace } from '../exec/parse-lookup-trace.js';
import type { Sandbox } from '../exec/create-sandbox.js';
import { runOnHost } from '../exec/run-on-host.js';
import { installPaths } from '../runtime/install-paths.js';
import type { CacheContext } from './cache-context.js';
import type { CompileCall } from './cached-compile.js';
import { jobOutputs } from './place-outputs.js';
import type { RunOutcome } from './store-compile.js';

/** A compile run in the sandbox: its outcome, the bytes of each output (jobOutputs order) and what it looked up. */
export type SandboxRun =
  | {
    kind: 'ran'; outcome: RunOutcome; data: Buffer[]; depfile?: Buffer; trace?: LookupTrace; scratchRoots?: string[];
    /** Verify mode: how an output compares with the one served, when not byte for byte (ghc's interfaces: same-interface.ts). */
    same?: (output: number, cached: Buffer, fresh: Buffer) => boolean;
  }
  /** The sandbox could not run it at all (no spawner, a view that cannot be built): not the compile's fault. */
  | { kind: 'sandbox-error'; why: string };

export interface SandboxRunOptions {
  /** Adds `-MD -MF FILE` (job.listsInputs 'added') and returns FILE's bytes. */
  depfile?: boolean;
  /** Preloads the lookup tracer and returns what it recorded (verify mode runs without it). */
  trace: boolean;
}

/**
 * Runs the compile over the host's own file system, read-only (runOnHost), with the lookup
 * tracer preloaded (shims/lookup-trace.c): the sandbox proves what the compile looked at,
 * it never decides it. Nothing reaches the caller here: the outputs are placed only once
 * the result is known good.
 */
export async function runInSandbox(ctx: CacheContext, sandbox: Sandbox, c: CompileCall, opts: SandboxRunOptions, startedAtNs: bigint, signal: AbortSignal): Promise<SandboxRun> {
  const tag = randomBytes(8).toString('hex');
  const depfile = opts.depfile ? join(sandbox.scratchDir, `${tag}-deps.d`) : undefined;
  const traceFile = opts.trace ? join(sandbox.scratchDir, `${tag}-trace`) : undefined;
  const files = [...(depfile ? [depfile] : []), ...(traceFile ? [traceFile] : [])];
  try {
    sandbox.ensureScratch();
    for (const s of files) closeSync(openSync(s, 'wx', 0o600));
    const env = new Map(c.env);
    if (traceFile) {
      const preload = c.env.get('LD_PRELOAD');
      env.set('LD_PRELOAD', preload ? `${installPaths.lookupTrace}:${preload}` : installPaths.lookupTrace);
      env.set('REPRISE_TRACE', traceFile);
    }
    const r = await runOnHost({
      sandbox, toolPath: c.toolPath, args: [...c.job.runArgs, ...c.terminalArgs, ...(depfile ? ['-MD', '-MF', depfile] : [])], cwd: c.cwd, env, umask: c.umask,
      outputs: jobOutputs(c.job).map((o) => resolve(c.cwd, o.path)), signal, log: ctx.log,
    });
    if (r.kind !== 'ran') return { kind: 'sandbox-error', why: r.kind === 'sandbox-error' ? r.why : 'no overlay' };
    const outcome: RunOutcome = { code: r.code, signal: r.signal, stdout: r.stdout, stderr: r.stderr, startedAtNs, durationMs: r.durationMs };
    const ok = r.code === 0 && r.signal === 0;
    return {
      kind: 'ran', outcome, data: r.outputs, scratchRoots: [sandbox.scratchDir],
      ...(ok && depfile ? { depfile: readFileSync(depfile) } : {}),
      ...(traceFile ? { trace: parseLookupTrace(readFileSync(traceFile)) } : {}),
    };
  } catch (e) {
    return { kind: 'sandbox-error', why: (e as Error).message };
  } finally {
    for (const s of files) {
      try {
        unlinkSync(s);
      } catch {
        // already gone, or never made
      }
    }
  }
}
