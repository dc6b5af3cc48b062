import { statSync } from 'node:fs';
import { join } from 'node:path';

/** Where a program run by a bare name is found, as execvp finds it: the first absolute PATH entry holding a regular file by that name. */
export function findOnPath(name: string, path: string | undefined): string | undefined {
  return (path ?? '').split(':').filter((d) => d.startsWith('/')).map((d) => join(d, name)).find((p) => statSync(p, { throwIfNoEntry: false })?.isFile());
}
