import { appendFileSync } from 'node:fs';
import type { LogLevel } from '../config/load-config.js';

export interface Logger {
  error(msg: string): void;
  warn(msg: string): void;
  info(msg: string): void;
  debug(msg: string): void;
}

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

/** The daemon's logger: its level follows an edited config file (daemon.log_level). */
export interface FileLogger extends Logger {
  setLevel(level: LogLevel): void;
}

/** Appends timestamped lines to a file. Logging must never fail a request, so errors are dropped. */
export function createFileLogger(path: string, level: LogLevel): FileLogger {
  let current = level;
  const write = (lvl: LogLevel, msg: string): void => {
    if (RANK[lvl] > RANK[current]) return;
    try {
      appendFileSync(path, `${new Date().toISOString()} ${process.pid} ${lvl} ${msg}\n`);
    } catch {
      /* a full disk or a removed runtime dir must not take the daemon down */
    }
  };
  return {
    error: (m) => write('error', m),
    warn: (m) => write('warn', m),
    info: (m) => write('info', m),
    debug: (m) => write('debug', m),
    setLevel: (l) => void (current = l),
  };
}
