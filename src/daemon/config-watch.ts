// The daemon's view of its config file after start: chokidar watches it, and every status
// request looks again (a watch can miss: the file's directory may not have existed).
import { watch, type FSWatcher } from 'chokidar';
import { diffConfig } from '../config/diff-config.js';
import type { Config } from '../config/load-config.js';
import { readConfigFile } from '../config/read-config-file.js';
import { resolveConfig } from '../config/resolve-config.js';
import type { ConfigFileRead, ResolvedConfig } from '../config/types.js';
import type { Logger } from './logger.js';

/** Keys a running daemon applies from an edited file. Everything else (the store, the remotes, trust) is built once at start: those wait for a restart. */
export const LIVE_KEYS: readonly string[] = ['daemon.idle_timeout', 'daemon.max_jobs', 'daemon.queue_timeout', 'daemon.log_level'];

/** How long the file must be left alone after an event before it is read. */
const SETTLE_MS = 200;

/** The `config` field of the status reply (docs/protocol.md). */
export interface DaemonConfigStatus {
  /** The config file this daemon reads (absent or not). */
  file: string;
  /** When the daemon read the settings it runs with, and the file's SHA-256 then (null: there was no file). */
  loadedAt: string;
  loadedDigest: string | null;
  /** Keys the file now sets differently that only a restart applies; empty when the daemon is current. */
  pending: string[];
  /** When the file was last seen to change. */
  changedAt?: string;
  /** The last live change: which keys, when. */
  applied?: { at: string; keys: string[] };
  /** Why the edited file cannot be used, while it cannot; the daemon keeps its settings. */
  error?: string;
}

export interface ConfigWatch {
  /** Looks at the file again, then reports. */
  status(): DaemonConfigStatus;
  close(): Promise<void>;
}

export interface ConfigWatchOptions {
  /** The daemon's environment: its REPRISE_* variables still override the edited file. */
  env: Record<string, string | undefined>;
  loaded: ResolvedConfig;
  log: Logger;
  /** Called with the running settings after live keys changed. */
  apply(next: Config, keys: string[]): void;
}

export function createConfigWatch(opts: ConfigWatchOptions): ConfigWatch {
  const { env, loaded, log } = opts;
  const where = { path: loaded.file.path, explicit: loaded.file.explicit };
  const loadedAt = new Date().toISOString();
  let running = loaded.config;
  let seen = loaded.file.digest ?? null; // the content last looked at, so an unchanged file costs one read
  let pending: string[] = [];
  let changedAt: string | undefined;
  let applied: DaemonConfigStatus['applied'];
  let error: string | undefined;

  function recheck(): void {
    let read: ConfigFileRead;
    try {
      read = readConfigFile(where);
    } catch (e) {
      error = (e as Error).message;
      seen = 'unreadable'; // whatever is read next is looked at
      return;
    }
    if ((read.digest ?? null) === seen) return;
    seen = read.digest ?? null;
    changedAt = new Date().toISOString();
    let next: Config;
    try {
      next = resolveConfig(env, read).config;
    } catch (e) {
      error = (e as Error).message;
      log.warn(`config file changed but cannot be used, keeping the settings from ${loadedAt}: ${error}`);
      return;
    }
    error = undefined;
    const changed = diffConfig(running, next);
    const live = changed.filter((k) => LIVE_KEYS.includes(k));
    pending = changed.filter((k) => !LIVE_KEYS.includes(k));
    if (live.length > 0) {
      running = { ...running, idleTimeoutMs: next.idleTimeoutMs, maxJobs: next.maxJobs, queueTimeoutMs: next.queueTimeoutMs, logLevel: next.logLevel };
      applied = { at: changedAt, keys: live };
      opts.apply(running, live);
      log.info(`config file changed: applied ${live.join(', ')}`);
    }
    if (pending.length > 0) log.warn(`config file changed ${pending.join(', ')}: a restart applies them (reprise daemon stop)`);
  }

  let watcher: FSWatcher | undefined;
  let settle: NodeJS.Timeout | undefined;
  try {
    watcher = watch(where.path, { ignoreInitial: true, persistent: false });
    watcher.on('all', (event) => {
      log.debug(`config file watch: ${event}`);
      // A write in place comes as a truncation and then the bytes, and chokidar may fold the
      // second event into the first: read once things are quiet, not the empty file in between.
      if (settle) clearTimeout(settle);
      settle = setTimeout(recheck, SETTLE_MS);
      settle.unref();
    });
    watcher.on('ready', () => {
      log.debug('config file watch: ready');
      recheck(); // an edit made while the watch was being set up has no event of its own
    });
    watcher.on('error', (e) => log.warn(`watching ${where.path}: ${(e as Error).message}`));
  } catch (e) {
    log.warn(`cannot watch ${where.path}: ${(e as Error).message}; reprise doctor still looks at it`);
  }

  return {
    status() {
      recheck();
      return {
        file: where.path,
        loadedAt,
        loadedDigest: loaded.file.digest ?? null,
        pending,
        ...(changedAt !== undefined ? { changedAt } : {}),
        ...(applied !== undefined ? { applied } : {}),
        ...(error !== undefined ? { error } : {}),
      };
    },
    async close() {
      if (settle) clearTimeout(settle);
      await watcher?.close();
    },
  };
}
