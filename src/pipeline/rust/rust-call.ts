import type { RustJob } from '../../adapters/rustc/types.js';
import type { RustToolIdentity } from '../../adapters/rustc/identify-rustc.js';
import { withLauncherEnv } from '../../adapters/rustc/launcher-env.js';
import type { CallBase } from '../driver/call-base.js';

/** One cacheable rustc call, as the Rust pipeline carries it (toolPath: the rustc the caller named, maybe a rustup proxy). */
export interface RustCall extends CallBase {
  job: RustJob;
  terminalArgs: string[];
}

/** rustc joins a make jobserver named here; the daemon's runs cannot reach the caller's pipes, and rustc would warn. */
export const JOBSERVER_ENV = ['CARGO_MAKEFLAGS', 'MAKEFLAGS', 'MFLAGS'];

/** The environment the daemon runs rustc with: the caller's, without the jobserver (rustc then uses its own). */
export function rustRunEnv(env: ReadonlyMap<string, string>): Map<string, string> {
  const out = new Map(env);
  for (const n of JOBSERVER_ENV) out.delete(n);
  return out;
}

/** The environment for running the toolchain's rustc itself (tool.rustc), as the launcher the caller named (rustup's proxy) would have given it. */
export function directRunEnv(env: ReadonlyMap<string, string>, tool: RustToolIdentity): Map<string, string> {
  return withLauncherEnv(rustRunEnv(env), tool.launcher);
}
