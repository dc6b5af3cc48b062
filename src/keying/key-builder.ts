import { digestBytes } from '../hashing/create-hasher.js';
import type { DigestAlgorithm } from '../hashing/types.js';

/** One line of a key's explain transcript: what went in, as a person can read it. */
export interface KeyEntry {
  tag: string;
  value: string;
}

export interface BuiltKey {
  key: string;
  transcript: KeyEntry[];
}

/**
 * Builds a key from tagged, length-prefixed entries, so no two different entry lists can
 * produce the same byte stream. Every entry is also kept for `reprise explain`/`why`.
 */
export class KeyBuilder {
  private readonly parts: Buffer[] = [];
  private readonly entries: KeyEntry[] = [];

  constructor(private readonly algorithm: DigestAlgorithm) {}

  /** Adds an entry; `display` replaces the value in the transcript (e.g. a digest for file bytes). */
  add(tag: string, value: string | Buffer, display?: string): this {
    const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
    const head = Buffer.alloc(8);
    const tagBytes = Buffer.from(tag, 'utf8');
    head.writeUInt32LE(tagBytes.length, 0);
    head.writeUInt32LE(bytes.length, 4);
    this.parts.push(head, tagBytes, bytes); // hashed in one call at the end: native calls cost more than bytes
    this.entries.push({ tag, value: display ?? (typeof value === 'string' ? value : `${bytes.length} bytes`) });
    return this;
  }

  finish(): BuiltKey {
    return { key: digestBytes(this.algorithm, Buffer.concat(this.parts)).hash, transcript: this.entries };
  }
}
