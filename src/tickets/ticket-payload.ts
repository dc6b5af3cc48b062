import { encodeFrame } from '../protocol/codec.js';
import { FRAME_HEADER_SIZE, FrameKind, TICKET_UNMATCHED_ENV, type Call } from '../protocol/frames.js';

const UNMATCHED = TICKET_UNMATCHED_ENV.map((n) => `${n}=`);

/** The bytes a ticket is named by and matched on: the CALL payload without TICKET_UNMATCHED_ENV (the shim builds the same). */
export function ticketPayload(call: Call): Buffer {
  const env = call.env.filter((e) => !UNMATCHED.some((p) => e.startsWith(p)));
  return encodeFrame({ kind: FrameKind.CALL, call: { ...call, env } }).subarray(FRAME_HEADER_SIZE);
}
