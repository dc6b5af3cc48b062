import { execFile } from 'node:child_process';
import { join } from 'node:path';
import type { FileDigestCache } from '../../hashing/file-digest-cache.js';

/** What decides the bytes a ghc produces. */
export interface GhcToolIdentity {
  /** `ghc --info`: version, target, the C toolchain it calls, its library directory. */
  info: string;
  /** The library directory (`LibDir`): the real compiler is `LibDir/bin/ghc`. */
  libDir: string;
  /** Content digests of the called program (a wrapper script, as Debian's /usr/bin/ghc is) and of the real compiler. */
  parts: Array<{ path: string; digest: string }>;
}

/** Environment that reaches ghc's start-up. */
export const GHC_IDENTITY_ENV = ['PATH', 'LD_LIBRARY_PATH', 'GHCRTS'] as const;

/**
 * Identifies the ghc a call names: `ghc --info`, and the digests of the program called and of
 * `LibDir/bin/ghc` it runs. Everything else ghc reads (package databases and interfaces, the
 * C toolchain's files) is an input of each compile, seen by its trace.
 */
export async function identifyGhc(toolPath: string, env: NodeJS.ProcessEnv, files: FileDigestCache<unknown>): Promise<GhcToolIdentity> {
  const info = await run(toolPath, ['--info'], env);
  const libDir = /\("LibDir","([^"]+)"\)/.exec(info)?.[1];
  if (!libDir?.startsWith('/')) throw new Error(`${toolPath} --info names no LibDir`);
  const parts: GhcToolIdentity['parts'] = [];
  for (const path of [toolPath, join(libDir, 'bin', 'ghc')]) {
    const d = await files.digest(path);
    if (!d) throw new Error(`cannot read ${path}`);
    parts.push({ path, digest: d.digest.hash });
  }
  return { info, libDir, parts };
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { env, cwd: '/', timeout: 20_000, maxBuffer: 1 << 20 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });
}
