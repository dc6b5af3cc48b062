import { createHash } from 'node:crypto';

/**
 * The fingerprint ghc 9.0 gives a name a declaration brings along (a data constructor, a
 * field, a class method, a worker): the MD5 of the declaration's fingerprint and the name as
 * ghc's Binary writes them (the two 64-bit words as unsigned LEB128, the name space as a
 * byte, the name as a signed LEB128 length and its UTF-8 bytes). ghc compares these against
 * an importer's recorded usages, so an importer using a constructor depends on its type's
 * declaration only. Fingerprints are 32 hex digits.
 */
export function derivedFingerprint(parent: string, nameSpace: number, occ: string): string {
  const name = Buffer.from(occ, 'utf8');
  const bytes = [...uleb(BigInt(`0x${parent.slice(0, 16)}`)), ...uleb(BigInt(`0x${parent.slice(16)}`)), nameSpace, ...sleb(name.length)];
  return createHash('md5').update(Buffer.from(bytes)).update(name).digest('hex');
}

function uleb(n: bigint): number[] {
  const out: number[] = [];
  do {
    let b = Number(n & 0x7fn);
    n >>= 7n;
    if (n !== 0n) b |= 0x80;
    out.push(b);
  } while (n !== 0n);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    const done = (n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0);
    out.push(done ? b : b | 0x80);
    if (done) return out;
  }
}
