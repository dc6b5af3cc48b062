import { ProtocolError } from './protocol-error.js';

/** Bounds-checked reader over one frame payload: u32/i32 LE and length-prefixed strings. */
export class PayloadReader {
  private offset = 0;
  constructor(private readonly buf: Buffer) {}

  u32(field: string): number {
    this.need(4, field);
    const v = this.buf.readUInt32LE(this.offset);
    this.offset += 4;
    return v;
  }

  i32(field: string): number {
    this.need(4, field);
    const v = this.buf.readInt32LE(this.offset);
    this.offset += 4;
    return v;
  }

  bytes(field: string): Buffer {
    const len = this.u32(`${field} length`);
    this.need(len, field);
    const v = this.buf.subarray(this.offset, this.offset + len);
    this.offset += len;
    return v;
  }

  string(field: string): string {
    return this.bytes(field).toString('utf8');
  }

  /** A count of items that each take at least `minItemSize` bytes, checked against what is left. */
  count(field: string, minItemSize: number): number {
    const n = this.u32(field);
    if (n * minItemSize > this.buf.length - this.offset) throw new ProtocolError(`${field} ${n} exceeds the payload`);
    return n;
  }

  end(): void {
    if (this.offset !== this.buf.length) {
      throw new ProtocolError(`${this.buf.length - this.offset} unexpected trailing bytes`);
    }
  }

  private need(n: number, field: string): void {
    if (this.offset + n > this.buf.length) throw new ProtocolError(`payload too short for ${field}`);
  }
}
