import { ADMIN_COMMANDS, FRAME_HEADER_SIZE, FrameKind, MAX_FRAME_PAYLOAD, type AdminCommand, type Frame } from './frames.js';
import { PayloadReader } from './payload-reader.js';
import { PayloadWriter } from './payload-writer.js';
import { ProtocolError } from './protocol-error.js';

/** Serialises one frame: 8-byte header (u32 length, u16 kind, u16 0) plus payload. */
export function encodeFrame(frame: Frame): Buffer {
  return frameBytes(frame.kind, encodePayload(frame));
}

/** The header plus payload of any frame kind (shared with the spawner protocol). */
export function frameBytes(kind: number, payload: Buffer): Buffer {
  if (payload.length > MAX_FRAME_PAYLOAD) throw new ProtocolError(`payload of ${payload.length} bytes exceeds the maximum`);
  const header = Buffer.alloc(FRAME_HEADER_SIZE);
  header.writeUInt32LE(payload.length, 0);
  header.writeUInt16LE(kind, 4);
  return Buffer.concat([header, payload]);
}

function encodePayload(frame: Frame): Buffer {
  const w = new PayloadWriter();
  switch (frame.kind) {
    case FrameKind.HELLO:
      return w.u32(frame.hello.version).u32(frame.hello.capabilities).string(frame.hello.client).build();
    case FrameKind.CALL: {
      const c = frame.call;
      return w.string(c.shimName).string(c.toolPath).string(c.cwd).u32(c.umask).u32(c.flags)
        .u32(c.stdinColumns).u32(c.stderrColumns)
        .strings(c.argv).strings(c.env).build();
    }
    case FrameKind.ADMIN:
      return w.string(frame.admin.command).string(frame.admin.argument).build();
    case FrameKind.WELCOME: {
      const x = frame.welcome;
      return w.u32(x.version).u32(x.capabilities).u32(x.maxFrame).string(x.daemonVersion).build();
    }
    case FrameKind.DECLINE:
      return w.string(frame.reason).build();
    case FrameKind.STARTED:
      return w.u32(frame.pgid).build();
    case FrameKind.STDOUT:
    case FrameKind.STDERR:
      return frame.data;
    case FrameKind.EXIT:
      return w.i32(frame.exit.code).u32(frame.exit.signal).build();
    case FrameKind.ADMIN_REPLY:
      return w.u32(frame.reply.ok ? 0 : 1).string(frame.reply.json).build();
    case FrameKind.GO_OPEN:
      return w.string(frame.client).build();
    case FrameKind.GO_REQUEST:
      return w.string(frame.request.line).string(frame.request.bodyPath).build();
    case FrameKind.GO_SERVED:
      return w.strings(frame.actionIds).build();
    case FrameKind.GO_MISSED:
      return w.u32(frame.count).build();
    case FrameKind.EXEC_ENV:
      return w.strings(frame.env).build();
    case FrameKind.GO_REPLY:
      return w.string(frame.line).build();
    case FrameKind.RUNNING:
      return w.u32(frame.pgid).strings(frame.writes).build();
  }
}

/** Decodes and validates one payload. Throws ProtocolError on anything docs/protocol.md forbids. */
export function decodeFrame(kind: number, payload: Buffer): Frame {
  const r = new PayloadReader(payload);
  let frame: Frame;
  switch (kind) {
    case FrameKind.HELLO:
      frame = { kind, hello: { version: r.u32('version'), capabilities: r.u32('capabilities'), client: r.string('client') } };
      break;
    case FrameKind.CALL: {
      const shimName = r.string('shim name');
      const toolPath = r.string('tool path');
      const cwd = r.string('cwd');
      const umask = r.u32('umask');
      const flags = r.u32('flags');
      const stdinColumns = r.u32('stdin columns');
      const stderrColumns = r.u32('stderr columns');
      const argv = readStrings(r, 'argv');
      const env = readStrings(r, 'env');
      frame = { kind, call: { shimName, toolPath, cwd, umask, flags, stdinColumns, stderrColumns, argv, env } };
      break;
    }
    case FrameKind.ADMIN: {
      const command = r.string('command');
      if (!(ADMIN_COMMANDS as readonly string[]).includes(command)) throw new ProtocolError(`unknown admin command ${JSON.stringify(command)}`);
      frame = { kind, admin: { command: command as AdminCommand, argument: r.string('argument') } };
      break;
    }
    case FrameKind.WELCOME:
      frame = { kind, welcome: { version: r.u32('version'), capabilities: r.u32('capabilities'), maxFrame: r.u32('max frame'), daemonVersion: r.string('daemon version') } };
      break;
    case FrameKind.DECLINE:
      frame = { kind, reason: r.string('reason') };
      break;
    case FrameKind.STARTED:
      frame = { kind, pgid: r.u32('pgid') };
      break;
    case FrameKind.STDOUT:
    case FrameKind.STDERR:
      return { kind, data: payload };
    case FrameKind.EXIT:
      frame = { kind, exit: { code: r.i32('code'), signal: r.u32('signal') } };
      break;
    case FrameKind.ADMIN_REPLY: {
      const status = r.u32('status');
      if (status > 1) throw new ProtocolError(`bad admin status ${status}`);
      frame = { kind, reply: { ok: status === 0, json: r.string('json') } };
      break;
    }
    case FrameKind.GO_OPEN:
      frame = { kind, client: r.string('client') };
      break;
    case FrameKind.GO_REQUEST:
      frame = { kind, request: { line: r.string('line'), bodyPath: r.string('body path') } };
      break;
    case FrameKind.GO_SERVED:
      frame = { kind, actionIds: readStrings(r, 'action ids') };
      break;
    case FrameKind.GO_MISSED:
      frame = { kind, count: r.u32('count') };
      break;
    case FrameKind.EXEC_ENV:
      frame = { kind, env: readStrings(r, 'env') };
      break;
    case FrameKind.GO_REPLY:
      frame = { kind, line: r.string('line') };
      break;
    case FrameKind.RUNNING:
      frame = { kind, pgid: r.u32('pgid'), writes: readStrings(r, 'writes') };
      break;
    default:
      throw new ProtocolError(`unknown frame kind ${kind}`);
  }
  r.end();
  return frame;
}

function readStrings(r: PayloadReader, field: string): string[] {
  const n = r.count(`${field} count`, 4);
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(r.string(`${field}[${i}]`));
  return out;
}
