import type { Lane } from './types.js';

/** `job 2` on this machine, `grpc://host:port 1` on an executor. */
export function laneName(l: Lane): string {
  return l.executor === undefined ? `job ${l.index}` : `${l.executor} ${l.index}`;
}
