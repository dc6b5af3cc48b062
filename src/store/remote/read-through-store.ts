import type { Logger } from '../../daemon/logger.js';
import { digestBytes, emptyDigest } from '../../hashing/create-hasher.js';
import type { Digest, DigestAlgorithm } from '../../hashing/types.js';
import type { JsonStore } from '../local/create-local-json-store.js';
import { decodeEntry, encodeEntry, type CarriedEntry, type DecodedCarried, type EntryKind } from './entry-envelope.js';
import type { EntryTrust } from './entry-trust.js';
import type { RemoteTier } from './remote-tier.js';
import type { StagedCas } from './staged-cas.js';

export interface ReadThroughOptions<T> {
  kind: EntryKind;
  /** In read order. */
  tiers: readonly RemoteTier[];
  trust: EntryTrust;
  algorithm: DigestAlgorithm;
  /** Where the blobs an entry names live on this machine: fetched ones are staged there and written back after the reply. */
  localCas: StagedCas;
  /** The key on the remotes (salted). */
  remoteKey(key: string): string;
  parse(text: string): T | undefined;
  /** The blobs (hex digests) a use of the entry reads. */
  blobsOf(value: T): string[];
  /** Whether the entry may come from or go to a remote (results: only sandboxed ones). */
  shareable(value: T): boolean;
  /** An upload's entry from what the remote has and ours (manifests: their input sets joined). */
  merge?(remote: T, local: T): T;
  /** The compile time a remote hit of this entry saves. */
  savedMs?(value: T): number;
  /**
   * Told of an entry a remote gave that passed every check, before it is written back, so
   * what its use will need can be fetched meanwhile (a manifest's newest result), with the
   * entry it carried (from that remote), if any.
   */
  fetched?(value: T, carried?: Carried): void;
  /** The entry an upload of `value` carries, with the blobs (hex digests) it names (a manifest: its newest result, when that may be shared). */
  carry?(value: T): Promise<(Omit<CarriedEntry, 'blobs'> & { blobs: string[] }) | undefined>;
  log: Logger;
}

/** An entry another one carried, as that entry's remote gave it (checked as any of its entries would be before use). */
export interface Carried {
  tier: RemoteTier;
  entry: DecodedCarried;
  /** Blob sizes by digest, from the carrying entry's output files. */
  blobs: Map<string, number>;
}

/** A read-through store that can also start a lookup ahead of its get. */
export interface ReadThroughStore<T> extends JsonStore<T> {
  /**
   * Looks `key` up now, locally and then on the remotes, blobs included, so that a get of it
   * soon after (within PREFETCH_KEEP_MS) finds it here or on its way. The entry itself is
   * written back and its hit counted only by that get: an unused prefetch stores verified
   * blobs and nothing else. `carried`: the entry as another one brought it (no fetch of its own).
   */
  prefetch(key: string, carried?: Carried): void;
}

/** How long a prefetched lookup waits for its get. */
const PREFETCH_KEEP_MS = 5000;
/** At most this many prefetched lookups are kept (one per compile in flight is the usual). */
const PREFETCH_MAX = 256;

/** An entry found locally (no tier) or on a remote tier, not yet written back. */
interface Found<T> {
  value: T;
  tier?: RemoteTier;
  /** A remote's entry: whether every blob it names is now in the local store (they are written after the reply). */
  stored?: Promise<boolean>;
}

/** Lets the reply that is being made go out before the write-back. */
const afterThisTurn = (): Promise<void> => new Promise((r) => setImmediate(r));

/**
 * Read-through and write-behind over the local store (DESIGN.md §2): local first, then each
 * remote in order. A remote entry counts only when it is well-formed, trusted (signed, when
 * keys are configured), shareable, and every blob it names was fetched and matched its
 * digest (completeness); then it is answered from the fetched bytes (staged in `localCas`), and
 * blobs, then the entry, are written back locally after the reply (an entry is written only
 * once all its blobs are, so a failed write-back leaves a miss, never a broken entry). Writes go to the local store, then, for shareable entries, into each
 * read-write remote's upload queue: blobs first, the entry last, so a reader never sees an
 * entry before its blobs. No remote failure reaches the caller: it is counted and is a miss.
 * A remote hit costs sequential round trips (manifest, result, blobs); `prefetch` lets the
 * next one start while this one is matched, and a manifest that carries its newest result
 * saves the result's round trip.
 */
