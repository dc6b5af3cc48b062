import { mkdtempSync, mkdirSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installPaths } from '../../src/runtime/install-paths.js';

export interface Workspace {
  /** The symlinked directory tests work in (DESIGN.md §7: a symlinked cwd). */
  dir: string;
  /** Its real path. */
  realDir: string;
  runtimeDir: string;
  cacheDir: string;
  /** REPRISE_CONFIG of env and bareEnv: absent until a test writes it, so the user's own config file never leaks in. */
  configFile: string;
  /** Environment with the checkout's shims first on PATH and private runtime/cache dirs. */
  env: NodeJS.ProcessEnv;
  /** Same, without the shims on PATH: the bare compiler. */
  bareEnv: NodeJS.ProcessEnv;
  cleanup(): void;
}

/** A private temp workspace with its own daemon runtime and cache directories. */
export function createWorkspace(prefix = 'reprise-test-'): Workspace {
  const base = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  const realDir = join(base, 'real');
  mkdirSync(realDir);
  const dir = join(base, 'link');
  symlinkSync(realDir, dir);
  const runtimeDir = join(base, 'run');
  const cacheDir = join(base, 'cache');
  const configFile = join(base, 'config.toml');
  const bareEnv: NodeJS.ProcessEnv = { ...process.env, REPRISE_RUNTIME_DIR: runtimeDir, REPRISE_CACHE_DIR: cacheDir, REPRISE_CONFIG: configFile, LC_ALL: 'C' };
  delete bareEnv.REPRISE_DISABLE;
  const env = { ...bareEnv, PATH: `${installPaths.shimDir}:${process.env.PATH ?? ''}` };
  return {
    dir,
    realDir,
    runtimeDir,
    cacheDir,
    configFile,
    env,
    bareEnv,
    cleanup() {
      stopDaemonAt(runtimeDir);
      if (process.env.REPRISE_TEST_KEEP === '1') return void console.error(`# workspace kept: ${base}`); // for a look at daemon.log after a failure
      // A daemon killed just now may still be finishing a write: retry briefly.
      rmSync(base, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    },
  };
}

/** Kills the daemon of a runtime dir, if any (tests must not leave daemons behind). */
export function stopDaemonAt(runtimeDir: string): void {
  try {
    const pid = Number(readFileSync(join(runtimeDir, 'daemon.pid'), 'utf8'));
    if (pid > 0) process.kill(pid, 'SIGKILL');
  } catch {
    /* none running */
  }
}
