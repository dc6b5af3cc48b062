import { closeSync, fchmodSync, lstatSync, openSync, renameSync, rmSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { noteOutputWrite } from './output-writes-settled.js';

/**
 * Writes a replayed output as the compiler would have: the caller's umask applied to
 * 0666, a fresh mtime (make and ninja compare them), and never a half-written file at
 * the path (a temp file beside it, then rename). /dev/null and other non-files are
 * written in place.
 */
let serial = 0;

/** The mode a compiler gives an output: executables (linked programs, shared objects) 0777 before the umask, as a linker does; others 0666. */
export function outputMode(executable: boolean, umask: number): number {
  return (executable ? 0o777 : 0o666) & ~umask;
}

export function writeOutput(path: string, data: Buffer, umask: number, isRegularTarget: boolean, executable = false): void {
  const mode = outputMode(executable, umask);
  if (!isRegularTarget) {
    writeFileSync(path, data);
    noteOutputWrite();
    return;
  }
  // Synchronous: for object-sized files a thread-pool round trip costs more than the write.
  const tmp = join(dirname(path), `.reprise-${process.pid}-${(serial++).toString(36)}.tmp`);
  try {
    const fd = openSync(tmp, 'wx', mode); // 'x': a leftover of a dead daemon with our pid is never written through
    try {
      for (let at = 0; at < data.length; ) at += writeSync(fd, data, at);
      fchmodSync(fd, mode); // open's mode is filtered by the daemon's umask, not the caller's
    } finally {
      closeSync(fd);
    }
    // Renaming over an existing file makes ext4 flush the new data first (auto_da_alloc),
    // half a millisecond per hit here. Unlink first: should we die in between, the output
    // is missing, never stale or partial, so make rebuilds it.
    // lstat first: a clean rebuild has no old output, and a failing unlink builds an exception.
    if (lstatSync(path, { throwIfNoEntry: false })) unlinkSync(path);
    renameSync(tmp, path);
    noteOutputWrite();
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
