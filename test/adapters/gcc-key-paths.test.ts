// Which paths in a gcc call may be keyed from $PWD under a base dir, and what the key
// then holds: a checkout's location under the base dir must not change it, anything
// else must.
import assert from 'node:assert/strict';
import test from 'node:test';
import { parseGccArgs } from '../../src/adapters/gcc/parse-gcc-args.js';
import { toCompileJob } from '../../src/adapters/gcc/to-compile-job.js';
import { rebaseKeyPaths } from '../../src/pipeline/rebase-key-paths.js';
import type { CompileJob } from '../../src/pipeline/types.js';

function job(argv: string, cwd = '/base/a'): CompileJob {
  const p = parseGccArgs(argv.split(' '), { cwd, shimName: 'gcc' });
  assert.equal(p.kind, 'compile', JSON.stringify(p));
  if (p.kind !== 'compile') throw new Error('not a compile');
  const j = toCompileJob(p.job);
  assert.equal(j.kind, 'job');
  if (j.kind !== 'job') throw new Error('uncacheable');
  return j.job;
}

/** "kind text" for each offered path, with `+file` when __FILE__ may spell it. */
function offered(j: CompileJob): string[] {
  return j.keyPaths.map((p) => `${p.kind} ${j.keyArgs[p.arg]!.slice(p.start, p.end)}${p.fileMacro ? ' +file' : ''}`);
}

const ROWS: Array<[string, string[]]> = [
  ['-c /a/x.c -I/a/inc -isystem /a/sys -iquote /a/q -idirafter /a/after -include /a/c.h -imacros /a/m.h -o /a/x.o -MD -MF /a/x.d -MT /a/t.o -MQ /a/q.o -fprofile-use=/a/p.gcda', [
    'source /a/x.c +file', 'include-dir /a/inc +file', 'include-dir /a/sys +file', 'include-dir /a/q +file', 'include-dir /a/after +file',
    'include-file /a/c.h +file', 'include-file /a/m.h +file', 'output /a/x.o', 'depfile /a/x.d', 'depfile-target /a/t.o', 'depfile-target /a/q.o', 'extra-input /a/p.gcda',
  ]],
  ['-c x.c -Iinc -o x.o', ['source x.c +file', 'include-dir inc +file', 'output x.o']],
  // A target with blanks is two targets: left alone.
  ['-c x.c -MD -MT a\tb', ['source x.c +file']],
  // Debug info records source and include paths unless a debug prefix map covers them.
  ['-g -c /a/x.c -I/a/inc -I/b/inc -o /a/x.o', ['output /a/x.o']],
  ['-g -fdebug-prefix-map=/a=. -c /a/x.c -I/a/inc -I/b/inc -o /a/x.o', ['prefix-map /a', 'source /a/x.c +file', 'include-dir /a/inc +file', 'output /a/x.o']],
  ['-g -ffile-prefix-map=/a/=. -c /a/x.c', ['prefix-map /a/', 'source /a/x.c']],
  ['-fmacro-prefix-map=/a=. -c /a/x.c -I/b/inc', ['prefix-map /a', 'source /a/x.c', 'include-dir /b/inc +file']],
  // The object names its .dwo: the output path stays as given.
  ['-g -gsplit-dwarf -fdebug-prefix-map=/a=. -c /a/x.c -o /a/x.o', ['prefix-map /a', 'source /a/x.c +file']],
  // -frecord-gcc-switches records every word.
  ['-frecord-gcc-switches -c /a/x.c -I/a/inc', []],
];

for (const [argv, want] of ROWS) {
  test(`key paths of: gcc ${argv}`, () => assert.deepEqual(offered(job(argv)), want));
}

const CMAKE = (x: string): string => `-O2 -I${x}/include -MD -MT obj/x.o -MF obj/x.d -c ${x}/src/x.c -o obj/x.o`;

test('a checkout\'s place under the base dir does not change the key arguments; outside it, or without a base dir, it does', () => {
  const a = rebaseKeyPaths(job(CMAKE('/base/a')), '/base', '/base/a/build');
  const b = rebaseKeyPaths(job(CMAKE('/base/checkout-b')), '/base', '/base/checkout-b/build');
  assert.deepEqual(a.args, b.args);
  assert.deepEqual(a.source, b.source);
  assert.ok(a.any && a.fileMacro);
  assert.deepEqual(a.display, ['-O2', '-I$PWD/../include', '-MD', '-MT', 'obj/x.o', '-MF', 'obj/x.d', '-c', '$PWD/../src/x.c', '-o', 'obj/x.o']);
  assert.deepEqual(a.roots, [{ path: '/base/a/include', dir: true }, { path: '/base/a/src/x.c', dir: false }]);
  // A marked path never equals a path spelled relative.
  const spelled = rebaseKeyPaths(job(CMAKE('$PWD/..')), '/base', '/base/a/build');
  assert.notDeepEqual(spelled.args, a.args);
  const elsewhere = rebaseKeyPaths(job(CMAKE('/other/b')), '/base', '/other/b/build');
  assert.notDeepEqual(elsewhere.args, a.args);
  assert.ok(!elsewhere.any);
  const unset = [undefined, '/base/a'].map((base) => rebaseKeyPaths(job(CMAKE('/base/checkout-b')), base, '/base/checkout-b/build'));
  for (const u of unset) assert.notDeepEqual(u.args, a.args);
  // Not normal: kept as given (the compiler would spell its headers that way).
  assert.ok(!rebaseKeyPaths(job(CMAKE('/base/./a')), '/base', '/base/a/build').any);
});
