import type { RustJob } from '../../adapters/rustc/types.js';
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
