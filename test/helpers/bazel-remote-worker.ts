// Bazel 4.2.3's reference REAPI server ("remote worker"), built from Debian packages by
// ../shared/reapi/bazel-remote-worker.sh into BZWORKER_DIR (default ~/.cache/bazel-remote-worker,
// outside the checkout). Each test run starts its own worker on a free port with its CAS and
// work directory under the test's directory, and stops it through its pid file.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, openSync, readFileSync, closeSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { installPaths } from '../../src/runtime/install-paths.js';
import { isAlive, waitFor } from './wait.js';
import { freePort } from './servers/free-port.js';

export const WORKER_DIR = process.env.BZWORKER_DIR ?? join(homedir(), '.cache', 'bazel-remote-worker');
const JAR = join(WORKER_DIR, 'remote-worker.jar');
const BUILD_SCRIPT = join(installPaths.root, '..', 'shared', 'reapi', 'bazel-remote-worker.sh');
const PACKAGES = ['bazel-bootstrap', 'bazel-bootstrap-source', 'default-jdk-headless', 'bc'];

export interface BazelWorker {
  port: number;
  pid: number;
  /** From spawn to the pid file (the worker writes it once it listens). */
  startMs: number;
  log: string;
  stop(): Promise<void>;
}

/**
 * The worker's jar, built once if its packages are installed (a few seconds of javac), or why
 * there is none. Never installs packages: .ci/run does that.
 */
export function bazelWorkerJar(): { jar: string } | { missing: string } {
  if (existsSync(JAR)) return { jar: JAR };
  if (!onPath('java') || !onPath('javac')) return { missing: 'java/javac are not installed (apt-get install default-jdk-headless)' };
  const absent = PACKAGES.filter((p) => !dpkgHas(p));
  if (absent.length > 0) return { missing: `Bazel's remote worker needs the Debian packages ${absent.join(', ')}` };
  if (!existsSync(BUILD_SCRIPT)) return { missing: `no ${JAR}, and no ${BUILD_SCRIPT} to build it` };
  try {
    execFileSync(BUILD_SCRIPT, [], { env: { ...process.env, BZWORKER_DIR: WORKER_DIR }, stdio: ['ignore', 'ignore', 'pipe'], timeout: 300_000 });
  } catch (e) {
    return { missing: `building Bazel's remote worker failed: ${(e as Error).message}` };
  }
  return existsSync(JAR) ? { jar: JAR } : { missing: `${BUILD_SCRIPT} did not produce ${JAR}` };
}

/**
 * Starts a worker on a free port. `wrap` runs it through another command (e.g. `unshare -m` and
 * a script that hides the compiler), which must end by exec'ing the java command it is given.
 */
export async function startBazelWorker(jar: string, dir: string, wrap: readonly string[] = []): Promise<BazelWorker> {
  const work = join(dir, 'work');
  const cas = join(dir, 'cas');
  const pidFile = join(dir, 'worker.pid');
  const log = join(dir, 'worker.log');
  await mkdir(work, { recursive: true });
  await mkdir(cas, { recursive: true });
  const port = await freePort();
  const started = performance.now();
  const out = openSync(log, 'w');
  const java = ['java', '-jar', jar, `--listen_port=${port}`, `--work_path=${work}`, `--cas_path=${cas}`, `--pid_file=${pidFile}`];
  const [file, ...args] = [...wrap, ...java];
  const child = spawn(file!, args, { stdio: ['ignore', out, out] });
  closeSync(out);
  let exited = false;
  child.once('exit', () => (exited = true));
  try {
    await waitFor('the remote worker to write its pid file', () => exited || (existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== ''), 60_000, 20);
    if (exited) throw new Error('the remote worker exited');
  } catch (e) {
    if (!exited && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    throw new Error(`${(e as Error).message}:\n${readFileSync(log, 'utf8')}`);
  }
  const startMs = performance.now() - started;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  return {
    port,
    pid,
    startMs,
    log,
    async stop() {
      if (!isAlive(pid)) return;
      process.kill(pid, 'SIGTERM');
      try {
        await waitFor('the remote worker to stop', () => !isAlive(pid), 10_000);
      } catch {
        process.kill(pid, 'SIGKILL');
      }
    },
  };
}

function onPath(tool: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function dpkgHas(pkg: string): boolean {
  try {
    return execFileSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).includes('install ok installed');
  } catch {
    return false;
  }
}
