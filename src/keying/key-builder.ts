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
  // One growing buffer, hashed in one call at the end: a key has dozens of small entries.
  private buf = Buffer.allocUnsafe(4096);
  private used = 0;
  private readonly entries: KeyEntry[] = [];

  constructor(private readonly algorithm: DigestAlgorithm) {}

  /** Adds an entry; `display` replaces the value in the transcript (e.g. a digest for file bytes). */
  add(tag: string, value: string | Buffer, display?: string): this {
    const tagLength = Buffer.byteLength(tag, 'utf8');
    const valueLength = typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : value.length;
    this.reserve(8 + tagLength + valueLength);
    this.buf.writeUInt32LE(tagLength, this.used);
    this.buf.writeUInt32LE(valueLength, this.used + 4);
    this.used += 8;
    this.used += this.buf.write(tag, this.used, 'utf8');
    this.used += typeof value === 'string' ? this.buf.write(value, this.used, 'utf8') : value.copy(this.buf, this.used);
    this.entries.push({ tag, value: display ?? (typeof value === 'string' ? value : `${value.length} bytes`) });
    return this;
  }

  finish(): BuiltKey {
    return { key: digestBytes(this.algorithm, this.buf.subarray(0, this.used)).hash, transcript: this.entries };
  }

  private reserve(n: number): void {
    if (this.used + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.used + n));
    this.buf.copy(bigger, 0, 0, this.used);
    this.buf = bigger;
  }
}
