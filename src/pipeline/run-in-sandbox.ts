import { openSync, closeSync, readFileSync, unlinkSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { isAbsolute, join, resolve } from 'node:path';
import { buildView } from '../exec/sandbox-view.js';
import type { Sandbox } from '../exec/create-sandbox.js';
import type { CacheContext } from './cache-context.js';
import type { CompileCall } from './cached-compile.js';
import { jobOutputs } from './place-outputs.js';
import type { RunOutcome } from './store-compile.js';

/** A compile run in the sandbox: its outcome and the bytes of each output (jobOutputs order). */
export type SandboxRun =
  | { kind: 'ran'; outcome: RunOutcome; data: Buffer[]; depfile?: Buffer }
  /** The sandbox could not run it at all (no spawner, a view that cannot be built): not the compile's fault. */
  | { kind: 'sandbox-error'; why: string };

/** What a sandboxed compile is shown, and whether it lists what it read. */
export interface SandboxInputs {
  /** Files, absolute and spelled as the compiler opens them (`inc/../x.h`): each directory passed on the way exists inside. */
  files: string[];
  /** The include search directories, as given (relative ones from the working directory). */
  chain: string[];
  /** Adds `-MD -MF FILE` (job.listsInputs 'added') and returns FILE's bytes. */
  depfile?: boolean;
}

/**
 * Runs the compile where it sees only the files it is shown (the pre-pass's list and the
 * paths __has_include found, or what the same source's last fill read), the toolchain, an empty /tmp and its own outputs,
 * each a scratch file bound where the compiler writes it. Nothing reaches the caller here:
 * the outputs are placed only once the result is known good.
 */
export async function runInSandbox(ctx: CacheContext, sandbox: Sandbox, c: CompileCall, shown: SandboxInputs, startedAtNs: bigint, signal: AbortSignal): Promise<SandboxRun> {
  const abs = (p: string): string => resolve(c.cwd, p);
  const tag = randomBytes(8).toString('hex');
  const wanted = jobOutputs(c.job);
  const depfile = shown.depfile ? join(sandbox.scratchDir, `${tag}-deps.d`) : undefined;
  const scratch = wanted.map((_, i) => join(sandbox.scratchDir, `${tag}-${i}.out`));
  if (depfile) scratch.push(depfile);
  try {
    const env = Object.fromEntries(c.env);
    const toolchain = await ctx.toolchain(c.toolPath, env);
    sandbox.ensureScratch();
    for (const s of scratch) closeSync(openSync(s, 'wx', 0o600));
    const tmpdir = c.env.get('TMPDIR');
    const view = buildView({
      toolchain,
      // As the compiler opens them, not normalized: the view then has each directory a `..` climbs out of.
      inputs: [...shown.files, ...c.job.extraInputs.map(abs)],
      outputs: [...wanted.map((o, i) => ({ scratch: scratch[i]!, path: abs(o.path) })), ...(depfile ? [{ scratch: depfile, path: depfile }] : [])],
      // Search directories exist inside as they do outside (-Wmissing-include-dirs names the missing ones).
      dirs: [c.cwd, c.keyCwd, ...shown.chain.map((d) => (isAbsolute(d) ? d : `${c.cwd}/${d}`))],
      tmpfs: ['/tmp', ...(tmpdir && tmpdir.startsWith('/') ? [tmpdir] : [])],
    });
    if (view.missing.length > 0) return { kind: 'sandbox-error', why: `cannot show ${view.missing[0]} in the sandbox` };
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const t0 = performance.now();
    const r = await sandbox.executor.run({
      toolPath: c.toolPath, argv0: c.toolPath, args: [...c.job.runArgs, ...c.terminalArgs, ...(depfile ? ['-MD', '-MF', depfile] : [])], cwd: c.cwd, env: c.env, umask: c.umask, signal,
      view: view.ops, onStarted: () => undefined, onStdout: (d) => out.push(d), onStderr: (d) => err.push(d),
    });
    if (r.kind === 'lost') return { kind: 'sandbox-error', why: 'the sandbox spawner died' };
    if (r.kind === 'spawn-failed') return { kind: 'sandbox-error', why: r.error };
    const outcome: RunOutcome = { code: r.code, signal: r.signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err), startedAtNs, durationMs: Math.round(performance.now() - t0) };
    const ok = outcome.code === 0 && outcome.signal === 0;
    const data = ok ? wanted.map((o, i) => (abs(o.path).startsWith('/dev/') ? Buffer.alloc(0) : readFileSync(scratch[i]!))) : [];
    return { kind: 'ran', outcome, data, ...(ok && depfile ? { depfile: readFileSync(depfile) } : {}) };
  } catch (e) {
    return { kind: 'sandbox-error', why: (e as Error).message };
  } finally {
    for (const s of scratch) {
      try {
        unlinkSync(s); // one syscall: rmSync's lstat-then-unlink costs twice that per job
      } catch {
        // already gone, or never made
      }
    }
  }
}
