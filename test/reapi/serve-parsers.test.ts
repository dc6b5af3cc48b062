// The small parsers of `reprise serve`, table-driven: token files, Authorization values,
// listen addresses and ByteStream resource names.
import assert from 'node:assert/strict';
import test from 'node:test';
import { ConfigError } from '../../src/config/config-error.js';
import { checkAccess } from '../../src/reapi/serve/check-access.js';
import { parseBlobResource } from '../../src/reapi/serve/parse-blob-resource.js';
import { formatListenAddress, parseListenAddress } from '../../src/reapi/serve/parse-listen-address.js';
import { NO_TOKENS, parseTokenFile } from '../../src/reapi/serve/parse-token-file.js';

const H = 'a'.repeat(64);

test('token files: read and read-write lines, comments and blank lines; anything else is a clear error', () => {
  const t = parseTokenFile('# team\n\nread  r1\nread-write\tw1\n  read r2  \n');
  assert.equal(t.size, 3);
  assert.equal(t.lookup('r1'), 'read');
  assert.equal(t.lookup('r2'), 'read');
  assert.equal(t.lookup('w1'), 'read-write');
  assert.equal(t.lookup('R1'), undefined);
  for (const [text, message] of [
    ['write w1\n', /:1: expected/],
    ['read\n', /:1: expected/],
    ['read a b\n', /:1: expected/],
    ['read ok\nread-write ok\n', /:2: this token is listed as read already/],
    ['# nothing\n', /no tokens/],
  ] as const) {
    assert.throws(() => parseTokenFile(text, 'tokens.txt'), (e: unknown) => e instanceof ConfigError && message.test(e.message), text);
  }
});

test('Authorization: Bearer, or Basic with the token as the password; no tokens configured lets everyone write', () => {
  const t = parseTokenFile('read r1\nread-write w1\n');
  const basic = (s: string): string => `Basic ${Buffer.from(s).toString('base64')}`;
  const cases: Array<[string | undefined, ReturnType<typeof checkAccess>]> = [
    [undefined, { ok: false, reason: 'missing' }],
    ['', { ok: false, reason: 'missing' }],
    ['Bearer', { ok: false, reason: 'missing' }],
    ['Token r1', { ok: false, reason: 'missing' }],
    ['Bearer r2', { ok: false, reason: 'unknown' }],
    ['Bearer r1', { ok: true, access: 'read' }],
    ['bearer  w1 ', { ok: true, access: 'read-write' }],
    [basic('ccache:w1'), { ok: true, access: 'read-write' }],
    [basic(':r1'), { ok: true, access: 'read' }],
    [basic('w1'), { ok: false, reason: 'missing' }],
    [basic('w1:nope'), { ok: false, reason: 'unknown' }],
  ];
  for (const [value, expected] of cases) assert.deepEqual(checkAccess(t, value), expected, String(value));
  assert.deepEqual(checkAccess(NO_TOKENS, undefined), { ok: true, access: 'read-write' });
  assert.deepEqual(checkAccess(NO_TOKENS, 'Bearer anything'), { ok: true, access: 'read-write' });
});

test('listen addresses', () => {
  assert.deepEqual(parseListenAddress('--listen', '127.0.0.1:9092'), { host: '127.0.0.1', port: 9092 });
  assert.deepEqual(parseListenAddress('--listen', 'cache.local:0'), { host: 'cache.local', port: 0 });
  assert.deepEqual(parseListenAddress('--listen', ':8080'), { host: '0.0.0.0', port: 8080 });
  assert.deepEqual(parseListenAddress('--listen', '[::1]:8080'), { host: '::1', port: 8080 });
  assert.equal(formatListenAddress({ host: '::1', port: 8080 }), '[::1]:8080');
  for (const bad of ['8080', '127.0.0.1', '127.0.0.1:70000', '::1:8080', 'host:port']) {
    assert.throws(() => parseListenAddress('--http', bad), ConfigError, bad);
  }
});

test('ByteStream resource names, with and without instance names', () => {
  const d = { hash: H, size: 42 };
  const cases: Array<[string, 'read' | 'write', typeof d | undefined]> = [
    [`blobs/${H}/42`, 'read', d],
    [`main/blobs/${H}/42`, 'read', d],
    [`a/b/c/blobs/${H}/42`, 'read', d],
    [`blobs/${H}/42/extra`, 'read', undefined],
    [`compressed-blobs/zstd/${H}/42`, 'read', undefined],
    [`blobs/${H.toUpperCase()}/42`, 'read', undefined],
    [`blobs/${H}/-1`, 'read', undefined],
    [`uploads/0f1e/blobs/${H}/42`, 'write', d],
    [`ci/uploads/0f1e/blobs/${H}/42`, 'write', d],
    [`ci/uploads/0f1e/blobs/${H}/42/metadata/x`, 'write', d],
    [`ci/blobs/${H}/42`, 'write', undefined],
    [`uploads//blobs/${H}/42`, 'write', undefined],
  ];
  for (const [name, kind, expected] of cases) assert.deepEqual(parseBlobResource(name, kind), expected, `${kind} ${name}`);
});
