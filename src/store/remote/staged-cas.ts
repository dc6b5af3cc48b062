import type { ContentStore } from '../types.js';

/**
 * The local content store with the blobs a remote just gave in front of it: a remote hit is
 * replayed from the fetched bytes (already checked against their digests) and the blobs are
 * written back after the reply, off its path.
 */
export interface StagedCas extends ContentStore {
  /**
   * Holds `data` (verified against `digest` by the caller) and writes it to the local store
   * once the current turn of the loop is done. Resolves true when it is stored there, false
   * when the write failed (then it is no longer held either).
   */
  stage(digest: string, data: Buffer): Promise<boolean>;
  /** The write of a staged blob, or undefined when it is not staged (stored, or never fetched). */
  written(digest: string): Promise<boolean> | undefined;
}

interface Staged {
  data: Buffer;
  written: Promise<boolean>;
}

/** Lets the reply that is being made go out before the write it waits for. */
const afterThisTurn = (): Promise<void> => new Promise((r) => setImmediate(r));

export function createStagedCas(local: ContentStore, onWriteFailed: (digest: string, e: Error) => void): StagedCas {
  const staged = new Map<string, Staged>();
  return {
    async findMissing(digests) {
      const missing = await local.findMissing(digests.filter((d) => !staged.has(d)));
      return missing;
    },
    async get(digest) {
      return staged.get(digest)?.data ?? local.get(digest);
    },
    put: (digest, data) => local.put(digest, data),
    ...(local.localPath ? { localPath: local.localPath.bind(local) } : {}),
    stage(digest, data) {
      const known = staged.get(digest);
      if (known) return known.written;
      const written = afterThisTurn()
        .then(() => local.put(digest, data))
        .then(
          () => true,
          (e: Error) => {
            onWriteFailed(digest, e);
            return false;
          },
        )
        .finally(() => {
          if (staged.get(digest)?.written === written) staged.delete(digest);
        });
      staged.set(digest, { data, written });
      return written;
    },
    written: (digest) => staged.get(digest)?.written,
  };
}
