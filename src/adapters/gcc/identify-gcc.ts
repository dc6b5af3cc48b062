import { execFile } from 'node:child_process';
import { accessSync, constants, realpathSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import type { FileDigestCache } from '../../hashing/file-digest-cache.js';

export interface ToolIdentity {
  /** name → content digest of the driver and every program it runs for a compile. */
  parts: Array<{ name: string; path: string; digest: string }>;
}

// objcopy: gcc splits .dwo files out with it (-gsplit-dwarf).
const PROGRAMS = ['cc1', 'cc1plus', 'cc1obj', 'as', 'objcopy'];

/**
 * The bytes that decide what a gcc-like driver produces: the driver itself (clang is its
 * own compiler) and the programs it runs (`-print-prog-name`: cc1, cc1plus, as). Digests
 * come from the stat-validated cache, so a reinstalled compiler is seen at once.
 */
export async function identifyGcc(toolPath: string, env: NodeJS.ProcessEnv, files: FileDigestCache<unknown>): Promise<ToolIdentity> {
  // `files` should not scan content: compilers are tens of megabytes.
  const parts: ToolIdentity['parts'] = [];
  const driver = realpathSync(toolPath);
  const d = await files.digest(driver);
  if (!d) throw new Error(`cannot read ${driver}`);
  parts.push({ name: 'driver', path: driver, digest: d.digest.hash });
  // The driver is asked about every program at once: five spawns one after another are a fresh daemon's slowest first call.
  const named = await Promise.all(PROGRAMS.map((prog) => printProgName(toolPath, prog, env)));
  for (const [i, prog] of PROGRAMS.entries()) {
    // A bare name ("as") means the driver runs it from PATH; none there: not installed (or clang's built-in).
    const name = named[i]!;
    const path = isAbsolute(name) ? name : name === '' ? undefined : onPath(name, env.PATH ?? '');
    if (!path) continue;
    const p = await files.digest(realpathSync(path));
    if (p) parts.push({ name: prog, path, digest: p.digest.hash });
  }
  return { parts };
}

function onPath(name: string, path: string): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!isAbsolute(dir)) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      /* next */
    }
  }
  return undefined;
}

function printProgName(toolPath: string, prog: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve) => {
    execFile(toolPath, [`-print-prog-name=${prog}`], { env, timeout: 10_000 }, (err, stdout) => resolve(err ? '' : stdout.trim()));
  });
}
