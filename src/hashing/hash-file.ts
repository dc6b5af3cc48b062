import { open } from 'node:fs/promises';
import { createHasher } from './create-hasher.js';
import type { Digest, DigestAlgorithm } from './types.js';

const CHUNK = 1 << 20;
// Chunk buffers of finished hashes, reused: a hash takes one out while it runs, so two never share one.
const spare: Buffer[] = [];

/**
 * The digest of a file's bytes, read in 1 MiB chunks (off the event loop) and never held
 * whole: a toolchain's libraries and a build's rlibs are hundreds of megabytes, and a
 * buffer per file costs a page fault per 4 KiB and garbage collection.
 */
export async function hashFile(algorithm: DigestAlgorithm, path: string): Promise<Digest> {
  const fh = await open(path, 'r');
  const buf = spare.pop() ?? Buffer.allocUnsafe(CHUNK);
  try {
    const hasher = createHasher(algorithm);
    let size = 0;
    for (let n; (n = (await fh.read(buf, 0, CHUNK, null)).bytesRead) > 0; size += n) hasher.update(buf.subarray(0, n));
    return { hash: hasher.hex(), size };
  } finally {
    if (spare.length < 8) spare.push(buf);
    await fh.close();
  }
}
