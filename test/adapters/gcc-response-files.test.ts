// gcc's @file rules (libiberty buildargv/expandargv); the quoting rows were checked with gcc 12 -###.
import assert from 'node:assert/strict';
import test from 'node:test';
import { expandResponseFiles, RESPONSE_FILE_MAX_DEPTH, splitResponseFile } from '../../src/adapters/gcc/expand-response-files.js';
import { parseGccArgs } from '../../src/adapters/gcc/parse-gcc-args.js';

const SPLITS: [string, string[]][] = [
  ['-c x.c', ['-c', 'x.c']],
  [' \t-O2\n\n-g\r\n\v\f-w ', ['-O2', '-g', '-w']],
  ['', []],
  [' \n\t ', []],
  ["-DA='x y'", ['-DA=x y']],
  ['-DB="p q"', ['-DB=p q']],
  ['-DC=a\\ b', ['-DC=a b']],
  ["-DD='it\\'s'", ["-DD=it's"]], // a backslash escapes inside single quotes too
  ['-DG="a\\"b"', ['-DG=a"b']],
  ["-DE='' ''", ['-DE=', '']],
  ["a''b", ['ab']],
  ["'unterminated quote", ['unterminated quote']],
  ['trailing\\', ['trailing']],
  ['a\\\\b', ['a\\b']],
  ['"a\nb" c', ['a\nb', 'c']],
  ['-DX\0ignored', ['-DX']],
];

for (const [text, expected] of SPLITS) {
  test(`response file ${JSON.stringify(text)} → ${JSON.stringify(expected)}`, () => {
    assert.deepEqual(splitResponseFile(text), expected);
  });
}

function reader(files: Record<string, string>): { read: (path: string) => string | undefined; asked: string[] } {
  const asked: string[] = [];
  return { asked, read: (path) => (asked.push(path), files[path]) };
}

test('an @file is replaced in place by its words', () => {
  const { read, asked } = reader({ '/p/r.rsp': '-c x.c' });
  assert.deepEqual(expandResponseFiles(['-O2', '@r.rsp', '-g'], read, '/p'), { args: ['-O2', '-c', 'x.c', '-g'] });
  assert.deepEqual(asked, ['/p/r.rsp']);
});

test('nested @files are resolved against the cwd, not the including file (gcc)', () => {
  const { read, asked } = reader({ '/p/sub/a.rsp': '-DA @b.rsp', '/p/b.rsp': "-DB '@c.rsp'", '/p/c.rsp': '-DC' });
  assert.deepEqual(expandResponseFiles(['@sub/a.rsp'], read, '/p/'), { args: ['-DA', '-DB', '-DC'] });
  assert.deepEqual(asked, ['/p/sub/a.rsp', '/p/b.rsp', '/p/c.rsp']);
});

test('absolute @files, and words that only look like @files', () => {
  const { read } = reader({ '/abs/r': '-w' });
  assert.deepEqual(expandResponseFiles(['@/abs/r', '@', 'x@y', '-@z'], read, '/p'), { args: ['-w', '@', 'x@y', '-@z'] });
});

test('a missing @file stays as a literal argument, and the parser then refuses the call', () => {
  const { read } = reader({});
  const expanded = expandResponseFiles(['-c', 'x.c', '@nope.rsp'], read, '/p');
  assert.deepEqual(expanded, { args: ['-c', 'x.c', '@nope.rsp'] });
  const parsed = 'args' in expanded ? parseGccArgs(expanded.args, { cwd: '/p', shimName: 'gcc' }) : undefined;
  assert.equal(parsed?.kind === 'uncacheable' && parsed.reason, 'bad-response-file');
});

test('an empty @file expands to nothing', () => {
  const { read } = reader({ '/p/e.rsp': '  \n' });
  assert.deepEqual(expandResponseFiles(['-c', '@e.rsp', 'x.c'], read, '/p'), { args: ['-c', 'x.c'] });
});

test('a self-including @file stops at the depth limit', () => {
  const { read } = reader({ '/p/loop.rsp': '-w @loop.rsp' });
  const got = expandResponseFiles(['@loop.rsp'], read, '/p');
  assert.ok('error' in got && got.error.includes(String(RESPONSE_FILE_MAX_DEPTH)), JSON.stringify(got));
});

test('nesting up to the limit is fine', () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < RESPONSE_FILE_MAX_DEPTH; i++) files[`/p/${i}`] = i + 1 < RESPONSE_FILE_MAX_DEPTH ? `-D${i} @${i + 1}` : `-D${i}`;
  const got = expandResponseFiles(['@0'], reader(files).read, '/p');
  assert.ok('args' in got && got.args.length === RESPONSE_FILE_MAX_DEPTH);
});

test('a wide fan-out stops at the file limit', () => {
  const got = expandResponseFiles(['@w'], reader({ '/p/w': '@x '.repeat(50), '/p/x': '@y '.repeat(50), '/p/y': '-w' }).read, '/p');
  assert.ok('error' in got, 'expected an error');
});
