// Garbage, truncated and oversized frames: each is refused and counted, and the daemon keeps serving.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import test from 'node:test';
import { encodeFrame } from '../../src/protocol/codec.js';
import { FrameKind, MAX_FRAME_PAYLOAD } from '../../src/protocol/frames.js';
import { writeCSources } from '../helpers/c-sources.js';
import { rawExchange } from '../helpers/raw-client.js';
import { reprise, stats, toolCount } from '../helpers/reprise-cli.js';
import { run, text } from '../helpers/run.js';
import { createWorkspace } from '../helpers/workspace.js';

const ws = createWorkspace();
writeCSources(ws.dir);
test.after(() => ws.cleanup());
const socket = join(ws.runtimeDir, 'daemon.sock');
const hello = encodeFrame({ kind: FrameKind.HELLO, hello: { version: 1, capabilities: 0, client: 'hostile' } });

function header(length: number, kind: number, reserved = 0): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt32LE(length, 0);
  h.writeUInt16LE(kind, 4);
  h.writeUInt16LE(reserved, 6);
  return h;
}

test('the daemon starts', async () => {
  const r = await reprise(['daemon', 'start'], ws.env);
  assert.equal(r.code, 0, text(r));
});

const cases: Array<[string, Buffer, boolean?]> = [
  ['random garbage', randomBytes(4096)],
  ['an oversized length prefix', header(MAX_FRAME_PAYLOAD + 1, FrameKind.HELLO)],
  ['a 4 GiB length prefix', header(0xffffffff, FrameKind.CALL)],
  ['a non-zero reserved field', Buffer.concat([header(0, FrameKind.HELLO, 7)])],
  ['an unknown frame kind', Buffer.concat([header(0, 999)])],
  ['a request before HELLO', encodeFrame({ kind: FrameKind.ADMIN, admin: { command: 'status', argument: '{}' } })],
  ['a HELLO with trailing bytes', Buffer.concat([header(hello.length - 8 + 3, FrameKind.HELLO), hello.subarray(8), Buffer.from('xyz')])],
  ['a CALL with an argv count past its end', Buffer.concat([hello, header(36, FrameKind.CALL), Buffer.alloc(28), Buffer.from([255, 255, 255, 127]), Buffer.alloc(4)])],
  ['a daemon-side frame sent by a client', Buffer.concat([hello, encodeFrame({ kind: FrameKind.EXIT, exit: { code: 0, signal: 0 } })])],
  ['a second request after the first', Buffer.concat([hello, encodeFrame({ kind: FrameKind.HELLO, hello: { version: 1, capabilities: 0, client: 'x' } })])],
];

for (const [name, bytes] of cases) {
  test(`refuses ${name}`, async () => {
    const r = await rawExchange(socket, bytes);
    assert.ok(r.closedByDaemon, 'the daemon closed the connection');
  });
}

test('a truncated frame followed by a hang-up is dropped quietly', async () => {
  const full = encodeFrame({ kind: FrameKind.ADMIN, admin: { command: 'stats', argument: '{}' } });
  const r = await rawExchange(socket, Buffer.concat([hello, full.subarray(0, full.length - 5)]), { endAfterWrite: true });
  assert.ok(r.closedByDaemon);
});

test('fifty hostile connections at once', async () => {
  const all = await Promise.all(Array.from({ length: 50 }, (_, i) => rawExchange(socket, i % 2 ? randomBytes(1 + i * 97) : header(0xfffffff0, i))));
  assert.ok(all.every((r) => r.closedByDaemon));
});

test('after all that, the daemon still serves compiles and counted every bad frame', async () => {
  const status = await reprise(['daemon', 'status'], ws.env);
  assert.equal(status.code, 0, text(status));
  const c = await run('gcc', ['-c', 'ok.c', '-o', 'ok.o'], { cwd: ws.dir, env: ws.env });
  assert.equal(c.code, 0, text(c));
  const s = await stats(ws.env);
  assert.equal(toolCount(s, 'gcc', 'daemon-run'), 1);
  assert.ok(s.daemon['bad-frame'] >= cases.length + 25, `bad-frame ${s.daemon['bad-frame']}`);
});
