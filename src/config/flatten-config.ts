import type { Config } from './load-config.js';
import type { FlatSettings } from './types.js';

/** The one-value settings of a Config, trust's fields flattened (the inverse of resolve-config's assembly). */
export function flattenConfig(c: Config): FlatSettings {
  return {
    cacheDir: c.cacheDir,
    maxSizeBytes: c.maxSizeBytes,
    digest: c.digest,
    baseDir: c.baseDir,
    sandbox: c.sandbox,
    verifyRate: c.verifyRate,
    tickets: c.tickets,
    cache: c.cache,
    idleTimeoutMs: c.idleTimeoutMs,
    maxJobs: c.maxJobs,
    queueTimeoutMs: c.queueTimeoutMs,
    logLevel: c.logLevel,
    execute: c.execute,
    signingKeyFile: c.trust.signingKeyFile,
    publicKeys: c.trust.publicKeys,
    salt: c.trust.salt,
  };
}
