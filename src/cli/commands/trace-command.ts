import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { adminRequest } from '../../client/admin-request.js';
import type { CallEvent, CallsReply } from '../../calls/types.js';
import { loadConfig } from '../../config/load-config.js';
import { installPaths } from '../../runtime/install-paths.js';
import { runtimePaths } from '../../runtime/runtime-paths.js';
import { buildChromeTrace } from '../../trace/build-chrome-trace.js';
import { layOutCalls } from '../../trace/lay-out-calls.js';
import { renderTimingsHtml } from '../../trace/render-timings-html.js';
import { execCommand } from './exec-command.js';
import { startDaemon } from '../start-daemon.js';

/** The daemon keeps its recent calls in memory: ask for them often enough that none is lost. */
const POLL_MS = 1000;

/**
 * `reprise trace --out DIR -- CMD...`: runs CMD as `reprise exec` does and writes the
 * timeline of the calls the daemon served meanwhile: DIR/trace.json (Chrome trace events)
 * and DIR/timings.html. The daemon's record of its calls (src/calls/) is the only source:
 * the calls of another build sharing the daemon at the same time show up too.
 */
export async function traceCommand(outDir: string, cmd: string[]): Promise<number> {
  const config = loadConfig();
  const socket = runtimePaths(config.runtimeDir).socket;
  const started = startDaemon();
  if (!started.ok) process.stderr.write(`reprise trace: warning: daemon not started (${started.problem}); nothing will be traced\n`);
  const events: CallEvent[] = [];
  let daemon: string | undefined;
  let since: number | undefined;
  let lost = 0;
  const poll = async (): Promise<void> => {
    const r = await adminRequest(socket, 'calls', since === undefined ? {} : { since });
    if (r.kind !== 'reply' || !r.ok) return;
    const reply = r.value as CallsReply;
    const who = `${reply.daemon.pid} ${reply.daemon.startedAt}`;
    if (daemon !== undefined && who !== daemon) {
      // A new daemon (the old one stopped or was killed): its calls from the start.
      daemon = who;
      since = 0;
      return poll();
    }
    daemon = who;
    events.push(...reply.events);
    lost += reply.lost;
    since = reply.seq;
  };
  await poll();
  const t0 = Date.now();
  let polling = Promise.resolve();
  const timer = setInterval(() => (polling = polling.then(poll)), POLL_MS);
  const exitCode = await execCommand(cmd, 'trace');
  const t1 = Date.now();
  clearInterval(timer);
  await polling;
  await poll(); // the last calls, and the hits the shims replayed (taken by the daemon first)

  const command = cmd.join(' ');
  const laid = layOutCalls(events);
  const timeline = { command, started: Math.min(t0, ...events.map((e) => e.start)), ended: Math.max(t1, ...events.map((e) => e.end)), exitCode, ...laid };
  const version = (JSON.parse(readFileSync(installPaths.packageJson, 'utf8')) as { version: string }).version;
  try {
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, 'trace.json'), `${JSON.stringify(buildChromeTrace(timeline, version))}\n`);
    writeFileSync(join(outDir, 'timings.html'), renderTimingsHtml(timeline));
  } catch (e) {
    process.stderr.write(`reprise trace: cannot write ${outDir}: ${(e as Error).message}\n`);
    return exitCode === 0 ? 1 : exitCode;
  }
  const n = (o: CallEvent['outcome']): number => events.filter((e) => e.outcome === o).length;
  process.stderr.write(`reprise trace: ${events.length} calls (${n('hit') + n('shim-hit')} hits, ${n('miss')} misses, ${n('uncacheable')} uncacheable, ${n('passed-through')} passed through) in ${laid.lanes.length} lanes` +
    `${lost > 0 ? `; ${lost} calls lost (the daemon keeps only its latest)` : ''}: ${join(outDir, 'trace.json')}, ${join(outDir, 'timings.html')}\n`);
  return exitCode;
}
