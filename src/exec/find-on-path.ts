import { statSync } from 'node:fs';
import { join } from 'node:path';

/** Where a program run by a bare name is found, as execvp finds it: the first absolute PATH entry holding a regular file by that name (`isFile`: in another view than this process's). */
export function findOnPath(name: string, path: string | undefined, isFile: (p: string) => boolean = (p) => statSync(p, { throwIfNoEntry: false })?.isFile() === true): string | undefined {
  return (path ?? '').split(':').filter((d) => d.startsWith('/')).map((d) => join(d, name)).find(isFile);
}
