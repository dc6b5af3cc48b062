import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../daemon/logger.js';
import { createSpawner } from './create-spawner.js';
import { buildView } from './sandbox-view.js';
import type { LocalExecutor } from './types.js';

/** Whether cache fills can run sandboxed here, and if not, why (`reprise doctor` prints it). */
export type SandboxStatus = { ok: true } | { ok: false; why: string };

export interface Sandbox {
  /** Runs jobs that carry a view; started on first use, inside bubblewrap's namespaces. */
  readonly executor: LocalExecutor;
  /**
   * Makes sure the scratch directory exists; when it had gone (the cache removed by hand),
   * it is made again and the spawner restarted, since the old one's mount holds the deleted one.
   */
  ensureScratch(): void;
  /** Where a job's scratch output files must live: the only writable place it is given. */
  scratchDir: string;
  /** Probed once (and again after a failure, at most every minute). */
  status(): Promise<SandboxStatus>;
  close(): void;
}

const RETRY_MS = 60_000;

/**
 * The bubblewrap command around the sandbox spawner. bwrap makes the user, pid, network,
 * IPC and UTS namespaces once (a bwrap start costs milliseconds); each job then only
 * takes a private mount namespace and mounts its own view (spawner.c, enter_view). The
 * outer view is the host read-only but for the scratch directory.
 */
export function sandboxCommand(bwrap: string, spawner: string, scratchDir: string): string[] {
  return [
    bwrap, '--unshare-user', '--unshare-pid', '--unshare-net', '--unshare-ipc', '--unshare-uts', '--die-with-parent', '--cap-add', 'ALL',
    '--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--bind', scratchDir, scratchDir,
    '--', spawner, '--sandbox', join(scratchDir, 'view-root'),
  ];
}

export function createSandbox(opts: { bwrap: string; spawner: string; scratchDir: string; log: Logger }): Sandbox {
  const scratchDir = opts.scratchDir;
  const prepare = (): void => void mkdirSync(join(scratchDir, 'view-root'), { recursive: true, mode: 0o700 });
  const start = (): LocalExecutor => createSpawner(opts.spawner, opts.log, { command: sandboxCommand(opts.bwrap, opts.spawner, scratchDir), hostPids: false });
  let executor = start();
  let probed: { at: number; status: Promise<SandboxStatus>; failed?: boolean } | undefined;

  const probe = async (): Promise<SandboxStatus> => {
    try {
      prepare();
    } catch (e) {
      return { ok: false, why: `cannot create ${scratchDir}: ${(e as Error).message}` };
    }
    const version = await new Promise<string | undefined>((resolve) => execFile(opts.bwrap, ['--version'], { timeout: 5000 }, (err, out) => resolve(err ? undefined : out.trim())));
    if (!version) return { ok: false, why: `bubblewrap (${opts.bwrap}) is not installed or does not run` };
    // The spawner itself is static: run it inside a view that holds nothing else.
    const view = buildView({ toolchain: [opts.spawner], inputs: [], outputs: [], dirs: ['/'], tmpfs: ['/tmp'] });
    const err: Buffer[] = [];
    const r = await executor.run({
      toolPath: opts.spawner, argv0: opts.spawner, args: ['--probe'], cwd: '/', env: new Map(), umask: 0o022, view: view.ops,
      signal: AbortSignal.timeout(10_000), onStarted: () => undefined, onStdout: () => undefined, onStderr: (d) => err.push(d),
    });
    if (r.kind === 'exited' && r.code === 0) return { ok: true };
    const detail = r.kind === 'spawn-failed' ? r.error : r.kind === 'lost' ? 'bubblewrap exited (user namespaces disabled?); see the daemon log' : `exit ${r.code}`;
    return { ok: false, why: `${version} cannot run a sandboxed job: ${detail}` };
  };

  return {
    get executor() {
      return executor;
    },
    ensureScratch() {
      if (existsSync(join(scratchDir, 'view-root'))) return;
      prepare();
      executor.close();
      executor = start();
    },
    scratchDir,
    status() {
      const now = Date.now();
      if (!probed || (probed.failed && now - probed.at > RETRY_MS)) {
        const p: NonNullable<typeof probed> = { at: now, status: probe() };
        probed = p;
        void p.status.then((s) => {
          p.failed = !s.ok;
          if (s.ok) opts.log.info('sandbox: ready');
          else opts.log.warn(`sandbox unavailable: ${s.why}`);
        });
      }
      return probed.status;
    },
    close: () => executor.close(),
  };
}
