import { join } from 'node:path';

/** The runtime directory rule of docs/protocol.md; the C shim applies the same rule. */
export function resolveRuntimeDir(env: Record<string, string | undefined>): string {
  if (env.REPRISE_RUNTIME_DIR) return env.REPRISE_RUNTIME_DIR;
  if (env.XDG_RUNTIME_DIR) return join(env.XDG_RUNTIME_DIR, 'reprise');
  return `/tmp/reprise-${process.getuid?.() ?? 0}`;
}
