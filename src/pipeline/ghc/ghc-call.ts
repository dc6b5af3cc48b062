import type { GhcJob, GhcOutput } from '../../adapters/ghc/types.js';
import type { GhcToolIdentity } from '../../adapters/ghc/identify-ghc.js';
import type { BuiltKey } from '../../keying/key-builder.js';
import type { FileDigestCache } from '../../hashing/file-digest-cache.js';

/** One cacheable `ghc -c`, as the daemon received it. */
export interface GhcCall {
  tool: string;
  toolPath: string;
  cwd: string;
  /** $PWD when it names cwd: the key's directory. */
  keyCwd: string;
  umask: number;
  env: Map<string, string>;
  job: GhcJob;
  terminalArgs: string[];
}

/** A ghc call's direct key, with what its key step learned: the toolchain and the outputs its module names. */
export interface GhcKeyed {
  key: BuiltKey;
  tool: GhcToolIdentity;
  moduleName: string;
  outputs: GhcOutput[];
  /** The digests this call's entries check (package-db-files.ts: a package database without the home unit's registration). */
  files: FileDigestCache<undefined>;
}
