import { spawnSync } from 'node:child_process';
import { installPaths } from '../runtime/install-paths.js';

export type StartResult = { ok: true } | { ok: false; problem: string };

/** Starts the daemon the same way a shim does (the shim binary's --start-daemon mode), so both share one lock. */
export function startDaemon(env: NodeJS.ProcessEnv = process.env): StartResult {
  const r = spawnSync(installPaths.shimBinary, ['--start-daemon'], { env, encoding: 'utf8', timeout: 15_000, argv0: 'reprise-shim' });
  if (r.error) return { ok: false, problem: `cannot run ${installPaths.shimBinary}: ${r.error.message} (did the build run? try npm ci)` };
  if (r.status !== 0) return { ok: false, problem: (r.stderr || `exit status ${r.status}`).trim() };
  return { ok: true };
}
