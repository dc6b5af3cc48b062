import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { FrameReader } from '../protocol/frame-reader.js';
import type { Logger } from '../daemon/logger.js';
import { decodeSpawnerEvent, encodeKill, encodeSpawn, type SpawnerEvent } from './spawner-codec.js';
import type { LocalExecutor, LocalRun, LocalRunResult } from './types.js';

interface Pending {
  run: LocalRun;
  resolve(r: LocalRunResult): void;
  pgid?: number;
}

/**
 * Runs tools through build/reprise-spawner, a small C child that forks from a tiny address
 * space (Node's own spawn forks the whole daemon). Started on first use and again after it
 * dies; jobs in flight when it dies are reported lost (it kills them as it goes).
 */
export interface SpawnerOptions {
  /** The command that starts it, when not the binary alone (bubblewrap around it, for the sandbox). */
  command?: string[];
  /** Its job ids are host process groups the daemon may kill itself (not so inside a pid namespace). */
  hostPids?: boolean;
}

export function createSpawner(binary: string, log: Logger, opts: SpawnerOptions = {}): LocalExecutor {
  const command = opts.command ?? [binary];
  const hostPids = opts.hostPids ?? true;
  let child: ChildProcessByStdio<Writable, Readable, Readable> | undefined;
  const jobs = new Map<number, Pending>();
  let nextId = 1;

  const loseAll = (why: string): void => {
    if (jobs.size > 0) log.warn(`spawner lost with ${jobs.size} jobs: ${why}`);
    for (const p of jobs.values()) {
      // A spawner killed outright could not kill its jobs; no tool may outlive it.
      if (p.pgid !== undefined && hostPids) {
        try {
          process.kill(-p.pgid, 'SIGKILL');
        } catch {
          /* gone already */
        }
      }
      p.resolve({ kind: 'lost' });
    }
    jobs.clear();
  };

  const onEvent = (ev: SpawnerEvent): void => {
    const p = jobs.get(ev.jobId);
    if (!p) return; // a job we gave up on already
    switch (ev.kind) {
      case 'started':
        p.pgid = ev.pgid;
        return hostPids ? p.run.onStarted(ev.pgid) : undefined;
      case 'stdout':
        return p.run.onStdout(ev.data);
      case 'stderr':
        return p.run.onStderr(ev.data);
      case 'exit':
        jobs.delete(ev.jobId);
        return p.resolve({ kind: 'exited', code: ev.code, signal: ev.signal });
      case 'failed':
        jobs.delete(ev.jobId);
        return p.resolve({ kind: 'spawn-failed', error: ev.message });
    }
  };

  const start = (): NonNullable<typeof child> => {
    const c = spawn(command[0]!, command.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    const reader = new FrameReader(decodeSpawnerEvent);
    c.stdout.on('data', (chunk: Buffer) => {
      try {
        for (const ev of reader.push(chunk)) onEvent(ev);
      } catch (e) {
        log.error(`spawner spoke nonsense: ${(e as Error).message}`);
        c.kill('SIGKILL');
      }
    });
    c.stderr.on('data', (d: Buffer) => log.warn(d.toString().trimEnd()));
    c.stdin.on('error', () => undefined); // EPIPE after it died: handled by 'exit'
    c.once('error', (e) => log.error(`cannot run ${command[0]}: ${e.message}`));
    c.once('close', (code, sig) => {
      if (child === c) child = undefined;
      loseAll(`exited with ${sig ?? code}`);
    });
    return c;
  };

  return {
    run(job) {
      return new Promise((resolve) => {
        child ??= start();
        const jobId = nextId;
        nextId = (nextId % 0x7fffffff) + 1;
        jobs.set(jobId, { run: job, resolve });
        const kill = (): void => {
          if (jobs.has(jobId)) child?.stdin.write(encodeKill(jobId, 9));
        };
        if (job.signal.aborted) kill();
        else job.signal.addEventListener('abort', kill, { once: true });
        const env = [...job.env].map(([k, v]) => `${k}=${v}`);
        child.stdin.write(encodeSpawn({ jobId, toolPath: job.toolPath, cwd: job.cwd, umask: job.umask & 0o777, argv: [job.argv0, ...job.args], env, view: job.view ?? [] }));
      });
    },
    close() {
      child?.stdin.end();
    },
  };
}
