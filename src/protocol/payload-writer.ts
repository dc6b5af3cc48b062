/** Builds a payload of u32/i32 LE integers and length-prefixed strings. */
export class PayloadWriter {
  private readonly parts: Buffer[] = [];

  u32(v: number): this {
    const b = Buffer.allocUnsafe(4);
    b.writeUInt32LE(v >>> 0);
    this.parts.push(b);
    return this;
  }

  i32(v: number): this {
    const b = Buffer.allocUnsafe(4);
    b.writeInt32LE(v | 0);
    this.parts.push(b);
    return this;
  }

  bytes(v: Buffer): this {
    this.u32(v.length);
    this.parts.push(v);
    return this;
  }

  string(v: string): this {
    return this.bytes(Buffer.from(v, 'utf8'));
  }

  strings(list: readonly string[]): this {
    this.u32(list.length);
    for (const s of list) this.string(s);
    return this;
  }

  build(): Buffer {
    return Buffer.concat(this.parts);
  }
}
