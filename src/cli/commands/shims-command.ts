import { resolve } from 'node:path';
import { installPaths } from '../../runtime/install-paths.js';
import { installShims } from '../../runtime/install-shims.js';

/** `reprise shims install DIR [--name N...]`. */
export function shimsInstallCommand(dir: string, names: string[]): number {
  try {
    const made = installShims(resolve(dir), installPaths.shimBinary, names);
    process.stdout.write(`${resolve(dir)}: ${made.join(' ')} -> ${installPaths.shimBinary}\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`reprise shims install: ${(e as Error).message}\n`);
    return 1;
  }
}