export function createReadThroughStore<T extends object>(local: JsonStore<T>, opts: ReadThroughOptions<T>): ReadThroughStore<T> {
  const empty = emptyDigest(opts.algorithm);
  const noSignal = new AbortController().signal;

  const fetchFrom = async (tier: RemoteTier, key: string): Promise<Found<T> | 'blobs' | undefined> => {
    const raw = await tier.backend.ac.get(opts.remoteKey(key), noSignal);
    if (!raw) {
      tier.count('misses');
      return undefined;
    }
    tier.count('bytes-down', raw.stdoutRaw.length);
    const decoded = decodeEntry(opts.kind, key, raw, opts.trust);
    if (decoded.kind === 'refused') {
      tier.count(decoded.why);
      opts.log.info(`${tier.name}: ${opts.kind} ${key.slice(0, 12)} refused (${decoded.why})`);
      return undefined;
    }
    return complete(tier, key, decoded.body, decoded.blobs, decoded.carries);
  };

  /**
   * An entry's body from `tier`, used when it parses, may be shared, and every blob it names
   * is here or was fetched and matched its digest; then those blobs are staged for writing.
   * 'blobs' when a blob failed (counted): the same entry fetched again would name the same blobs.
   */
  const complete = async (tier: RemoteTier, key: string, body: string, sizes: Map<string, number>, carries?: DecodedCarried): Promise<Found<T> | 'blobs' | undefined> => {
    const value = opts.parse(body);
    if (!value) {
      tier.count('corrupt');
      return undefined;
    }
    if (!opts.shareable(value)) {
      tier.count('misses');
      return undefined;
    }
    const blobs = [...new Set(opts.blobsOf(value))].filter((d) => d !== empty);
    // Blobs another lookup staged count as here (findMissing, in the same turn): the entry waits for their writes too.
    const writes = blobs.flatMap((hash) => opts.localCas.written(hash) ?? []);
    const missing = await opts.localCas.findMissing(blobs);
    const fetched = await Promise.all(missing.map(async (hash) => {
      const size = sizes.get(hash);
      if (size === undefined) return { hash, why: 'corrupt' as const };
      const data = await tier.backend.cas.get({ hash, size }, noSignal);
      if (!data) return { hash, why: 'incomplete' as const };
      tier.count('bytes-down', data.length);
      if (data.length !== size || digestBytes(opts.algorithm, data).hash !== hash) return { hash, why: 'corrupt' as const };
      return { hash, data, why: undefined };
    }));
    for (const f of fetched) {
      if (f.why !== undefined) {
        tier.count(f.why);
        opts.log.info(`${tier.name}: ${opts.kind} ${key.slice(0, 12)} not used: blob ${f.hash.slice(0, 12)} ${f.why === 'corrupt' ? 'did not match its digest' : 'is missing'}`);
        return 'blobs';
      }
    }
    for (const f of fetched) writes.push(opts.localCas.stage(f.hash, f.data!));
    opts.fetched?.(value, carries && { tier, entry: carries, blobs: sizes });
    return { value, tier, stored: Promise.all(writes).then((ok) => ok.every(Boolean)) };
  };

  /**
   * Local first, then (when another entry carried this one) the carried entry, then each remote
   * in order; a remote's entry comes back complete, its blobs staged here, the entry not yet.
   */
  const find = async (key: string, carried?: Carried): Promise<Found<T> | undefined> => {
    const mine = await local.get(key);
    if (mine) return { value: mine };
    let tried: RemoteTier | undefined; // its blobs failed (counted): fetching the entry there again would name the same ones
    if (carried?.entry.kind === opts.kind && carried.entry.key === key) {
      try {
        const found = await complete(carried.tier, key, carried.entry.body, carried.blobs);
        if (found === 'blobs') tried = carried.tier;
        else if (found) return found;
      } catch (e) {
        tried = carried.tier; // it failed (and its breaker counted it) for this entry's blobs just now
        opts.log.debug(`${carried.tier.name}: ${opts.kind} ${key.slice(0, 12)}: ${(e as Error).message}`);
      }
    }
    for (const tier of opts.tiers) {
      if (tier === tried) continue;
      try {
        const found = await fetchFrom(tier, key);
        if (found === 'blobs') continue;
        if (found) return found;
      } catch (e) {
        opts.log.debug(`${tier.name}: ${opts.kind} ${key.slice(0, 12)}: ${(e as Error).message}`);
      }
    }
    return undefined;
  };

  /** Remote entries in use whose write-back has not finished: answered from here meanwhile. */
  const writingBack = new Map<string, T>();

  /** A remote's entry is counted as that remote's hit and written back after the reply, once its blobs are. */
  const use = (key: string, found: Found<T> | undefined): T | undefined => {
    if (!found?.tier) return found?.value;
    const { value, tier } = found;
    tier.count('hits');
    const saved = opts.savedMs?.(value);
    if (saved) tier.count('time-saved-ms', saved);
    writingBack.set(key, value);
    void afterThisTurn()
      .then(() => found.stored)
      .then(async (blobsStored) => {
        if (blobsStored) await local.put(key, value);
        else opts.log.info(`${tier.name}: ${opts.kind} ${key.slice(0, 12)} not written back: a blob could not be stored`);
      })
      .catch((e: Error) => opts.log.info(`${tier.name}: ${opts.kind} ${key.slice(0, 12)} not written back: ${e.message}`))
      .finally(() => {
        if (writingBack.get(key) === value) writingBack.delete(key);
      });
    return value;
  };

  const prefetched = new Map<string, Promise<Found<T> | undefined>>();

  const upload = (tier: RemoteTier, key: string, value: T): void => {
    const queued = tier.uploads.enqueue(async (signal) => {
      try {
        const rkey = opts.remoteKey(key);
        let entry = value;
        if (opts.merge) {
          const theirs = await tier.backend.ac.get(rkey, signal);
          const decoded = theirs && decodeEntry(opts.kind, key, theirs, opts.trust);
          const parsed = decoded?.kind === 'ok' ? opts.parse(decoded.body) : undefined;
          if (parsed) entry = opts.merge(parsed, value);
        }
        const load = async (hash: string): Promise<{ digest: Digest; data: Buffer } | undefined> => {
          const data = hash === empty ? Buffer.alloc(0) : await opts.localCas.get(hash);
          return data && { digest: { hash, size: data.length }, data };
        };
        const blobs: Array<{ digest: Digest; data: Buffer }> = [];
        for (const hash of new Set(opts.blobsOf(value))) {
          const b = await load(hash);
          if (!b) throw new Error(`blob ${hash.slice(0, 12)} is no longer in the local store`);
          blobs.push(b);
        }
        // What the entry carries goes up with it, its blobs before it; without all of them here it carries nothing.
        const carrying = await opts.carry?.(entry).catch(() => undefined);
        const carriedBlobs: Array<{ digest: Digest; data: Buffer }> = [];
        let carried: CarriedEntry | undefined;
        if (carrying) {
          for (const hash of new Set(carrying.blobs)) {
            const b = await load(hash);
            if (!b) break;
            carriedBlobs.push(b);
          }
          if (carriedBlobs.length === new Set(carrying.blobs).size) carried = { ...carrying, blobs: carriedBlobs.map((b) => b.digest) };
        }
        const sending = new Map([...blobs, ...(carried ? carriedBlobs : [])].map((b) => [b.digest.hash, b]));
        const missing = new Set((await tier.backend.cas.findMissing([...sending.values()].map((b) => b.digest).filter((d) => d.size > 0), signal)).map((d) => d.hash));
        for (const b of sending.values()) {
          if (!missing.has(b.digest.hash)) continue;
          await tier.backend.cas.put(b.digest, b.data, signal);
          tier.count('bytes-up', b.data.length);
        }
        const encoded = encodeEntry(opts.kind, key, JSON.stringify(entry), blobs.map((b) => b.digest), opts.trust, carried);
        await tier.backend.ac.put(rkey, encoded, signal);
        tier.count('bytes-up', encoded.stdoutRaw.length);
        tier.count('uploads');
      } catch (e) {
        tier.count('upload-failed');
        opts.log.info(`${tier.name}: ${opts.kind} ${key.slice(0, 12)} not uploaded: ${(e as Error).message}`);
      }
    });
    if (!queued) tier.count('upload-dropped');
  };

  return {
    async get(key) {
      const pending = writingBack.get(key);
      if (pending) return pending;
      const early = prefetched.get(key);
      if (early) prefetched.delete(key);
      return use(key, await (early ?? find(key)));
    },
    prefetch(key, carried) {
      if (prefetched.has(key) || writingBack.has(key) || prefetched.size >= PREFETCH_MAX) return;
      const lookup = find(key, carried).catch(() => undefined); // find counts and logs; a failure is a miss, as in get
      prefetched.set(key, lookup);
      void lookup.then(() => {
        setTimeout(() => {
          if (prefetched.get(key) === lookup) prefetched.delete(key);
        }, PREFETCH_KEEP_MS).unref();
      });
    },
    async put(key, value) {
      prefetched.delete(key);
      writingBack.delete(key);
      await local.put(key, value);
      if (!opts.shareable(value)) return;
      for (const tier of opts.tiers) if (tier.role === 'read-write') upload(tier, key, value);
    },
    dropMemo: () => {
      prefetched.clear();
      writingBack.clear();
      local.dropMemo();
    },
  };
}
