import { readFileSync } from 'node:fs';
import { installPaths } from './install-paths.js';

let version: string | undefined;

/** reprise's version, from its package.json (read once). */
export function packageVersion(): string {
  version ??= (JSON.parse(readFileSync(installPaths.packageJson, 'utf8')) as { version: string }).version;
  return version;
}
