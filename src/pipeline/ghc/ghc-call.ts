import type { GhcJob, GhcOutput } from '../../adapters/ghc/types.js';
import type { GhcToolIdentity } from '../../adapters/ghc/identify-ghc.js';
import type { BuiltKey } from '../../keying/key-builder.js';
import type { FileDigestCache } from '../../hashing/file-digest-cache.js';
import type { CallBase } from '../driver/call-base.js';

/**
 * One cacheable `ghc -c`, as the daemon received it. Its outputs follow the module's name,
 * which only the source says: the key step reads it and fills `job.outputs` in (empty until
 * then; `reprise why` and verify mode read them after).
 */
export interface GhcCall extends CallBase {
  job: GhcJob & { outputs: GhcOutput[] };
  terminalArgs: string[];
}

/** A ghc call's direct key, with what its key step learned: the toolchain and the module's name. */
export interface GhcKeyed {
  kind: 'key';
  key: BuiltKey;
  tool: GhcToolIdentity;
  moduleName: string;
  outputs: GhcOutput[];
  /** The digests this call's entries check (ghc-files.ts: interfaces by what importers see, a package database without the home unit's registration). */
  files: FileDigestCache<undefined>;
}
