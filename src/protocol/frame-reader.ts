import { FRAME_HEADER_SIZE, MAX_FRAME_PAYLOAD, type Frame } from './frames.js';
import { decodeFrame } from './codec.js';
import { ProtocolError } from './protocol-error.js';

/**
 * Incremental frame parser for a byte stream. It rejects an oversized or malformed
 * header as soon as the header arrives, so a hostile length never makes us buffer it.
 */
export class FrameReader<F = Frame> {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(
    private readonly decode: (kind: number, payload: Buffer) => F = decodeFrame as (kind: number, payload: Buffer) => F,
    private readonly maxPayload = MAX_FRAME_PAYLOAD,
  ) {}

  /** Feeds bytes and returns every complete frame they finish. Throws ProtocolError. */
  push(chunk: Buffer): F[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: F[] = [];
    for (;;) {
      if (this.buffered < FRAME_HEADER_SIZE) break;
      const head = this.peek(FRAME_HEADER_SIZE);
      const length = head.readUInt32LE(0);
      const kind = head.readUInt16LE(4);
      if (head.readUInt16LE(6) !== 0) throw new ProtocolError('reserved header field is not zero');
      if (length > this.maxPayload) throw new ProtocolError(`frame payload of ${length} bytes exceeds ${this.maxPayload}`);
      if (this.buffered < FRAME_HEADER_SIZE + length) break;
      const all = this.take(FRAME_HEADER_SIZE + length);
      frames.push(this.decode(kind, all.subarray(FRAME_HEADER_SIZE)));
    }
    return frames;
  }

  /** Bytes received that do not yet form a whole frame. */
  get pending(): number {
    return this.buffered;
  }

  private peek(n: number): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0]!.subarray(0, n);
  }

  private take(n: number): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    return out;
  }
}
