import { closeSync, openSync, readSync } from 'node:fs';

/** The first `bytes` bytes of a file (fewer when it is shorter), or undefined when it cannot be read. */
export function readHead(path: string, bytes: number): Buffer | undefined {
  try {
    const fd = openSync(path, 'r');
    try {
      const head = Buffer.alloc(bytes);
      return head.subarray(0, readSync(fd, head, 0, bytes, 0));
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
}
