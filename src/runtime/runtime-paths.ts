import { join } from 'node:path';
import { RuntimeFile } from '../protocol/frames.js';

export interface RuntimePaths {
  socket: string;
  lock: string;
  pid: string;
  log: string;
  fallbacks: string;
  tickets: string;
  hits: string;
  goIndex: string;
}

export function runtimePaths(runtimeDir: string): RuntimePaths {
  return {
    socket: join(runtimeDir, RuntimeFile.SOCKET),
    lock: join(runtimeDir, RuntimeFile.LOCK),
    pid: join(runtimeDir, RuntimeFile.PID),
    log: join(runtimeDir, RuntimeFile.LOG),
    fallbacks: join(runtimeDir, RuntimeFile.FALLBACKS),
    tickets: join(runtimeDir, RuntimeFile.TICKETS),
    hits: join(runtimeDir, RuntimeFile.HITS),
    goIndex: join(runtimeDir, RuntimeFile.GO_INDEX),
  };
}
