import { connect } from 'node:net';
import { encodeFrame } from '../protocol/codec.js';
import { FrameReader } from '../protocol/frame-reader.js';
import { FrameKind, PROTOCOL_VERSION, type AdminCommand } from '../protocol/frames.js';

export type AdminResult = { kind: 'reply'; ok: boolean; value: unknown } | { kind: 'unreachable'; reason: string };

/** Sends one ADMIN request to the daemon; a missing or misbehaving daemon is a result, not an exception. */
export function adminRequest(socketPath: string, command: AdminCommand, argument: unknown = {}, timeoutMs = 5000): Promise<AdminResult> {
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    const reader = new FrameReader();
    let settled = false;
    const settle = (r: AdminResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => settle({ kind: 'unreachable', reason: 'timed out' }), timeoutMs);
    socket.on('error', (e) => settle({ kind: 'unreachable', reason: e.message }));
    socket.on('close', () => settle({ kind: 'unreachable', reason: 'connection closed' }));
    socket.on('connect', () => {
      socket.write(Buffer.concat([
        encodeFrame({ kind: FrameKind.HELLO, hello: { version: PROTOCOL_VERSION, capabilities: 0, client: 'reprise-cli' } }),
        encodeFrame({ kind: FrameKind.ADMIN, admin: { command, argument: JSON.stringify(argument) } }),
      ]));
    });
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const f of reader.push(chunk)) {
          if (f.kind === FrameKind.DECLINE) return settle({ kind: 'unreachable', reason: `declined: ${f.reason}` });
          if (f.kind === FrameKind.ADMIN_REPLY) return settle({ kind: 'reply', ok: f.reply.ok, value: JSON.parse(f.reply.json) as unknown });
        }
      } catch (e) {
        settle({ kind: 'unreachable', reason: `bad reply: ${(e as Error).message}` });
      }
    });
  });
}
