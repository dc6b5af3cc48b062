import { mkdirSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { RustToolIdentity } from '../../adapters/rustc/identify-rustc.js';
import type { Sandbox } from '../../exec/create-sandbox.js';
import { hostView } from '../../exec/host-view.js';
import type { CacheContext } from '../cache-context.js';
import { removeScratch, type SandboxRun } from '../run-in-sandbox.js';
import { rustRunEnv, type RustCall } from './rust-call.js';

/**
 * rustc as the bare compiler, over the host's own file system (read-only, nothing hidden),
 * each output directory an overlay whose writes land in scratch: what verify mode compares
 * a hit with, so that a fill's view cannot share its mistake. Undefined where overlays
 * cannot be had (a mount point below an output directory, a file system that cannot hold
 * an upper directory): the caller falls back to the fill's own view.
 */
export async function runRustOnHost(ctx: CacheContext, sandbox: Sandbox, c: RustCall, tool: RustToolIdentity, signal: AbortSignal): Promise<SandboxRun | undefined> {
  const tag = randomBytes(8).toString('hex');
  const tmpDir = join(sandbox.scratchDir, `${tag}-tmp`);
  const outputs = c.job.outputs.map((o, i) => ({ scratch: join(sandbox.scratchDir, `${tag}-${i}`), path: resolve(c.cwd, o.path) }));
  const dirs = [tmpDir];
  try {
    sandbox.ensureScratch();
    mkdirSync(tmpDir, { mode: 0o700 });
    const view = hostView(outputs, true);
    if (view === 'mounts-below') return undefined;
    dirs.push(...view.uppers);
    const env = rustRunEnv(c.env);
    env.set('TMPDIR', tmpDir);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const t0 = performance.now();
    const r = await sandbox.executor.run({
      toolPath: tool.rustc, argv0: tool.rustc, args: [...c.job.runArgs, ...c.terminalArgs], cwd: c.cwd, env, umask: c.umask, signal,
      view: view.ops, onStarted: () => undefined, onStdout: (d) => out.push(d), onStderr: (d) => err.push(d),
    });
    if (r.kind !== 'exited') return undefined;
    const outcome = { code: r.code, signal: r.signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err), startedAtNs: 0n, durationMs: Math.round(performance.now() - t0) };
    const ok = r.code === 0 && r.signal === 0;
    return { kind: 'ran', outcome, data: ok ? view.written.map((w) => readFileSync(w)) : [] };
  } catch (e) {
    ctx.log.debug(`${c.tool}: verify over the host's view failed (${(e as Error).message}); using the fill's view`);
    return undefined;
  } finally {
    for (const d of dirs) removeScratch(d);
  }
}
