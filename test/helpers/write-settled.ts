import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Writes dir/name (making its directory), then waits 20 ms: inputs written less than
 * 10 ms before a compile starts count as changed during it, and are not stored.
 */
export function writeSettled(dir: string, name: string, content: string): void {
  const path = join(dir, name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  const until = Date.now() + 20;
  while (Date.now() < until);
}
