// How `reprise why` pairs argument changes so that they read naturally.
import assert from 'node:assert/strict';
import test from 'node:test';
import { diffArgs, type ArgDiff } from '../../src/why/diff-args.js';
import { parseWhyDocument } from '../../src/why/parse-why-document.js';

const cases: Array<[string, string[], string[], ArgDiff[]]> = [
  ['same', ['-O2', '-c', 'a.c'], ['-O2', '-c', 'a.c'], []],
  ['one value changed', ['-O2', '-c', 'a.c', '-o', 'a.o'], ['-O3', '-c', 'a.c', '-o', 'a.o'], [{ from: '-O2', to: '-O3' }]],
  ['added', ['-c', 'a.c'], ['-g', '-c', 'a.c'], [{ to: '-g' }]],
  ['removed', ['-g', '-c', 'a.c'], ['-c', 'a.c'], [{ from: '-g' }]],
  ['a macro redefined next to an unrelated addition', ['-DX=1', '-c', 'a.c'], ['-Wall', '-DX=2', '-c', 'a.c'], [{ from: '-DX=1', to: '-DX=2' }, { to: '-Wall' }]],
  ['a negated flag', ['-fpic', '-c', 'a.c'], ['-fno-pic', '-c', 'a.c'], [{ from: '-fpic', to: '-fno-pic' }]],
  ['-std= values', ['-std=c99', '-c', 'a.c'], ['-std=c11', '-c', 'a.c'], [{ from: '-std=c99', to: '-std=c11' }]],
  ['unrelated swap pairs by position', ['-Ia', '-c', 'a.c'], ['-Ib', '-c', 'a.c'], [{ from: '-Ia', to: '-Ib' }]],
  ['two removed, one added that matches neither', ['-g', '-Wall', '-c', 'a.c'], ['-pipe', '-c', 'a.c'], [{ from: '-g' }, { from: '-Wall' }, { to: '-pipe' }]],
  ['the source renamed', ['-c', 'a.c', '-o', 'x.o'], ['-c', 'b.c', '-o', 'x.o'], [{ from: 'a.c', to: 'b.c' }]],
  ['changes in two places', ['-O2', '-c', 'a.c', '-DA'], ['-O0', '-c', 'a.c', '-DB'], [{ from: '-O2', to: '-O0' }, { from: '-DA', to: '-DB' }]],
];

for (const [name, before, after, expected] of cases) {
  test(`diffArgs: ${name}`, () => assert.deepEqual(diffArgs(before, after), expected));
}

test('why documents are validated: a malformed one is rejected, not trusted', () => {
  const key = 'a'.repeat(64);
  const rec = { at: '2026-01-01T00:00:00.000Z', outcome: 'hit', tool: 'gcc', directKey: key, transcript: [{ tag: 'arg', value: '-c' }], resultKey: key };
  const doc = { schema: 1, output: '/x/a.o', compiles: [rec] };
  assert.deepEqual(parseWhyDocument(JSON.stringify(doc)), doc);
  const notStored = { ...rec, outcome: 'not-stored', reason: 'time-macro', resultKey: undefined };
  assert.ok(parseWhyDocument(JSON.stringify({ ...doc, compiles: [rec, notStored] })));
  for (const bad of [
    '', '{', '[]', JSON.stringify({ ...doc, schema: 2 }), JSON.stringify({ ...doc, output: 'a.o' }), JSON.stringify({ ...doc, compiles: [] }),
    JSON.stringify({ ...doc, compiles: [rec, rec, rec] }), JSON.stringify({ ...doc, compiles: [{ ...rec, outcome: 'maybe' }] }),
    JSON.stringify({ ...doc, compiles: [{ ...rec, directKey: 'xyz' }] }), JSON.stringify({ ...doc, compiles: [{ ...rec, resultKey: undefined }] }),
    JSON.stringify({ ...doc, compiles: [{ ...rec, at: 'yesterday' }] }), JSON.stringify({ ...doc, compiles: [{ ...rec, transcript: [{ tag: 1 }] }] }),
    JSON.stringify({ ...doc, compiles: [{ ...notStored, reason: undefined }] }), JSON.stringify({ ...doc, compiles: [{ ...notStored, resultKey: key }] }),
  ]) assert.equal(parseWhyDocument(bad), undefined, bad);
});
