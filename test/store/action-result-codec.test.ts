// The action-cache entry every remote stores: REAPI ActionResult in protobuf binary.
import assert from 'node:assert/strict';
import test from 'node:test';
import { digestBytes } from '../../src/hashing/create-hasher.js';
import { encodeReapiMessage } from '../../src/reapi/load-reapi-protos.js';
import { decodeActionResult, encodeActionResult } from '../../src/store/remote/action-result-codec.js';
import type { RemoteActionResult } from '../../src/store/remote/types.js';

const object = digestBytes('sha256', Buffer.from('object bytes'));
const result: RemoteActionResult = {
  outputFiles: [
    { path: 'out/x.o', digest: object, isExecutable: false },
    { path: 'tool', digest: digestBytes('sha256', Buffer.from('#!/bin/sh')), isExecutable: true },
  ],
  exitCode: 0,
  stdoutRaw: Buffer.from('{"signed":"envelope"}'),
};

test('round trip, and the bytes are REAPI ActionResult', () => {
  const bytes = encodeActionResult(result);
  assert.deepEqual(decodeActionResult(bytes), result);
  // Hand-encoded: output_files (2) { path (1), digest (2) { hash (1), size_bytes (2) }, is_executable (4) }, exit_code (4), stdout_raw (5).
  const small: RemoteActionResult = { outputFiles: [{ path: 'a', digest: { hash: 'ab'.repeat(32), size: 300 }, isExecutable: true }], exitCode: 2, stdoutRaw: Buffer.from('hi') };
  const digest = Buffer.concat([Buffer.from([0x0a, 64]), Buffer.from('ab'.repeat(32)), Buffer.from([0x10, 0xac, 0x02])]);
  const file = Buffer.concat([Buffer.from([0x0a, 1]), Buffer.from('a'), Buffer.from([0x12, digest.length]), digest, Buffer.from([0x20, 1])]);
  const expected = Buffer.concat([Buffer.from([0x12, file.length]), file, Buffer.from([0x20, 2, 0x2a, 2]), Buffer.from('hi')]);
  assert.equal(encodeActionResult(small).toString('hex'), expected.toString('hex'));
  assert.deepEqual(decodeActionResult(expected), small);
});

test('an empty result, a failed compile (exit code 1) and negative exit codes survive', () => {
  for (const exitCode of [0, 1, -9]) {
    const r: RemoteActionResult = { outputFiles: [], exitCode, stdoutRaw: Buffer.alloc(0) };
    assert.deepEqual(decodeActionResult(encodeActionResult(r)), r);
  }
});

test('malformed bytes and bad digests decode as undefined, never throw', () => {
  const bytes = encodeActionResult(result);
  const bad: Buffer[] = [
    Buffer.from([0xff, 0xff, 0xff, 0xff]),
    bytes.subarray(0, bytes.length - 3),
    Buffer.from([0x12, 0x7f, 0x01]), // a length past the end
    Buffer.from([0x0f]), // wire type 7
  ];
  const ar = 'build.bazel.remote.execution.v2.ActionResult';
  const withFile = (file: object): Buffer => encodeReapiMessage(ar, { outputFiles: [file] });
  bad.push(
    withFile({ path: 'x.o', digest: { hash: 'AB'.repeat(32), sizeBytes: 1 } }), // uppercase
    withFile({ path: 'x.o', digest: { hash: 'ab'.repeat(31), sizeBytes: 1 } }), // 62 digits
    withFile({ path: 'x.o', digest: { hash: object.hash, sizeBytes: -1 } }),
    withFile({ path: 'x.o' }), // no digest
    withFile({ path: '', digest: { hash: object.hash, sizeBytes: 1 } }),
    withFile({ path: 'a\0b', digest: { hash: object.hash, sizeBytes: 1 } }),
  );
  for (const b of bad) assert.equal(decodeActionResult(b), undefined, b.toString('hex'));
  // Fields reprise does not write are ignored, not refused.
  const foreign = encodeReapiMessage(ar, { exitCode: 3, outputDirectories: [{ path: 'd', treeDigest: { hash: object.hash, sizeBytes: 1 } }], stderrRaw: Buffer.from('e') });
  assert.deepEqual(decodeActionResult(foreign), { outputFiles: [], exitCode: 3, stdoutRaw: Buffer.alloc(0) });
});
