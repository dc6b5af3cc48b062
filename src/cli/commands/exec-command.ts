import { spawn } from 'node:child_process';
import { delimiter } from 'node:path';
import { constants } from 'node:os';
import { installPaths } from '../../runtime/install-paths.js';
import { startDaemon } from '../start-daemon.js';

/**
 * `reprise exec -- CMD...`: runs CMD with the shims first on PATH and the daemon up.
 * `reprise verify` runs it the same way, named so, with `extraEnv` added.
 */
export async function execCommand(cmd: string[], name = 'exec', extraEnv: Record<string, string> = {}): Promise<number> {
  const [file, ...args] = cmd;
  if (file === undefined) {
    process.stderr.write(`reprise ${name}: nothing to run (usage: reprise ${name} -- make -j2)\n`);
    return 2;
  }
  const started = startDaemon();
  if (!started.ok) process.stderr.write(`reprise: warning: daemon not started (${started.problem}); compilers run uncached\n`);
  const env = { ...process.env, ...extraEnv, PATH: [installPaths.shimDir, process.env.PATH ?? ''].join(delimiter) };
  const child = spawn(file, args, { stdio: 'inherit', env });
  // The child shares our terminal and gets ^C itself; we just outlive it to pass on its status.
  const ignore = (): void => undefined;
  for (const s of ['SIGINT', 'SIGQUIT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, ignore);
  return new Promise((resolve) => {
    child.once('error', (e) => {
      process.stderr.write(`reprise ${name}: cannot run ${file}: ${e.message}\n`);
      resolve(127);
    });
    child.once('exit', (code, signal) => {
      if (signal) {
        for (const s of ['SIGINT', 'SIGQUIT', 'SIGTERM', 'SIGHUP'] as const) process.off(s, ignore);
        process.kill(process.pid, signal);
        resolve(128 + (constants.signals[signal] ?? 0));
        return;
      }
      resolve(code ?? 1);
    });
  });
}
