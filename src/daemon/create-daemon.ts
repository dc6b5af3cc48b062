import { closeSync, lstatSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import type { ResolvedConfig } from '../config/types.js';
import { runtimePaths } from '../runtime/runtime-paths.js';
import { takeFallbacks } from '../stats/fallback-log.js';
import { createStatsStore } from '../stats/stats-store.js';
import { createCallFeed } from '../calls/create-call-feed.js';
import { observeStats } from '../calls/observe-stats.js';
import { observeRecorder } from '../calls/observe-recorder.js';
import { createDashboard } from '../dashboard/create-dashboard.js';
import { whyReportFor } from '../why/why-report-for.js';
import { canonicalOutputPath } from '../why/canonical-output-path.js';
import { createJobSlots } from './job-slots.js';
import { createSpawner } from '../exec/create-spawner.js';
import { createSandbox } from '../exec/create-sandbox.js';
import { findBwrap } from '../exec/find-bwrap.js';
import { createCacheContext } from '../pipeline/create-cache-context.js';
import { installPaths } from '../runtime/install-paths.js';
import type { DaemonContext } from './daemon-context.js';
import { createConfigWatch } from './config-watch.js';
import type { FileLogger } from './logger.js';
import { serveConnection } from './serve-connection.js';
import { REMOTE_DRAIN_MS } from './drain-deadline.js';
import { dirname, join, resolve } from 'node:path';
import type { RecordedCall } from '../why/create-compile-recorder.js';
import type { RemoteParts } from '../pipeline/remote/load-remote-parts.js';

/** More connections than this at once are refused at accept (each may buffer a frame). */
const MAX_CONNECTIONS = 512;
/** How often the hits the shims replayed from tickets are counted (and before every stats reply). */
const SHIM_LOG_INTERVAL_MS = 2000;

export interface Daemon {
  listen(): Promise<void>;
  /** Resolves when the daemon has drained and closed. */
  readonly closed: Promise<void>;
  stop(why: string): void;
}

/** `loaded` is the configuration the daemon runs with and the config file it came from; `env` the daemon's own (its variables override an edited file too). */
export function createDaemon(loaded: ResolvedConfig, log: FileLogger, version: string, lockFd: number | undefined, parts: RemoteParts, env: NodeJS.ProcessEnv = process.env): Daemon {
  const config = loaded.config;
  const paths = runtimePaths(config.runtimeDir);
  const calls = createCallFeed();
  // Every call's outcome reaches the feed through the counters and `why` records it bumps anyway.
  const stats = observeStats(createStatsStore(join(config.cacheDir, 'stats.json')), calls);
  const active = new Set<Promise<void>>();
  let draining = false;
  let socketIno: number | undefined;
  let idleTimer: NodeJS.Timeout | undefined;
  let shimLogTimer: NodeJS.Timeout | undefined;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));

  const executor = createSpawner(installPaths.spawner, log);
  const sandbox = config.sandbox
    ? createSandbox({ bwrap: findBwrap(), spawner: installPaths.spawner, scratchDir: join(config.cacheDir, config.digest, 'tmp', 'sandbox'), log })
    : undefined;
  const cache = createCacheContext(config, log, stats, executor, sandbox, parts);
  cache.why = observeRecorder(cache.why, calls);
  const ctx: DaemonContext = {
    config,
    log,
    stats,
    jobs: createJobSlots(config.maxJobs),
    executor,
    cache,
    version,
    startedAt: new Date(),
    isDraining: () => draining,
    requestStop: (why) => stop(why),
    configStatus: () => configWatch.status(),
    calls,
    dashboard: createDashboard({
      stats: () => (ctx.ingestShimLogs(), { ...stats.snapshot(), store: cache.usage.size() }),
      daemon: () => ({ pid: process.pid, version, startedAt: ctx.startedAt.toISOString(), jobsRunning: ctx.jobs.running, jobsWaiting: ctx.jobs.waiting, maxJobs: ctx.config.maxJobs }),
      calls,
      why: async (file) => {
        const output = await canonicalOutputPath('/', file); // as the records name it: its directory through symlinks
        await cache.why.flush(output);
        return whyReportFor(ctx.config.cacheDir, ctx.config.digest, output);
      },
      log,
    }),
    // Taken for no call in particular, though often while serving one: outside its record.
    ingestShimLogs: () => calls.outside(() => {
      for (const f of takeFallbacks(paths.fallbacks)) stats.fallback(f.tool, f.reason);
      const desk = ctx.cache.tickets;
      for (const h of desk?.takeHits() ?? []) {
        stats.shimHit(h.tool, h.durationMs);
        const why = desk?.whyOf(h.ticket);
        if (why) ctx.cache.why.hit(why.call, why.key, why.resultKey);
        calls.shimHit(h.tool, h.durationMs, why?.call.cwd ?? '', why ? outputPath(why.call) : undefined);
        // The entries a ticket replayed stay recent, as the daemon's own hits keep them.
        ctx.cache.usage.touch('manifests', h.manifestKey);
        ctx.cache.usage.touch('ac', h.resultKey);
        for (const b of h.blobs) ctx.cache.usage.touch('cas', b);
      }
    }),
  };

  // daemon.* settings of an edited file apply now; the rest wait for a restart (doctor says so).
  const configWatch = createConfigWatch({
    env,
    loaded,
    log,
    apply(next) {
      ctx.config = next;
      log.setLevel(next.logLevel);
      ctx.jobs.resize(next.maxJobs);
      armIdle();
    },
  });

  const server: Server = createServer({ allowHalfOpen: true }, (socket: Socket) => {
    if (draining || active.size >= MAX_CONNECTIONS) {
      socket.destroy();
      return;
    }
    stats.bumpDaemon('connections');
    armIdle();
    const p = serveConnection(ctx, socket).finally(() => {
      active.delete(p);
      armIdle();
    });
    active.add(p);
  });
  server.on('error', (e) => log.error(`server error: ${e.message}`));

  function armIdle(): void {
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = undefined;
    if (ctx.config.idleTimeoutMs === 0 || draining || active.size > 0) return;
    idleTimer = setTimeout(() => stop('idle timeout'), ctx.config.idleTimeoutMs);
    idleTimer.unref();
  }

  /** Whether the socket path is still the socket this daemon bound. */
  function ownsSocket(): boolean {
    return socketIno !== undefined && lstatSync(paths.socket, { throwIfNoEntry: false })?.ino === socketIno;
  }

  function removeOwnSocket(): void {
    try {
      // Only unlink the socket we bound: a successor may already own the path.
      if (ownsSocket()) unlinkSync(paths.socket);
    } catch {
      /* gone already */
    }
  }

  function stop(why: string): void {
    if (draining) return;
    draining = true;
    log.info(`draining: ${why}`);
    if (idleTimer) clearTimeout(idleTimer);
    if (shimLogTimer) clearInterval(shimLogTimer);
    ctx.dashboard.close();
    void configWatch.close();
    removeOwnSocket();
    server.close();
    // The shims' last ticket hits are taken first: their `why` records and recency are then written with the rest.
    void Promise.allSettled([...active]).then(() => (ctx.ingestShimLogs(), ctx.cache.why.flush())).then(async () => {
      await ctx.cache.usage.close(); // pending recency updates are written
      await ctx.cache.remotes?.close(REMOTE_DRAIN_MS); // queued uploads go out, within a deadline
      await ctx.cache.remote?.close();
      ctx.executor.close();
      sandbox?.close();
      ctx.cache.tickets?.close();
      ctx.cache.goIndex?.close();
      ctx.ingestShimLogs(); // fallbacks the shims logged while the daemon drained
      const err = stats.flush();
      if (err) log.warn(`cannot write stats: ${err.message}`);
      try {
        if (readFileSync(paths.pid, 'utf8').trim() === String(process.pid)) unlinkSync(paths.pid);
      } catch {
        /* not ours or gone */
      }
      if (lockFd !== undefined) {
        try {
          closeSync(lockFd);
        } catch {
          /* closed */
        }
      }
      log.info('stopped');
      resolveClosed();
    });
  }

  async function listen(): Promise<void> {
    // Bound under a name of its own, then renamed into place (over a stale socket: we hold
    // daemon.lock, or were started by hand). libuv unlinks the name a server was bound to
    // when it closes, whoever owns that path by then: a daemon whose runtime directory was
    // removed and made again under it would otherwise take its successor's socket with it.
    // No longer than the socket's own name (socket paths are limited to 107 bytes).
    const boundAt = join(dirname(paths.socket), `.s${process.pid}`);
    try {
      unlinkSync(boundAt);
    } catch {
      /* none */
    }
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(boundAt, () => {
        server.off('error', reject);
        resolve();
      });
    });
    renameSync(boundAt, paths.socket);
    const bound = lstatSync(paths.socket, { bigint: true });
    socketIno = Number(bound.ino);
    ctx.cache.tickets?.open({ path: paths.socket, dev: bound.dev, ino: bound.ino });
    // Lines of an earlier daemon (killed) may name another store: start empty, or with the index off, with none.
    if (ctx.cache.goIndex) ctx.cache.goIndex.reset('start');
    else rmSync(paths.goIndex, { force: true });
    // Hits the shims replay never reach the daemon: their log is taken now and then. A daemon
    // whose socket is gone or replaced (its runtime directory removed) can serve no one: it stops.
    shimLogTimer = setInterval(() => {
      ctx.ingestShimLogs();
      if (!ownsSocket()) stop('its socket was removed or replaced');
    }, SHIM_LOG_INTERVAL_MS);
    shimLogTimer.unref();
    writeFileSync(paths.pid, `${process.pid}\n`, { mode: 0o600 });
    log.info(`listening on ${paths.socket} (version ${version}, ${config.maxJobs} jobs)`);
    armIdle();
    ctx.cache.usage.start(); // measures the store in the background
    // The sandbox's probe (bubblewrap and the spawner started once) in the background now, not
    // in the first fill's way: at the start of a build that fill shares the CPU with the build tool's start.
    void sandbox?.status();
  }

  return { listen, closed, stop };
}

/** The output file a recorded call wrote, absolute. */
function outputPath(c: RecordedCall): string | undefined {
  const o = c.job.outputs[0]?.path;
  return o === undefined ? undefined : resolve(c.cwd, o);
}
