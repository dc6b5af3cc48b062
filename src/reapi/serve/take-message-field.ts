import protobuf from 'protobufjs';

/**
 * Splits one message-typed field (wire type 2) out of an encoded protobuf message: its bytes as
 * sent (a field that occurs more than once is merged, which for messages is concatenation;
 * undefined when absent), and the message without it. Throws on malformed input.
 */
export function takeMessageField(message: Buffer, field: number): { value: Buffer | undefined; rest: Buffer } {
  const r = protobuf.Reader.create(message);
  const parts: Buffer[] = [];
  const rest: Buffer[] = [];
  while (r.pos < r.len) {
    const start = r.pos;
    const tag = r.uint32();
    if (tag >>> 3 === field && (tag & 7) === 2) parts.push(Buffer.from(r.bytes()));
    else {
      r.skipType(tag & 7);
      rest.push(message.subarray(start, r.pos));
    }
  }
  return { value: parts.length === 0 ? undefined : Buffer.concat(parts), rest: Buffer.concat(rest) };
}
