import { chmodSync, mkdirSync, openSync, closeSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { hostView } from '../exec/host-view.js';
import { parseLookupTrace, type LookupTrace } from '../exec/parse-lookup-trace.js';
import type { Sandbox } from '../exec/create-sandbox.js';
import type { LocalRunResult } from '../exec/types.js';
import { installPaths } from '../runtime/install-paths.js';
import type { CacheContext } from './cache-context.js';
import type { CompileCall } from './cached-compile.js';
import { jobOutputs } from './place-outputs.js';
import type { RunOutcome } from './store-compile.js';

/** A compile run in the sandbox: its outcome, the bytes of each output (jobOutputs order) and what it looked up. */
export type SandboxRun =
  | { kind: 'ran'; outcome: RunOutcome; data: Buffer[]; depfile?: Buffer; trace?: LookupTrace; scratchRoots?: string[] }
  /** The sandbox could not run it at all (no spawner, a view that cannot be built): not the compile's fault. */
  | { kind: 'sandbox-error'; why: string };

export interface SandboxRunOptions {
  /** Adds `-MD -MF FILE` (job.listsInputs 'added') and returns FILE's bytes. */
  depfile?: boolean;
  /** Preloads the lookup tracer and returns what it recorded (verify mode runs without it). */
  trace: boolean;
}

/** Whether overlayfs mounts work for this cache's scratch directory (an upper directory needs a file system that supports one). */
let overlays: 'untried' | 'work' | 'fail' = 'untried';

/**
 * Runs the compile over the host's own file system, read-only, so that every lookup answers
 * as it would outside (hostView), with its writes kept in scratch (each output directory
 * an overlay of the host's, or each output a bound scratch file where overlays cannot be
 * had), a private $TMPDIR, no network, and the lookup tracer preloaded
 * (shims/lookup-trace.c): the sandbox proves what the compile looked at, it never decides
 * it. Nothing reaches the caller here: the outputs are placed only once the result is known good.
 */
export async function runInSandbox(ctx: CacheContext, sandbox: Sandbox, c: CompileCall, opts: SandboxRunOptions, startedAtNs: bigint, signal: AbortSignal): Promise<SandboxRun> {
  const abs = (p: string): string => resolve(c.cwd, p);
  const tag = randomBytes(8).toString('hex');
  const wanted = jobOutputs(c.job);
  const depfile = opts.depfile ? join(sandbox.scratchDir, `${tag}-deps.d`) : undefined;
  const traceFile = opts.trace ? join(sandbox.scratchDir, `${tag}-trace`) : undefined;
  const tmpDir = join(sandbox.scratchDir, `${tag}-tmp`);
  const scratch = wanted.map((_, i) => join(sandbox.scratchDir, `${tag}-${i}.out`));
  const files = [...scratch, ...(depfile ? [depfile] : []), ...(traceFile ? [traceFile] : [])];
  const dirs = [tmpDir];
  const releases: Array<() => void> = [];
  try {
    sandbox.ensureScratch();
    for (const s of files) closeSync(openSync(s, 'wx', 0o600));
    mkdirSync(tmpDir, { mode: 0o700 });
    const env = new Map(c.env);
    env.set('TMPDIR', tmpDir);
    if (traceFile) {
      const preload = c.env.get('LD_PRELOAD');
      env.set('LD_PRELOAD', preload ? `${installPaths.lookupTrace}:${preload}` : installPaths.lookupTrace);
      env.set('REPRISE_TRACE', traceFile);
    }
    const attempt = async (overlay: boolean): Promise<{ r: LocalRunResult; written: string[]; out: Buffer[]; err: Buffer[]; ms: number } | 'mounts-below'> => {
      const view = hostView(wanted.map((o, i) => ({ scratch: scratch[i]!, path: abs(o.path) })), overlay);
      if (view === 'mounts-below') return view;
      releases.push(view.release);
      dirs.push(...view.uppers);
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      const t0 = performance.now();
      const r = await sandbox.executor.run({
        toolPath: c.toolPath, argv0: c.toolPath, args: [...c.job.runArgs, ...c.terminalArgs, ...(depfile ? ['-MD', '-MF', depfile] : [])], cwd: c.cwd, env, umask: c.umask, signal,
        view: view.ops, onStarted: () => undefined, onStdout: (d) => out.push(d), onStderr: (d) => err.push(d),
      });
      return { r, written: view.written, out, err, ms: performance.now() - t0 };
    };
    // Compilers write temporary files beside their outputs and rename them (clang's
    // `x-1234.o.tmp`, objcopy for split DWARF): an overlay lets them, where it can be had.
    let got = overlays === 'fail' ? 'mounts-below' : await attempt(true);
    if (got !== 'mounts-below' && got.r.kind === 'spawn-failed' && got.r.error.includes('sandbox view: overlay')) {
      if (overlays === 'untried') ctx.log.warn(`sandbox: overlay mounts do not work in ${sandbox.scratchDir} (${got.r.error}); outputs are bound one by one`);
      overlays = 'fail';
      got = 'mounts-below';
    } else if (got !== 'mounts-below' && got.r.kind === 'exited') overlays = 'work';
    if (got === 'mounts-below') got = (await attempt(false)) as Exclude<typeof got, 'mounts-below'>;
    const { r, written, out, err, ms } = got;
    if (r.kind === 'lost') return { kind: 'sandbox-error', why: 'the sandbox spawner died' };
    if (r.kind === 'spawn-failed') return { kind: 'sandbox-error', why: r.error };
    const outcome: RunOutcome = { code: r.code, signal: r.signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err), startedAtNs, durationMs: Math.round(ms) };
    const ok = outcome.code === 0 && outcome.signal === 0;
    const data = ok ? wanted.map((o, i) => (abs(o.path).startsWith('/dev/') ? Buffer.alloc(0) : readFileSync(written[i]!))) : [];
    return {
      kind: 'ran', outcome, data, scratchRoots: [sandbox.scratchDir],
      ...(ok && depfile ? { depfile: readFileSync(depfile) } : {}),
      ...(traceFile ? { trace: parseLookupTrace(readFileSync(traceFile)) } : {}),
    };
  } catch (e) {
    return { kind: 'sandbox-error', why: (e as Error).message };
  } finally {
    for (const release of releases) release();
    for (const s of files) {
      try {
        unlinkSync(s); // one syscall: rmSync's lstat-then-unlink costs twice that per job
      } catch {
        // already gone, or never made
      }
    }
    // Off the reply's path: the caller does not wait for the scratch directories to go.
    setImmediate(() => dirs.forEach(removeScratch));
  }
}

/** Removes a scratch directory; overlayfs leaves `work/work` with mode 0, which a user who is not root must open first. */
export function removeScratch(dir: string): void {
  try {
    rmSync(dir, { recursive: true, force: true });
  } catch {
    try {
      chmodSync(join(dir, 'w', 'work'), 0o700);
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // left for `reprise gc`
    }
  }
}
