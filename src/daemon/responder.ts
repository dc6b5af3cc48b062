import type { Socket } from 'node:net';
import { encodeFrame } from '../protocol/codec.js';
import type { Frame } from '../protocol/frames.js';

/** Sends frames to one client; writes after the client went away are dropped. */
export interface Responder {
  send(frame: Frame): void;
  end(): void;
  /** Drops the connection without a reply: the shim then runs the tool itself. */
  abort(): void;
  /** Aborted when the client disconnects. */
  readonly signal: AbortSignal;
  /** The client's capability bits (its HELLO; 0 before). */
  clientCaps: number;
}

export function createResponder(socket: Socket, signal: AbortSignal): Responder {
  return {
    signal,
    clientCaps: 0,
    send(frame) {
      if (!socket.destroyed && socket.writable) socket.write(encodeFrame(frame));
    },
    end() {
      if (!socket.destroyed) socket.end();
    },
    abort() {
      socket.destroy();
    },
  };
}
