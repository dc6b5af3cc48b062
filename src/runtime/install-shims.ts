import { lstatSync, mkdirSync, readlinkSync, symlinkSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_SHIM_NAMES } from './shim-names.js';

const NAME = /^[A-Za-z0-9_.+-]+$/;

/**
 * Makes DIR a masquerade directory: symlinks named after compilers pointing at the shim
 * binary. Existing links to elsewhere are replaced; regular files are left alone.
 */
export function installShims(dir: string, shimBinary: string, extraNames: readonly string[] = []): string[] {
  mkdirSync(dir, { recursive: true });
  const names = [...new Set([...DEFAULT_SHIM_NAMES, ...extraNames])];
  for (const name of names) {
    if (!NAME.test(name) || name === '.' || name === '..') throw new Error(`not a valid shim name: ${JSON.stringify(name)}`);
    const link = join(dir, name);
    let st;
    try {
      st = lstatSync(link);
    } catch {
      st = undefined;
    }
    if (st) {
      if (!st.isSymbolicLink()) throw new Error(`${link} exists and is not a symlink; not replacing it`);
      if (readlinkSync(link) === shimBinary) continue;
      unlinkSync(link);
    }
    symlinkSync(shimBinary, link);
  }
  return names;
}
