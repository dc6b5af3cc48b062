import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { parseLookupTrace, type LookupTrace } from '../../exec/parse-lookup-trace.js';
import type { Sandbox } from '../../exec/create-sandbox.js';
import { runOnHost } from '../../exec/run-on-host.js';
import { installPaths } from '../../runtime/install-paths.js';
import type { CacheContext } from '../cache-context.js';
import type { RunOutcome } from '../store-compile.js';
import { windowStartNs } from '../window-start-ns.js';
import { outputWritesSettled } from '../output-writes-settled.js';
import { pinFiles, type PinnedFiles } from './pin-files.js';
import type { GhcCall, GhcKeyed } from './ghc-call.js';

export type GhcRun =
  /** `injected`: what the fill's environment holds that bare ghc's never does: the tracer's library, and the scratch directory (the trace file, runOnHost's $TMPDIR). */
  | { kind: 'ran'; outcome: RunOutcome; data: Buffer[]; trace?: LookupTrace; own: string[]; pinned?: PinnedFiles; injected: string[] }
  | { kind: 'sandbox-error'; why: string };

/**
 * Runs `ghc -c` over the host's own file system, read-only, its writes kept in overlays
 * of its output directories (ghc writes `X.o.tmp` and renames it), with the lookup tracer
 * preloaded. The module's old outputs are hidden behind empty files: ghc reads its old
 * interface first, which changes the new object's bytes, or skips writing altogether when
 * it finds it current. So every fill is a clean build of the module. The output directories
 * are made first, as ghc would make them.
 */
/** `pin`: files shown as they are when the compile starts, whatever the build writes there meanwhile (pin-files.ts); the caller releases them. */
export async function runGhcInSandbox(ctx: CacheContext, sandbox: Sandbox, c: GhcCall, k: GhcKeyed, trace: boolean, signal: AbortSignal, pin: readonly string[] = []): Promise<GhcRun> {
  const outputs = k.outputs.map((o) => resolve(c.cwd, o.path));
  const traceFile = trace ? join(sandbox.scratchDir, `${randomBytes(8).toString('hex')}-trace`) : undefined;
  // A fill checks that nothing it read changed after it began: let the daemon's own last write fall before that.
  if (trace) await outputWritesSettled();
  const startedAtNs = windowStartNs();
  let pinned: PinnedFiles | undefined;
  try {
    for (const o of outputs) mkdirSync(dirname(o), { recursive: true });
    sandbox.ensureScratch();
    pinned = pin.length > 0 ? pinFiles(pin, sandbox.scratchDir, startedAtNs) : undefined;
    if (pin.length > 0 && !pinned) return { kind: 'sandbox-error', why: 'a file to pin was written after the compile began' };
    const env = new Map(c.env);
    if (traceFile) {
      closeSync(openSync(traceFile, 'wx', 0o600));
      const preload = c.env.get('LD_PRELOAD');
      env.set('LD_PRELOAD', preload ? `${installPaths.lookupTrace}:${preload}` : installPaths.lookupTrace);
      env.set('REPRISE_TRACE', traceFile);
    }
    const r = await runOnHost({
      sandbox, toolPath: c.toolPath, args: [...c.job.runArgs, ...c.terminalArgs], cwd: c.cwd, env, umask: c.umask,
      outputs, emptyOutputs: true, pins: pinned?.binds, signal, log: ctx.log,
    });
    if (r.kind === 'no-overlay') return { kind: 'sandbox-error', why: 'no overlay mount for the output directories' };
    if (r.kind !== 'ran') return r;
    const outcome: RunOutcome = { code: r.code, signal: r.signal, stdout: r.stdout, stderr: r.stderr, startedAtNs, durationMs: r.durationMs };
    const ran: GhcRun = { kind: 'ran', outcome, data: r.outputs, own: [sandbox.scratchDir], injected: traceFile ? [sandbox.scratchDir, installPaths.lookupTrace] : [], ...(pinned ? { pinned } : {}), ...(traceFile ? { trace: parseLookupTrace(readFileSync(traceFile)) } : {}) };
    pinned = undefined; // the caller's now
    return ran;
  } catch (e) {
    return { kind: 'sandbox-error', why: (e as Error).message };
  } finally {
    pinned?.release();
    if (traceFile) {
      try {
        unlinkSync(traceFile);
      } catch {
        // never made
      }
    }
  }
}
