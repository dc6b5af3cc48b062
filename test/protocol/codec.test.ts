import assert from 'node:assert/strict';
import test from 'node:test';
import { decodeFrame, encodeFrame } from '../../src/protocol/codec.js';
import { FrameReader } from '../../src/protocol/frame-reader.js';
import { FrameKind, MAX_FRAME_PAYLOAD, type Frame } from '../../src/protocol/frames.js';
import { ProtocolError } from '../../src/protocol/protocol-error.js';

const samples: Frame[] = [
  { kind: FrameKind.HELLO, hello: { version: 1, capabilities: 0, client: 'reprise-shim' } },
  { kind: FrameKind.CALL, call: { shimName: 'gcc', toolPath: '/usr/bin/gcc', cwd: '/tmp/ä b', umask: 0o22, flags: 3, stdinColumns: 80, stderrColumns: 120, argv: ['gcc', '-c', 'x y.c', ''], env: ['A=1', 'PATH=/bin'] } },
  { kind: FrameKind.ADMIN, admin: { command: 'stats', argument: '{}' } },
  { kind: FrameKind.WELCOME, welcome: { version: 1, capabilities: 0, maxFrame: MAX_FRAME_PAYLOAD, daemonVersion: '0.1.0' } },
  { kind: FrameKind.DECLINE, reason: 'not-a-compile' },
  { kind: FrameKind.STARTED, pgid: 4242 },
  { kind: FrameKind.STDOUT, data: Buffer.from([0, 1, 2, 255]) },
  { kind: FrameKind.STDERR, data: Buffer.alloc(0) },
  { kind: FrameKind.EXIT, exit: { code: -1, signal: 9 } },
  { kind: FrameKind.ADMIN_REPLY, reply: { ok: false, json: '{"e":1}' } },
  { kind: FrameKind.GO_OPEN, client: 'reprise-shim cacheprog' },
  { kind: FrameKind.GO_REQUEST, request: { line: '{"ID":1,"Command":"get","ActionID":"AA=="}', bodyPath: '' } },
  { kind: FrameKind.GO_SERVED, actionIds: ['W8A3G3z17Cj7n8M5oiKPGgarGiVXhA2czdMmNQOBKns=', '1NKrBNZAgo+yXc/9l4cF3uAbbq9zEotyJDsp4ffHzyY='] },
  { kind: FrameKind.GO_MISSED, count: 124 },
  { kind: FrameKind.EXEC_ENV, env: ['GOCACHEPROG=/x --cacheprog'] },
  { kind: FrameKind.GO_REPLY, line: '{"ID":1,"Miss":true}' },
  { kind: FrameKind.RUNNING, pgid: 4343, writes: ['/w/dist/A.o', '/w/dist/A.hi'] },
  { kind: FrameKind.RUNNING, pgid: 4343, writes: [] },
];

test('every frame kind round-trips through encode and an incremental reader', () => {
  const stream = Buffer.concat(samples.map(encodeFrame));
  const reader = new FrameReader();
  const got: Frame[] = [];
  for (const byte of stream) got.push(...reader.push(Buffer.from([byte]))); // worst-case fragmentation
  assert.deepEqual(got, samples);
  assert.equal(reader.pending, 0);
});

test('malformed payloads are protocol errors', () => {
  const hello = encodeFrame(samples[0]!).subarray(8);
  assert.throws(() => decodeFrame(FrameKind.HELLO, hello.subarray(0, hello.length - 1)), ProtocolError, 'truncated string');
  assert.throws(() => decodeFrame(FrameKind.HELLO, Buffer.concat([hello, Buffer.from([0])])), ProtocolError, 'trailing byte');
  assert.throws(() => decodeFrame(77, Buffer.alloc(0)), ProtocolError, 'unknown kind');
  assert.throws(() => decodeFrame(FrameKind.EXIT, Buffer.alloc(4)), ProtocolError, 'short exit');
  assert.throws(() => decodeFrame(FrameKind.ADMIN, encodeFrame({ kind: FrameKind.DECLINE, reason: 'rm -rf' }).subarray(8)), ProtocolError);
  // An argv count larger than the bytes that could hold it is refused before any allocation.
  const call = Buffer.alloc(4 * 3 + 4 * 4 + 4);
  call.writeUInt32LE(0xffffffff, 28);
  assert.throws(() => decodeFrame(FrameKind.CALL, call), ProtocolError);
});

test('a hostile header is refused as soon as it arrives', () => {
  const huge = Buffer.alloc(8);
  huge.writeUInt32LE(MAX_FRAME_PAYLOAD + 1, 0);
  huge.writeUInt16LE(FrameKind.HELLO, 4);
  assert.throws(() => new FrameReader().push(huge), /exceeds/);
  const reserved = Buffer.alloc(8);
  reserved.writeUInt16LE(FrameKind.HELLO, 4);
  reserved.writeUInt16LE(1, 6);
  assert.throws(() => new FrameReader().push(reserved), /reserved/);
});
