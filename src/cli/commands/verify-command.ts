import { join } from 'node:path';
import { adminRequest } from '../../client/admin-request.js';
import { loadConfig } from '../../config/load-config.js';
import { runtimePaths } from '../../runtime/runtime-paths.js';
import type { StatsSnapshot } from '../../stats/types.js';
import { HINT_TEXT } from '../../verify/mismatch-hint.js';
import { mismatchLogPath, readMismatches } from '../../verify/mismatch-log.js';
import type { VerifyReport } from '../../verify/types.js';
import { withDaemonProgress } from '../poll-daemon-stats.js';
import { startDaemon } from '../start-daemon.js';
import { createStatusBar } from '../status-bar.js';
import { execCommand } from './exec-command.js';

/**
 * `reprise verify -- CMD...`: runs CMD like `reprise exec`, with every hit also compiled
 * again in the sandbox and compared (REPRISE_VERIFY=1 in its environment), then reports
 * the mismatches recorded meanwhile. Exits with CMD's status, or 1 when CMD succeeded but
 * a hit differed or could not be verified.
 */
export async function verifyCommand(cmd: string[], json: boolean): Promise<number> {
  if (cmd.length === 0) return execCommand(cmd, 'verify');
  const config = loadConfig();
  const socket = runtimePaths(config.runtimeDir).socket;
  const before = startDaemon().ok ? await counters(socket) : undefined;
  const since = new Date();
  const status = await withVerifyStatus(socket, before, () => execCommand(cmd, 'verify', { REPRISE_VERIFY: '1' }));
  const after = before && (await counters(socket));
  if (!before || !after) {
    process.stderr.write('reprise verify: the daemon was not reachable, so no hit was verified\n');
    return status !== 0 ? status : 1;
  }
  // The daemon's store, which may differ from this shell's settings.
  const log = after.store ? join(after.store.dir, 'verify', 'mismatches.jsonl') : mismatchLogPath(config.cacheDir, config.digest);
  const { mismatches, bad } = readMismatches(log, since);
  const d = countsSince(before, after);
  const report: VerifyReport = {
    schema: 1, status, hits: d.hits, verified: d.verified, mismatched: Math.max(d.mismatched, mismatches.length), skipped: d.skipped, mismatches, unreadable: bad,
  };
  process.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report, log));
  if (status !== 0) return status;
  return report.mismatched > 0 || report.skipped > 0 ? 1 : 0;
}

function countsSince(before: StatsSnapshot, after: StatsSnapshot): { hits: number; verified: number; mismatched: number; skipped: number } {
  const delta = (k: 'verified' | 'verify-mismatch' | 'verify-skipped'): number => Math.max(0, after.cache[k] - before.cache[k]);
  const hits = (s: StatsSnapshot): number => Object.values(s.tools).reduce((n, t) => n + t['direct-hit'], 0);
  return { hits: Math.max(0, hits(after) - hits(before)), verified: delta('verified'), mismatched: delta('verify-mismatch'), skipped: delta('verify-skipped') };
}

/**
 * Runs the build with a status line pinned under its output on a terminal: the hits so far
 * and how many were compiled again and compared. The build writes straight to the terminal
 * (compilers word their messages differently into a pipe), so the line keeps a row of its own.
 */
async function withVerifyStatus(socket: string, before: StatsSnapshot | undefined, build: () => Promise<number>): Promise<number> {
  if (!before || !process.stderr.isTTY) return build();
  return withDaemonProgress(createStatusBar('reprise verify:'), socket, (now) => {
    const d = countsSince(before, now);
    return `${d.hits} hits, ${d.verified} compared, ${d.mismatched} mismatched${d.skipped ? `, ${d.skipped} could not be verified` : ''}`;
  }, build);
}

async function counters(socket: string): Promise<StatsSnapshot | undefined> {
  const r = await adminRequest(socket, 'stats');
  return r.kind === 'reply' && r.ok ? (r.value as StatsSnapshot) : undefined;
}

function formatReport(r: VerifyReport, log: string): string {
  const n = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 'es'.slice(word.endsWith('h') ? 0 : 1)}`;
  const lines = [`reprise verify: ${n(r.hits, 'hit')}, ${r.verified} compiled again and compared: ${n(r.mismatched, 'mismatch')}` +
    `${r.skipped > 0 ? `, ${r.skipped} could not be verified (the daemon log says why)` : ''}`];
  for (const m of r.mismatches) {
    lines.push(`mismatch: ${m.file}`, `  result: ${m.resultKey}`, `  differs: ${m.differs.map((d) => (d.path ? `${d.what} (${d.path})` : d.what)).join(', ')}`,
      `  hint: ${HINT_TEXT[m.hint]}${m.detail ? `: ${m.detail}` : ''}`);
  }
  for (const b of r.unreadable) lines.push(`unreadable record: ${b}`);
  if (r.mismatches.length > 0) lines.push(`(recorded in ${log}; docs/verify.md explains the hints)`);
  return lines.join('\n') + '\n';
}
