import { availableParallelism } from 'node:os';
import { FrameKind, type Admin } from '../../protocol/frames.js';
import { parseJsonObject } from '../../json/parse-json-object.js';
import type { DaemonConfigStatus } from '../config-watch.js';
import type { DaemonContext } from '../daemon-context.js';
import type { Responder } from '../responder.js';
import type { CallsReply } from '../../calls/types.js';
import { handleStoreAdmin } from './handle-store-admin.js';

/** The daemon's status document (`reprise daemon status --json`). */
export interface DaemonStatus {
  pid: number;
  version: string;
  startedAt: string;
  runtimeDir: string;
  cacheDir: string;
  maxJobs: number;
  jobsRunning: number;
  jobsWaiting: number;
  rssBytes: number;
  cores: number;
  draining: boolean;
  /** The config file against the settings in force (added with the config file; absent from older daemons). */
  config?: DaemonConfigStatus;
}

/** CLI requests: status, stats, stats-zero, stop, gc, cache-clear, why-flush, calls, dashboard. */
export function handleAdmin(ctx: DaemonContext, admin: Admin, out: Responder): void | Promise<void> {
  const reply = (value: unknown): void => out.send({ kind: FrameKind.ADMIN_REPLY, reply: { ok: true, json: JSON.stringify(value) } });
  switch (admin.command) {
    case 'status': {
      const status: DaemonStatus = {
        pid: process.pid,
        version: ctx.version,
        startedAt: ctx.startedAt.toISOString(),
        runtimeDir: ctx.config.runtimeDir,
        cacheDir: ctx.config.cacheDir,
        maxJobs: ctx.config.maxJobs,
        jobsRunning: ctx.jobs.running,
        jobsWaiting: ctx.jobs.waiting,
        rssBytes: process.memoryUsage.rss(),
        cores: availableParallelism(),
        draining: ctx.isDraining(),
        config: ctx.configStatus(),
      };
      return reply(status);
    }
    case 'stats':
      ctx.ingestShimLogs();
      return reply({ ...ctx.stats.snapshot(), store: ctx.cache.usage.size() });
    case 'stats-zero':
      ctx.ingestShimLogs();
      ctx.stats.zero();
      return reply({ ...ctx.stats.snapshot(), store: ctx.cache.usage.size() });
    case 'stop':
      reply({ stopping: true });
      ctx.requestStop('stop requested');
      return;
    case 'gc':
    case 'cache-clear':
      return handleStoreAdmin(ctx, admin, out);
    case 'calls': { // `reprise trace`: the calls finished after `since` (the shims' replayed hits taken first)
      ctx.ingestShimLogs();
      const since = parseJsonObject(admin.argument)?.since;
      const taken = ctx.calls.since(typeof since === 'number' && Number.isInteger(since) ? since : undefined);
      const r: CallsReply = { daemon: { pid: process.pid, startedAt: ctx.startedAt.toISOString() }, ...taken };
      return reply(r);
    }
    case 'dashboard':
      return ctx.dashboard.url().then((url) => reply({ url }), (e: Error) => out.send({ kind: FrameKind.ADMIN_REPLY, reply: { ok: false, json: JSON.stringify({ error: e.message }) } }));
    case 'why-flush': { // `reprise why` reads the records from disk: write the queued ones first
      ctx.ingestShimLogs(); // the hits shims replayed are records too
      const output = parseJsonObject(admin.argument)?.output;
      return ctx.cache.why.flush(typeof output === 'string' && output.startsWith('/') ? output : undefined).then(() => reply({ flushed: true }));
    }
  }
}
