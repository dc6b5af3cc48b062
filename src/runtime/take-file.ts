import { existsSync, readFileSync, renameSync, unlinkSync } from 'node:fs';

/**
 * Takes a file the shims append to and removes it, returning its text ('' when there is
 * none). The rename is atomic: a shim appending at the same moment writes either to the
 * taken file or to a new one.
 */
export function takeFile(path: string): string {
  if (!existsSync(path)) return ''; // the usual case, and cheaper than a failing rename's exception
  const taken = `${path}.${process.pid}.taken`;
  try {
    renameSync(path, taken);
  } catch {
    return '';
  }
  const text = peekFile(taken);
  try {
    unlinkSync(taken);
  } catch {
    /* removed already */
  }
  return text;
}

/** The text of a file the shims append to, left in place ('' when there is none or it cannot be read). */
export function peekFile(path: string): string {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return '';
  }
}
