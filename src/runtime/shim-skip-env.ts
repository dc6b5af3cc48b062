import { statSync } from 'node:fs';

/** The variable a shim reads for tools to pass by on PATH (shims/shim.c, docs/protocol.md "Loops"). */
export const SHIM_SKIP_ENV = 'REPRISE_SHIM_SKIP';

/**
 * The environment to run `toolPath` with for a shim's call: `toolPath`'s `,dev:ino` added to
 * REPRISE_SHIM_SKIP, as the shim adds it before running a tool itself. A wrapper script
 * that finds "gcc" on PATH again then reaches a shim that passes it by, instead of a
 * call that waits on its own single-flight slot for ever.
 */
export function withShimSkip(env: Map<string, string>, toolPath: string): Map<string, string> {
  const st = statSync(toolPath, { bigint: true, throwIfNoEntry: false });
  if (!st) return env;
  const item = `,${st.dev}:${st.ino}`;
  const list = env.get(SHIM_SKIP_ENV) ?? '';
  if (list.split(',').includes(item.slice(1))) return env;
  return new Map(env).set(SHIM_SKIP_ENV, list + item);
}
