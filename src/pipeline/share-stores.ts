import type { Config } from '../config/load-config.js';
import type { Logger } from '../daemon/logger.js';
import { digestBytes } from '../hashing/create-hasher.js';
import type { StatsStore } from '../stats/stats-store.js';
import { parseActionResult } from '../store/parse-action-result.js';
import type { JsonStore } from '../store/local/create-local-json-store.js';
import type { RemoteTiers } from '../store/remote/create-remote-tiers.js';
import { createEntryTrust } from '../store/remote/entry-trust.js';
import { createReadThroughStore } from '../store/remote/read-through-store.js';
import { createStagedCas } from '../store/remote/staged-cas.js';
import type { ActionCache, ActionResult, ContentStore } from '../store/types.js';
import { addManifestEntry, parseManifest, type Manifest } from './manifest.js';
import type { RemoteParts } from './remote/load-remote-parts.js';

export interface SharedStores {
  /** The local blobs, with a remote hit's fetched ones in front until they are written back. */
  cas: ContentStore;
  actions: ActionCache;
  manifests: JsonStore<Manifest>;
  /** Undefined without remotes. */
  remotes: RemoteTiers | undefined;
}

/**
 * The team cache (README "Team cache"): the local action cache and manifests, read through
 * to the configured remotes and written behind to the read-write ones. Blobs stay local;
 * a remote entry is used only once every blob it names is here. Only sandboxed results are
 * shared, and a manifest is shared as a pointer: each machine checks its entries against
 * its own files.
 */
export function shareStores(config: Config, log: Logger, stats: StatsStore, parts: RemoteParts, local: { cas: ContentStore; actions: ActionCache; manifests: JsonStore<Manifest> }): SharedStores {
  if (config.remotes.length === 0) return { ...local, remotes: undefined };
  if (!parts.createRemoteTiers) throw new Error('remotes configured, their modules not loaded (loadRemoteParts)');
  const remotes = parts.createRemoteTiers(config.remotes, config.digest, (remote, counter, n) => stats.bumpRemote(remote, counter, n));
  const trust = createEntryTrust(config.trust);
  const cas = createStagedCas(local.cas, (digest, e) => log.info(`remote blob ${digest.slice(0, 12)} not written back: ${e.message}`));
  const salt = config.trust.salt;
  const common = {
    tiers: remotes.tiers, trust, algorithm: config.digest, localCas: cas, log,
    remoteKey: (key: string): string => (salt === '' ? key : digestBytes(config.digest, Buffer.from(`reprise-salt\0${salt}\0${key}`)).hash),
  };
  const blobsOf = (r: ActionResult): string[] => [...r.outputs.map((o) => o.digest), r.stdoutDigest, r.stderrDigest];
  const shareable = (r: ActionResult): boolean => r.sandboxed && r.exitCode === 0;
  const actions = createReadThroughStore<ActionResult>(local.actions, {
    ...common,
    kind: 'result',
    parse: parseActionResult,
    blobsOf,
    shareable,
    savedMs: (r) => r.durationMs,
  });
  const manifests = createReadThroughStore<Manifest>(local.manifests, {
    ...common,
    kind: 'manifest',
    parse: parseManifest,
    blobsOf: () => [],
    shareable: () => true,
    // Another machine's input sets stay beside ours (newest, ours, first).
    merge: (theirs, ours) => ours.entries.slice().reverse().reduce((m, e) => addManifestEntry(m, e), theirs),
    // The newest entry's result (and its blobs) is fetched while the manifest is matched;
    // the manifest carries that result, so only its blobs are fetched (a round trip less a hit).
    fetched: (m, carried) => {
      const newest = m.entries[0];
      if (newest) actions.prefetch(newest.resultKey, carried);
    },
    carry: async (m) => {
      const newest = m.entries[0];
      const r = newest && (await local.actions.get(newest.resultKey));
      if (!newest || !r || !shareable(r)) return undefined;
      return { kind: 'result', key: newest.resultKey, body: JSON.stringify(r), blobs: blobsOf(r) };
    },
  });
  return { cas, actions, manifests, remotes };
}
