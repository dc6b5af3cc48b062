import { join } from 'node:path';
import { isDigestHex } from '../../hashing/create-hasher.js';
import { StoreError } from '../types.js';

/**
 * Where an entry lives: dir/<area>/ab/cdef… for the key abcdef…. The key must be a hex
 * digest (`what` names it in the error): anything else could name a path outside the store.
 */
export function entryPath(dir: string, area: string, key: string, what = 'key'): string {
  if (!isDigestHex(key)) throw new StoreError('corrupt', `not a ${what}: ${JSON.stringify(key)}`);
  return join(dir, area, key.slice(0, 2), key.slice(2));
}
