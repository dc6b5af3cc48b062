import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import test from 'node:test';
import { crc32 } from 'node:zlib';
import { encodeTicket, ticketName } from '../../src/tickets/ticket-format.js';
import { hitLine, parseHitLog } from '../../src/tickets/hit-log.js';
import { TICKET_MAGIC } from '../../src/protocol/frames.js';

/** FNV-1a 64 the plain way, as shims/ticket.c computes it. */
function fnv1a64(data: Buffer): string {
  let h = 0xcbf29ce484222325n;
  for (const b of data) h = BigInt.asUintN(64, (h ^ BigInt(b)) * 0x100000001b3n);
  return h.toString(16).padStart(16, '0');
}

test('ticket names are FNV-1a 64 of the CALL payload, as the shim computes them', () => {
  assert.equal(ticketName(Buffer.alloc(0)), 'cbf29ce484222325');
  assert.equal(ticketName(Buffer.from('a')), 'af63dc4c8601ec8c'); // the published FNV-1a 64 test vector
  for (let i = 0; i < 200; i++) {
    const data = randomBytes(i * 7);
    assert.equal(ticketName(data), fnv1a64(data));
  }
});

test('a ticket ends with the CRC-32 of everything before it', () => {
  const t = encodeTicket({
    payload: Buffer.from('call'),
    hitLine: 'gcc 1 a b\n',
    checks: [{ kind: 'absent', path: '/x/y.h' }, { kind: 'same-dir', path: '/a', other: '/b', same: false }],
    outputs: [{ path: '/o/x.o', mode: 0o644, content: { data: Buffer.from('obj') } }],
    stdout: Buffer.alloc(0),
    stderr: Buffer.from('warning\n'),
  });
  assert.equal(t.subarray(0, 4).toString('latin1'), TICKET_MAGIC);
  assert.equal(t.readUInt32LE(t.length - 4), crc32(t.subarray(0, t.length - 4)));
});

test('hit lines round-trip; torn or foreign lines are skipped', () => {
  const d = (c: string): string => c.repeat(64);
  const hit = { ticket: '0123456789abcdef', tool: 'g++', durationMs: 12, resultKey: d('a'), manifestKey: d('b'), blobs: [d('c'), d('e')] };
  const t = hit.ticket;
  const text = `${hitLine(hit)}${t} gcc 5 ${d('a')}\nnot a line\n${t} gcc x ${d('a')} ${d('b')}\n${hitLine({ ...hit, blobs: [] })}${t} gcc 3 ${d('a').slice(1)}`;
  assert.deepEqual(parseHitLog(text), [hit, { ...hit, blobs: [] }]);
});
