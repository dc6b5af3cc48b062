// The hints of verify mode, table-driven on synthetic bytes, and the mismatch record's
// parser: every field checked, a bad line refused with the field named.
import assert from 'node:assert/strict';
import test from 'node:test';
import { mismatchHint, type DifferingBytes } from '../../src/verify/mismatch-hint.js';
import { BadMismatchRecord, parseVerifyMismatch } from '../../src/verify/parse-verify-mismatch.js';
import type { VerifyMismatch } from '../../src/verify/types.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const d = (cached: string, fresh: string, again: string | undefined = fresh): DifferingBytes => ({ cached: b(cached), fresh: b(fresh), again: again === undefined ? undefined : b(again) });

test('hints, in order: failed fresh compile, nondeterminism, timestamps, moved paths, poisoned entry', () => {
  const table: Array<[string, DifferingBytes[], boolean, string, string | undefined]> = [
    ['fresh compile failed', [d('\x7fELF obj', '')], true, 'fresh-compile-failed', undefined],
    ['fresh compiles differ', [d('\x7fELF\x01\x02', '\x7fELF\x03\x04', '\x7fELF\x05\x06')], false, 'compiler-nondeterminism', undefined],
    ['fresh compiles differ in a time', [d('built 10:00:00', 'built 10:00:01', 'built 10:00:02')], false, 'timestamp-macro', '10:00:01 in one fresh compile only'],
    ['__TIME__ in the stored bytes', [d('\0built at 09:59:58\0', '\0built at 10:00:01\0')], false, 'timestamp-macro', '09:59:58 in the stored bytes only'],
    ['__DATE__ in the stored bytes', [d('\0Jan  5 2026\0', '\0Jan  6 2026\0')], false, 'timestamp-macro', 'Jan  5 2026 in the stored bytes only'],
    ['the same time on both sides is no evidence', [d('\x0112:00:00\x02', '\x0312:00:00\x04')], false, 'poisoned-entry', undefined],
    ['a build directory elsewhere', [d('\0/home/a/src/lua\0x.c', '\0/home/b/src/lua\0x.c')], false, 'absolute-path', 'stored /home/a/src/lua, fresh /home/b/src/lua'],
    ['different files at different paths are not a move', [d('\0/home/a/one.c\0', '\0/home/a/two.c\0')], false, 'poisoned-entry', undefined],
    ['a relative path is not absolute', [d('\0src/a/x.c\0', '\0src/b/x.c\0')], false, 'poisoned-entry', undefined],
    ['fresh compiles agree, the stored bytes differ', [d('\x7fELF\x01', '\x7fELF\x02')], false, 'poisoned-entry', undefined],
    ['no second compile: cannot call it nondeterminism', [d('\x7fELF\x01', '\x7fELF\x02', undefined)], false, 'poisoned-entry', undefined],
  ];
  for (const [name, diffs, failed, hint, detail] of table) {
    const got = mismatchHint(diffs, failed);
    assert.equal(got.hint, hint, name);
    assert.equal(got.detail, detail, name);
  }
});

const good: VerifyMismatch = {
  schema: 1, at: '2026-01-05T10:00:00.000Z', tool: 'gcc', file: '/w/a.o', cwd: '/w', resultKey: 'ab'.repeat(32),
  differs: [{ what: 'object', path: '/w/a.o' }, { what: 'stderr' }], hint: 'poisoned-entry',
};

test('a mismatch record reads back as written', () => {
  assert.deepEqual(parseVerifyMismatch(JSON.stringify(good)), good);
  const withDetail = { ...good, hint: 'absolute-path', detail: 'stored /a, fresh /b' } as const;
  assert.deepEqual(parseVerifyMismatch(JSON.stringify(withDetail)), withDetail);
});

test('a bad mismatch line is refused, naming what is wrong', () => {
  const table: Array<[string, string, RegExp]> = [
    ['not JSON', '{"schema":1', /^not JSON/],
    ['an array', '[]', /^record: expected a JSON object/],
    ['another schema', JSON.stringify({ ...good, schema: 2 }), /^schema: expected 1, got 2/],
    ['a bad time', JSON.stringify({ ...good, at: 'yesterday' }), /^at: /],
    ['a relative file', JSON.stringify({ ...good, file: 'a.o' }), /^file: expected an absolute path/],
    ['a relative cwd', JSON.stringify({ ...good, cwd: 'w' }), /^cwd: /],
    ['a short key', JSON.stringify({ ...good, resultKey: 'abc' }), /^resultKey: expected a hex digest/],
    ['nothing differs', JSON.stringify({ ...good, differs: [] }), /^differs: expected a non-empty list/],
    ['a difference without a name', JSON.stringify({ ...good, differs: [{ path: '/w/a.o' }] }), /^differs\[0\]\.what/],
    ['a relative output path', JSON.stringify({ ...good, differs: [{ what: 'object', path: 'a.o' }] }), /^differs\[0\]\.path/],
    ['an unknown hint', JSON.stringify({ ...good, hint: 'cosmic-rays' }), /^hint: expected one of compiler-nondeterminism, /],
    ['a detail that is not text', JSON.stringify({ ...good, detail: 7 }), /^detail: /],
    ['no tool', JSON.stringify({ ...good, tool: '' }), /^tool: /],
  ];
  for (const [name, line, message] of table) {
    assert.throws(() => parseVerifyMismatch(line), (e: unknown) => e instanceof BadMismatchRecord && message.test(e.message), name);
  }
});
