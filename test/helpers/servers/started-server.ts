import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { waitFor } from '../wait.js';

/** A real server the test started on loopback, and how to stop it. */
export interface StartedServer {
  port: number;
  /** The process, for a test that kills it mid-build. */
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Whether something accepts connections on the port. */
export function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

/** Spawns a server in the foreground and waits until its port accepts connections. */
export async function startServer(cmd: string, args: string[], port: number, log: () => string): Promise<StartedServer> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  try {
    await waitFor(`${cmd} on port ${port}`, async () => {
      if (child.exitCode !== null) throw new Error(`${cmd} exited ${child.exitCode}: ${out}${log()}`);
      return listening(port);
    }, 15_000);
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  return {
    port,
    child,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 3000).unref();
    }),
  };
}
