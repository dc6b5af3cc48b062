import { ConfigError } from './config-error.js';
import { parseByteSize } from './parse-byte-size.js';

export const SIZE_EXPECTED = 'expected a size such as 5G, 500M, 1.5GiB, 2GB or a number of bytes (0: no limit)';

/** A size setting (`5G`, `500M`, `1.5GiB`, bytes); `name` is how the user spelled the setting. */
export function byteSize(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = parseByteSize(raw);
  if (n === undefined) throw new ConfigError(`${name}=${raw}: ${SIZE_EXPECTED}`);
  return n;
}
