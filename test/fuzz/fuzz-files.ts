import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { sh, type ReplayLog } from './replay-log.js';

/** File edits under a fuzz project's root, each also logged as the shell command that replays it. */
export interface FuzzFiles {
  at(path: string): string;
  write(path: string, content: string): void;
  remove(path: string): void;
}

export function createFuzzFiles(root: string, log: ReplayLog): FuzzFiles {
  const at = (p: string): string => join(root, p);
  return {
    at,
    write(p, content) {
      mkdirSync(dirname(at(p)), { recursive: true });
      writeFileSync(at(p), content);
      log.add(`mkdir -p ${sh(dirname(p))} && printf '%s' ${sh(content)} > ${sh(p)}`);
    },
    remove(p) {
      rmSync(at(p), { recursive: true, force: true });
      log.add(`rm -rf ${sh(p)}`);
    },
  };
}
