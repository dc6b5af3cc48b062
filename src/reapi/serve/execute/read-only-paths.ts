import { posix } from 'node:path';
import type { InputEntry } from './read-input-tree.js';

/**
 * What the sandbox binds read-only over the staged root (root-relative paths), so that no
 * staged file, a link to a store file, can be written: each file of a directory the action may
 * write in (the root, the working directory and everything under it, and the directories that
 * lead to the working directory or to an output), and every other directory whole. One bind
 * per directory rather than per file matters for input roots that carry a toolchain (176 files
 * of gcc under `usr/`, each bind costing about a millisecond of bwrap's start); an action then
 * cannot create files in an input directory outside its working directory that holds no
 * output, which REAPI does not promise anyway.
 */
export function readOnlyPaths(entries: readonly InputEntry[], workingDirectory: string, outputs: readonly string[]): string[] {
  const cwd = posix.normalize(workingDirectory === '' ? '.' : workingDirectory).replace(/^\.$/, '').replace(/\/$/, '');
  const open = new Set<string>(['']);
  const addAncestors = (p: string): void => {
    for (let d = p; d !== '' && d !== '.'; d = posix.dirname(d)) open.add(d);
  };
  addAncestors(cwd);
  for (const o of outputs) addAncestors(posix.dirname(posix.join(cwd, o)));
  const isOpen = (dir: string): boolean => open.has(dir) || cwd === '' || dir.startsWith(`${cwd}/`);
  const out: string[] = [];
  const closed: string[] = [];
  for (const e of entries) {
    const parent = posix.dirname(e.path) === '.' ? '' : posix.dirname(e.path);
    if (closed.some((c) => parent === c || parent.startsWith(`${c}/`))) continue; // inside a directory bound whole
    if (e.kind === 'dir' && !isOpen(e.path)) {
      closed.push(e.path);
      out.push(e.path);
    } else if (e.kind === 'file') out.push(e.path);
  }
  return out;
}
