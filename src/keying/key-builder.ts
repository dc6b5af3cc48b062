import { createHasher } from '../hashing/create-hasher.js';
import type { DigestAlgorithm, Hasher } from '../hashing/types.js';

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
  private readonly hasher: Hasher;
  private readonly entries: KeyEntry[] = [];

  constructor(algorithm: DigestAlgorithm) {
    this.hasher = createHasher(algorithm);
  }

  /** Adds an entry; `display` replaces the value in the transcript (e.g. a digest for file bytes). */
  add(tag: string, value: string | Buffer, display?: string): this {
    const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
    const head = Buffer.alloc(8);
    const tagBytes = Buffer.from(tag, 'utf8');
    head.writeUInt32LE(tagBytes.length, 0);
    head.writeUInt32LE(bytes.length, 4);
    this.hasher.update(head).update(tagBytes).update(bytes);
    this.entries.push({ tag, value: display ?? (typeof value === 'string' ? value : `${bytes.length} bytes`) });
    return this;
  }

  finish(): BuiltKey {
    return { key: this.hasher.hex(), transcript: this.entries };
  }
}
