import { chmodSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Flips the last byte of every stored blob holding `content`, in place (same inode, same
 * size), as a disk error would. Returns how many were damaged.
 */
export function damageBlob(cacheDir: string, content: Buffer): number {
  const casDir = join(cacheDir, 'blake3', 'cas');
  let flipped = 0;
  for (const sub of readdirSync(casDir)) {
    for (const f of readdirSync(join(casDir, sub))) {
      const p = join(casDir, sub, f);
      const data = readFileSync(p);
      if (!data.equals(content)) continue;
      data[data.length - 1]! ^= 0xff;
      chmodSync(p, 0o644);
      writeFileSync(p, data);
      flipped++;
    }
  }
  return flipped;
}
