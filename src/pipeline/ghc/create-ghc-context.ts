import { LRUCache } from 'lru-cache';
import { identifyGhc, GHC_IDENTITY_ENV, type GhcToolIdentity } from '../../adapters/ghc/identify-ghc.js';
import { createFileDigestCache, type FileDigestCache } from '../../hashing/file-digest-cache.js';
import type { DigestAlgorithm } from '../../hashing/types.js';

/** What the GHC pipeline keeps per daemon: the ghc toolchains it has met, and digests of what compiles read. */
export interface GhcContext {
  /** The identity of the ghc a call runs (checked again by the stamps of its parts on each use). */
  identify(toolPath: string, env: NodeJS.ProcessEnv): Promise<GhcToolIdentity>;
  /** Sources, interfaces, objects and package files, digested without a content scan. */
  files: FileDigestCache<undefined>;
}

export function createGhcContext(algorithm: DigestAlgorithm): GhcContext {
  const files = createFileDigestCache<undefined>({ algorithm });
  const known = new LRUCache<string, { stamps: string[]; identity: Promise<GhcToolIdentity> }>({ max: 16 });
  const stampsOf = (id: GhcToolIdentity | undefined, toolPath: string): string[] => [toolPath, ...(id?.parts.map((p) => p.path) ?? [])].map((p) => files.stamp(p) ?? '');
  return {
    files,
    async identify(toolPath, env) {
      const memoKey = [toolPath, ...GHC_IDENTITY_ENV.map((n) => env[n] ?? '\0')].join('\0');
      const k = known.get(memoKey);
      if (k) {
        const id = await k.identity.catch(() => undefined);
        if (id && stampsOf(id, toolPath).join('\0') === k.stamps.join('\0')) return id;
        if (!id) known.delete(memoKey);
      }
      // Concurrent first calls (make -j) share one identification.
      const identity = identifyGhc(toolPath, env, files);
      const entry = { stamps: [] as string[], identity };
      known.set(memoKey, entry);
      try {
        const id = await identity;
        entry.stamps = stampsOf(id, toolPath);
        return id;
      } catch (e) {
        known.delete(memoKey);
        throw e;
      }
    },
  };
}
