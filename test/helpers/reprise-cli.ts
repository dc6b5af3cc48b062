import { join } from 'node:path';
import { installPaths } from '../../src/runtime/install-paths.js';
import type { StatsSnapshot } from '../../src/stats/types.js';
import { run, type RunResult } from './run.js';

const cli = join(installPaths.root, 'bin', 'reprise.js');

export function reprise(args: string[], env: NodeJS.ProcessEnv, cwd?: string): Promise<RunResult> {
  return run(process.execPath, [cli, ...args], { env, ...(cwd ? { cwd } : {}) });
}

export async function stats(env: NodeJS.ProcessEnv): Promise<StatsSnapshot> {
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
