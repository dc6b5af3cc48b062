import { join } from 'node:path';
import { adminRequest } from '../../src/client/admin-request.js';
import { installPaths } from '../../src/runtime/install-paths.js';
import { resolveRuntimeDir } from '../../src/runtime/resolve-runtime-dir.js';
import { runtimePaths } from '../../src/runtime/runtime-paths.js';
import type { StatsSnapshot } from '../../src/stats/types.js';
import { run, type RunResult } from './run.js';

const cli = join(installPaths.root, 'bin', 'reprise.js');

export function reprise(args: string[], env: NodeJS.ProcessEnv, cwd?: string): Promise<RunResult> {
  return run(process.execPath, [cli, ...args], { env, ...(cwd ? { cwd } : {}) });
}

/**
 * `reprise stats --json`. A live daemon is asked over its socket from this process, with the
 * request the command sends first (stats-command.ts), whose reply it prints as it is: starting
 * a CLI for each look at the counters took about 0.2 s apiece (166 of them in c-cache.test). With
 * no daemon answering, the CLI itself reads the saved counters and the shims' logs.
 */
export async function stats(env: NodeJS.ProcessEnv): Promise<StatsSnapshot> {
  const live = await adminRequest(runtimePaths(resolveRuntimeDir(env)).socket, 'stats');
  if (live.kind === 'reply' && live.ok) return live.value as StatsSnapshot;
  const r = await reprise(['stats', '--json'], env);
  if (r.code !== 0) throw new Error(`reprise stats failed: ${r.stderr.toString()}`);
  return JSON.parse(r.stdout.toString()) as StatsSnapshot;
}

export function toolCount(s: StatsSnapshot, tool: string, counter: keyof StatsSnapshot['tools'][string]): number {
  return s.tools[tool]?.[counter] ?? 0;
}

/** The go tool's hits, misses and uncacheable steps so far, from `reprise stats`. */
export async function goCounts(env: NodeJS.ProcessEnv): Promise<{ hit: number; miss: number; uncacheable: number }> {
  const s = await stats(env);
  return { hit: toolCount(s, 'go', 'direct-hit'), miss: toolCount(s, 'go', 'miss'), uncacheable: toolCount(s, 'go', 'uncacheable') };
}
