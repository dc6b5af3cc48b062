import { spawn } from 'node:child_process';
import { constants } from 'node:os';

export interface LocalRun {
  toolPath: string;
  /** argv[0] the tool sees. */
  argv0: string;
  args: string[];
  cwd: string;
  env: Map<string, string>;
  umask: number;
  signal: AbortSignal;
  onStarted(pgid: number): void;
  onStdout(data: Buffer): void;
  onStderr(data: Buffer): void;
}

export type LocalRunResult =
  | { kind: 'exited'; code: number; signal: number }
  | { kind: 'spawn-failed'; error: Error };

/**
 * Runs a tool in its own process group (so the whole group can be killed when the caller
 * goes away), with the caller's cwd, environment and umask, streaming its output.
 */
export function runLocal(run: LocalRun): Promise<LocalRunResult> {
  return new Promise((resolve) => {
    // umask is per process and spawn() forks synchronously, so set it around the call.
    const saved = process.umask(run.umask & 0o777);
    let child;
    try {
      child = spawn(run.toolPath, run.args, {
        argv0: run.argv0,
        cwd: run.cwd,
        env: Object.fromEntries(run.env),
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
    } catch (e) {
      resolve({ kind: 'spawn-failed', error: e as Error });
      return;
    } finally {
      process.umask(saved);
    }
    let settled = false;
    const kill = (): void => {
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
    };
    run.signal.addEventListener('abort', kill, { once: true });
    child.once('spawn', () => {
      if (child.pid !== undefined) run.onStarted(child.pid);
    });
    child.stdout.on('data', (d: Buffer) => run.onStdout(d));
    child.stderr.on('data', (d: Buffer) => run.onStderr(d));
    child.once('error', (error) => {
      if (settled) return;
      settled = true;
      run.signal.removeEventListener('abort', kill);
      resolve({ kind: 'spawn-failed', error });
    });
    // 'close' waits for the pipes to drain, so no output is lost after the exit status.
    child.once('close', (code, sig) => {
      if (settled) return;
      settled = true;
      run.signal.removeEventListener('abort', kill);
      const signal = sig ? constants.signals[sig] : 0;
      resolve({ kind: 'exited', code: code ?? -1, signal });
    });
  });
}
