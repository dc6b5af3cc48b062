import { resolve } from 'node:path';
import type { RustToolIdentity } from '../../adapters/rustc/identify-rustc.js';
import type { Sandbox } from '../../exec/create-sandbox.js';
import { runOnHost } from '../../exec/run-on-host.js';
import type { CacheContext } from '../cache-context.js';
import type { SandboxRun } from '../run-in-sandbox.js';
import { directRunEnv, type RustCall } from './rust-call.js';

/**
 * rustc as the bare compiler, over the host's own file system (read-only, nothing hidden),
 * each output directory an overlay whose writes land in scratch: what verify mode compares
 * a hit with, so that a fill's view cannot share its mistake. Undefined where overlays
 * cannot be had (rustc renames its temporaries over the outputs, which bound files do not
 * allow) or the sandbox failed: the caller falls back to the fill's own view.
 */
export async function runRustOnHost(ctx: CacheContext, sandbox: Sandbox, c: RustCall, tool: RustToolIdentity, signal: AbortSignal): Promise<SandboxRun | undefined> {
  const r = await runOnHost({
    sandbox, toolPath: tool.rustc, args: [...c.job.runArgs, ...c.terminalArgs], cwd: c.cwd, env: directRunEnv(c.env, tool), umask: c.umask,
    outputs: c.job.outputs.map((o) => resolve(c.cwd, o.path)), overlayOnly: true, signal, log: ctx.log,
  });
  if (r.kind !== 'ran') {
    ctx.log.debug(`${c.tool}: verify over the host's view not run (${r.kind === 'sandbox-error' ? r.why : 'no overlay'}); using the fill's view`);
    return undefined;
  }
  return { kind: 'ran', outcome: { code: r.code, signal: r.signal, stdout: r.stdout, stderr: r.stderr, startedAtNs: 0n, durationMs: r.durationMs }, data: r.outputs };
}
