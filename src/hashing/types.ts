/** One digest function per cache (DESIGN.md §4): BLAKE3 locally, SHA-256 when a remote needs it. */
export type DigestAlgorithm = 'blake3' | 'sha256';
export const DIGEST_ALGORITHMS: readonly DigestAlgorithm[] = ['blake3', 'sha256'];

/** A content digest as REAPI spells it: lowercase hex hash plus size in bytes. */
export interface Digest {
  hash: string;
  size: number;
}

export interface Hasher {
  update(data: Buffer | string): Hasher;
  /** Lowercase hex. The hasher must not be used afterwards. */
  hex(): string;
}
