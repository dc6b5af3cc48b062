// `reprise serve` as its users run it: the CLI in its own process, in the foreground, on
// loopback ports it picks itself (port 0; the listening line names them), stopped by SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { installPaths } from '../../../src/runtime/install-paths.js';
import { waitFor } from '../wait.js';

export interface RepriseServeProcess {
  child: ChildProcess;
  /** `127.0.0.1:PORT` of the gRPC listener, when --listen was given. */
  grpc?: string;
  /** `127.0.0.1:PORT` of the HTTP listener, when --http was given. */
  http?: string;
  output(): string;
  /** SIGTERM, and the exit code (a clean shutdown is 0). */
  stop(): Promise<number | null>;
}

/**
 * Starts `reprise serve --dir DIR` with `args` (pass --listen 127.0.0.1:0 and/or --http 127.0.0.1:0).
 * `wrap` runs it through a command that execs the rest (e.g. `ip netns exec NS`), so SIGTERM still reaches it.
 */
export async function startRepriseServe(dir: string, args: string[], wrap: (cmd: string[]) => string[] = (cmd) => cmd): Promise<RepriseServeProcess> {
  const [file, ...rest] = wrap([process.execPath, join(installPaths.root, 'bin', 'reprise.js'), 'serve', '--dir', dir, ...args]);
  const child = spawn(file!, rest, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    await waitFor('reprise serve to listen', () => {
      if (child.exitCode !== null) throw new Error(`reprise serve exited ${child.exitCode}:\n${out}`);
      return /listening on/.test(out);
    }, 15_000);
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  const grpc = /grpcs?:\/\/([^\s]+)/.exec(out)?.[1];
  const http = /https?:\/\/([^\s]+)/.exec(out)?.[1];
  return {
    child,
    ...(grpc ? { grpc } : {}),
    ...(http ? { http } : {}),
    output: () => out,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.kill('SIGTERM');
      const code = await exited;
      clearTimeout(kill);
      return code;
    },
  };
}
