import { installPaths } from '../../runtime/install-paths.js';

/** `reprise env`: the line to eval in a shell so that every compiler call goes through reprise. */
export function envCommand(): number {
  const q = installPaths.shimDir.replace(/'/g, `'\\''`);
  process.stdout.write(`export PATH='${q}':"$PATH"\n`);
  return 0;
}
