import type { Sandbox } from './create-sandbox.js';
import { buildView } from './sandbox-view.js';

/** Long enough for a compile of an empty file on a loaded machine; a wrapper that loops never ends. */
const PROBE_TIMEOUT_MS = 5_000;

/**
 * Whether a driver runs in the sandbox at all: one compile of an empty C file there, shown
 * only the toolchain. A wrapper script may need what the view lacks (a command such as
 * `dirname`, the shims' directory), and one that then finds itself on PATH again execs
 * itself for ever; outside, the same wrapper works. Asked of scripts only: a compiler
 * binary's parts are the toolchain.
 */
export async function driverRunsInside(sandbox: Sandbox, toolPath: string, toolchain: readonly string[], env: Map<string, string>): Promise<boolean> {
  sandbox.ensureScratch();
  const view = buildView({ toolchain, inputs: [], outputs: [], dirs: ['/'], tmpfs: ['/tmp'] });
  if (view.missing.length > 0) return false;
  const r = await sandbox.executor.run({
    toolPath, argv0: toolPath, args: ['-x', 'c', '-c', '-o', '/dev/null', '/dev/null'], cwd: '/tmp', env, umask: 0o022, view: view.ops,
    signal: AbortSignal.timeout(PROBE_TIMEOUT_MS), onStarted: () => undefined, onStdout: () => undefined, onStderr: () => undefined,
  });
  return r.kind === 'exited' && r.code === 0 && r.signal === 0;
}
