import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { digestBytes } from '../../src/hashing/create-hasher.js';
import { parseActionResult } from '../../src/store/parse-action-result.js';

/**
 * Poisons a store the way only a deliberate swap could: every action result whose first
 * output holds `good` is pointed at `other` (digest and size), and `other` is put in the
 * CAS under its true digest, so every store check passes. Returns how many results changed.
 * Stop the daemon first: it keeps recent results in memory.
 */
export function poisonEntry(store: string, good: Buffer, other: Buffer): number {
  const goodDigest = digestBytes('blake3', good).hash;
  const otherDigest = digestBytes('blake3', other).hash;
  let poisoned = 0;
  for (const sub of readdirSync(join(store, 'ac'), { withFileTypes: true })) {
    if (!sub.isDirectory()) continue; // the go index's files beside the fan-out
    for (const name of readdirSync(join(store, 'ac', sub.name))) {
      const path = join(store, 'ac', sub.name, name);
      const result = parseActionResult(readFileSync(path, 'utf8'));
      const first = result?.outputs[0];
      if (!result || first?.digest !== goodDigest) continue;
      first.digest = otherDigest;
      first.size = other.length;
      writeFileSync(path, JSON.stringify(result));
      poisoned++;
    }
  }
  mkdirSync(join(store, 'cas', otherDigest.slice(0, 2)), { recursive: true });
  writeFileSync(join(store, 'cas', otherDigest.slice(0, 2), otherDigest.slice(2)), other);
  return poisoned;
}
