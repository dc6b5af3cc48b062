import { readFileSync } from 'node:fs';
import { adminRequest } from '../../client/admin-request.js';
import { loadConfig } from '../../config/load-config.js';
import type { DaemonStatus } from '../../daemon/handlers/handle-admin.js';
import { resolveRuntimeDir } from '../../runtime/resolve-runtime-dir.js';
import { runtimePaths } from '../../runtime/runtime-paths.js';
import { processAlive } from '../../runtime/process-alive.js';
import { startDaemon } from '../start-daemon.js';
import { STOP_WAIT_MS } from '../../daemon/drain-deadline.js';
import { createEntryTrust } from '../../store/remote/entry-trust.js';

export async function daemonCommand(action: 'start' | 'stop' | 'status', json: boolean): Promise<number> {
  // The runtime dir comes from the environment alone, so a bad config file cannot keep `stop` from working.
  const paths = runtimePaths(resolveRuntimeDir(process.env));
  if (action === 'start') {
    // A bad file, variable or key is said here, plainly: the daemon would only exit.
    createEntryTrust(loadConfig().trust);
    const r = startDaemon();
    if (!r.ok) {
      process.stderr.write(`reprise daemon start: ${r.problem}\n`);
      return 1;
    }
    return printStatus(paths.socket, json);
  }
  if (action === 'status') return printStatus(paths.socket, json);
  const r = await adminRequest(paths.socket, 'stop');
  if (r.kind === 'unreachable') {
    process.stdout.write('reprise daemon: not running\n');
    return 0;
  }
  // Wait for the drain (queued uploads included) so that a following start gets a fresh daemon.
  const pid = readPid(paths.pid);
  const until = Date.now() + STOP_WAIT_MS;
  while (pid !== undefined && processAlive(pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
  process.stdout.write('reprise daemon: stopped\n');
  return 0;
}

async function printStatus(socket: string, json: boolean): Promise<number> {
  const r = await adminRequest(socket, 'status');
  if (r.kind === 'unreachable') {
    process.stdout.write(json ? `${JSON.stringify({ running: false, reason: r.reason })}\n` : `reprise daemon: not running (${r.reason})\n`);
    return 3;
  }
  const s = r.value as DaemonStatus;
  if (json) process.stdout.write(`${JSON.stringify({ running: true, ...s })}\n`);
  else process.stdout.write(`reprise daemon: running, pid ${s.pid}, version ${s.version}, ${s.jobsRunning}/${s.maxJobs} jobs busy, RSS ${(s.rssBytes / 1048576).toFixed(1)} MiB\n`);
  if (!json && s.config?.error !== undefined) process.stdout.write(`reprise daemon: ${s.config.file} was edited and cannot be used; \`reprise doctor\` says why\n`);
  if (!json && s.config && s.config.pending.length > 0) {
    process.stdout.write(`reprise daemon: runs with older settings from ${s.config.loadedAt} (${s.config.pending.join(', ')}); \`reprise daemon stop\` restarts it\n`);
  }
  return 0;
}

function readPid(path: string): number | undefined {
  try {
    const n = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

