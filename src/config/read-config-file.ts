import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from './config-error.js';
import type { ConfigFileRead } from './types.js';

/** Reads the config file; a missing one is no file (defaults and variables only), any other failure an error. */
export function readConfigFile(where: { path: string; explicit: boolean }): ConfigFileRead {
  let bytes: Buffer;
  try {
    bytes = readFileSync(where.path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { ...where, exists: false, text: '', digest: undefined };
    throw new ConfigError(`${where.path}: cannot read the config file: ${(e as Error).message}`);
  }
  return { ...where, exists: true, text: bytes.toString('utf8'), digest: createHash('sha256').update(bytes).digest('hex') };
}
