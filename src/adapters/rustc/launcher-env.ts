// What a launcher in front of rustc (rustup's proxy) changes in the environment rustc gets:
// it sets RUSTUP_TOOLCHAIN, RUSTUP_HOME, CARGO_HOME and a recursion count, and puts the
// toolchain's lib directory first in LD_LIBRARY_PATH. The daemon runs the toolchain's rustc
// directly, so without the same changes a proc-macro (or option_env!) would see another
// environment than under bare rustc, and so make other bytes. Learnt from a run of the launcher
// with the lookup tracer, which writes the real rustc's environment (REPRISE_ENVIRON_OF).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The launcher's changes, exact for the caller's values of the variables it changed (`given`). */
export interface LauncherEnv {
  /** The caller's value of each variable the launcher changed (null: unset), for which `set` holds. */
  given: Record<string, string | null>;
  /** What rustc got instead (null: removed). */
  set: Record<string, string | null>;
}

/** Ours, never the launcher's: the probe's own variables. */
const PROBE_ENV = ['LD_PRELOAD', 'REPRISE_ENVIRON_OF', 'REPRISE_ENVIRON_TO'];

/** A run of the launcher (any run that reaches `rustc`) with `probe.env` learns what it gives rustc; `read` after it, `done` in any case. */
export interface LauncherProbe {
  env: NodeJS.ProcessEnv;
  /** The launcher's changes, undefined when it gave rustc the environment unchanged. */
  read(): LauncherEnv | undefined;
  done(): void;
}

export function launcherProbe(rustc: string, env: NodeJS.ProcessEnv, tracer: string): LauncherProbe {
  const dir = mkdtempSync(join(tmpdir(), 'reprise-launcher-env-'));
  const file = join(dir, 'environ');
  writeFileSync(file, '');
  const preload = env.LD_PRELOAD ? `${tracer}:${env.LD_PRELOAD}` : tracer;
  return {
    env: { ...env, LD_PRELOAD: preload, REPRISE_ENVIRON_OF: rustc, REPRISE_ENVIRON_TO: file },
    read() {
      const text = readFileSync(file, 'utf8');
      if (text === '') throw new Error(`the launcher did not run ${rustc} with the lookup tracer loaded`);
      const got = new Map<string, string>();
      for (const entry of text.split('\0')) {
        const eq = entry.indexOf('=');
        if (eq > 0) got.set(entry.slice(0, eq), entry.slice(eq + 1));
      }
      const out: LauncherEnv = { given: {}, set: {} };
      for (const name of new Set([...Object.keys(env), ...got.keys()])) {
        if (PROBE_ENV.includes(name)) continue;
        const before = env[name] ?? null;
        const after = got.get(name) ?? null;
        if (before === after) continue;
        out.given[name] = before;
        out.set[name] = after;
      }
      return Object.keys(out.set).length > 0 ? out : undefined;
    },
    done: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Whether the caller's environment (`get`) has the values the launcher's changes were learnt for. */
export function launcherEnvHolds(l: LauncherEnv | undefined, get: (name: string) => string | undefined): boolean {
  return !l || Object.entries(l.given).every(([n, v]) => (get(n) ?? null) === v);
}

/** The environment rustc gets from the launcher, for running rustc directly with the caller's `env`. */
export function withLauncherEnv(env: ReadonlyMap<string, string>, l: LauncherEnv | undefined): Map<string, string> {
  const out = new Map(env);
  if (!l) return out;
  for (const [n, v] of Object.entries(l.set)) {
    if (v === null) out.delete(n);
    else out.set(n, v);
  }
  return out;
}
