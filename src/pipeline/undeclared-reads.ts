import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * What the sandboxed compile could not find, for the log: file names its diagnostics
 * mention that exist outside (relative to the working directory), none of them declared.
 */
export function undeclaredReads(stderr: Buffer, cwd: string, declared: readonly string[]): string[] {
  const known = new Set(declared);
  const found = new Set<string>();
  const text = stderr.toString('utf8');
  // gcc: "fatal error: x.h: No such file", as: "file not found: x.bin", "can't open x for reading".
  for (const m of text.matchAll(/(?:error: |file not found: |can't open |‘|'|")([^\s:'"‘’]+)/g)) {
    const name = m[1]!;
    const path = resolve(cwd, name);
    if (!known.has(path) && existsSync(path)) found.add(path);
  }
  return [...found];
}
