// A real redis-server on a loopback port, in the foreground, with no persistence.
import { existsSync, mkdirSync } from 'node:fs';
import { freePort } from './free-port.js';
import { startServer, type StartedServer } from './started-server.js';

export const REDIS_SERVER = '/usr/bin/redis-server';

export function redisMissing(): string | undefined {
  return existsSync(REDIS_SERVER) ? undefined : 'redis-server is not installed (apt-get install redis-server)';
}

export async function startRedis(dir: string, extra: string[] = [], port?: number): Promise<StartedServer & { url: string }> {
  const p = port ?? (await freePort());
  mkdirSync(dir, { recursive: true });
  const s = await startServer(REDIS_SERVER, ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...extra], p, () => '');
  return { ...s, url: `redis://127.0.0.1:${p}` };
}
