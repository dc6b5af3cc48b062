// The path forms manifests store, and how strictly a stored manifest is read back.
import assert from 'node:assert/strict';
import test from 'node:test';
import type { ProbeOrigin } from '../../src/adapters/gcc/include-probes.js';
import { entryPaths } from '../../src/pipeline/entry-paths.js';
import { parseManifest } from '../../src/pipeline/manifest.js';
import type { KeyRebase } from '../../src/pipeline/rebase-key-paths.js';
import { isStoredPath, rebasable, storedFromCwd, storedFromPwd, storedResolver } from '../../src/pipeline/stored-path.js';

test('stored path grammar: absolute, $PWD[/rel], $CWD/../rel; rel is normal', () => {
  for (const ok of ['/usr/include/stdio.h', '/', '$PWD', '$PWD/x.h', '$PWD/../inc/x.h', '$PWD/../../x', '$CWD/..', '$CWD/../x.h', '$PWD/a b/ü.h']) assert.ok(isStoredPath(ok), ok);
  for (const bad of ['', 'x.h', '../x.h', '$PWD/', '$PWD//x', '$PWD/./x', '$PWD/a/../x', '$PWD/a/.', '$CWD', '$CWD/x.h', '$HOME/x', '$PWDx', '$CWD/..x', '$PWD/x\0y']) assert.ok(!isStoredPath(bad), JSON.stringify(bad));
});

test('relative spellings: down from $PWD, climbing from getcwd()', () => {
  assert.equal(storedFromCwd('x.h'), '$PWD/x.h');
  assert.equal(storedFromCwd('./inc//x.h'), '$PWD/inc/x.h');
  assert.equal(storedFromCwd('.'), '$PWD');
  assert.equal(storedFromCwd('inc/'), '$PWD/inc');
  assert.equal(storedFromCwd('../inc/x.h'), '$CWD/../inc/x.h');
  assert.equal(storedFromPwd('/base/a/inc/x.h', '/base/a/build'), '$PWD/../inc/x.h');
  assert.equal(storedFromPwd('/base/a/build', '/base/a/build'), '$PWD');
  const at = storedResolver({ cwd: '/real/a/build', pwd: '/link/a/build' });
  assert.equal(at('/usr/x.h'), '/usr/x.h');
  assert.equal(at('$PWD'), '/link/a/build');
  assert.equal(at('$PWD/x.h'), '/link/a/build/x.h');
  assert.equal(at('$PWD/../inc/x.h'), '/link/a/inc/x.h');
  assert.equal(at('$CWD/../inc/x.h'), '/real/a/inc/x.h');
  assert.equal(storedResolver({ cwd: '/', pwd: '/' })('$PWD/x'), '/x');
});

test('rebasable: absolute, normal, under the base dir', () => {
  assert.ok(rebasable('/base/a/x.c', '/base'));
  assert.ok(rebasable('/base', '/base'));
  assert.ok(!rebasable('/based/x.c', '/base'));
  assert.ok(!rebasable('/base/a/../x.c', '/base'));
  assert.ok(!rebasable('/base/a/', '/base'));
  assert.ok(!rebasable('/base//a', '/base'));
  assert.ok(!rebasable('a/x.c', '/base'));
  assert.ok(!rebasable('/base/a/x.c', undefined));
});

const entry = (e: Record<string, unknown>): string => JSON.stringify({ schema: 1, entries: [{ inputs: [{ path: '$PWD/x.c', digest: 'a'.repeat(64) }], absent: [], present: [], resultKey: 'b'.repeat(64), ...e }] });

test('parseManifest takes stored paths and anchors, and nothing else', () => {
  assert.ok(parseManifest(entry({})));
  assert.ok(parseManifest(entry({ absent: [{ dir: '$CWD/../inc', stamp: 'missing', names: ['x.h'] }], present: ['$PWD/y.h'], anchor: { cwd: '/r/a', pwd: '/l/a' } })));
  assert.equal(parseManifest(entry({ inputs: [{ path: 'x.c', digest: 'a'.repeat(64) }] })), undefined);
  assert.equal(parseManifest(entry({ present: ['$PWD/a/../y.h'] })), undefined);
  assert.equal(parseManifest(entry({ absent: [{ dir: '$PWD//inc', stamp: 'missing', names: ['x.h'] }] })), undefined);
  assert.equal(parseManifest(entry({ anchor: { cwd: 'r/a', pwd: '/l/a' } })), undefined);
  assert.equal(parseManifest(entry({ anchor: '/r/a' })), undefined);
});

const rebase = (roots: KeyRebase['roots']): KeyRebase => ({ args: [], display: [], source: { key: '', display: '' }, extraInputs: [], roots, fileMacro: false, any: roots.length > 0 });

test('entry paths: each input and probe as it will be found from another directory', () => {
  const dirs = { cwd: '/real/ck/build', pwd: '/base/ck/build' };
  const origins = new Map<string, ProbeOrigin[]>([
    ['/real/ck/build/gen/stdio.h', [{ from: 'chain', index: 0 }]], // an absent header in a relative -I dir
    ['/base/ck/include/g.h', [{ from: 'chain', index: 1 }]],
    ['/base/ck/src/x.c.gch', [{ from: 'input', index: 0 }]],
    ['/real/ck/cfg.h.gch', [{ from: 'input', index: 4 }]],
    ['/real/ck/build/gen/x.h', [{ from: 'input-dir', index: 3 }, { from: 'chain', index: 0 }]],
    ['/base/ck/include/sub/y.h', [{ from: 'input-dir', index: 2 }]],
    ['/usr/include/gen/g.h', [{ from: 'chain', index: 2 }]],
    ['/base/ck/probed.h', [{ from: 'literal' }]],
  ]);
  const p = entryPaths({
    dirs,
    rebase: rebase([{ path: '/base/ck/include', dir: true }, { path: '/base/ck/src/x.c', dir: false }]),
    deps: ['/base/ck/src/x.c', '/usr/include/stdio.h', '/base/ck/include/sub/../b.h', 'gen/g.h', '../cfg.h', '/base/ck/literal.h'],
    chain: ['gen', '/base/ck/include', '/usr/include'],
    origins,
  });
  assert.deepEqual(p.inputs, ['$PWD/../src/x.c', '/usr/include/stdio.h', '$PWD/../include/b.h', '$PWD/gen/g.h', '$CWD/../cfg.h', '/base/ck/literal.h']);
  const want: Record<string, string> = {
    '/real/ck/build/gen/stdio.h': '$PWD/gen/stdio.h',
    '/base/ck/include/g.h': '$PWD/../include/g.h',
    '/base/ck/src/x.c.gch': '$PWD/../src/x.c.gch',
    '/real/ck/cfg.h.gch': '$CWD/../cfg.h.gch',
    '/real/ck/build/gen/x.h': '$PWD/gen/x.h',
    '/base/ck/include/sub/y.h': '$PWD/../include/sub/y.h', // beside b.h (spelled sub/../b.h)
    '/usr/include/gen/g.h': '/usr/include/gen/g.h',
    '/base/ck/probed.h': '/base/ck/probed.h',
  };
  for (const [path, stored] of Object.entries(want)) assert.equal(p.probe(path), stored, path);
  assert.equal(p.probe('/nowhere/x.h'), undefined, 'a path of unknown origin');
  assert.deepEqual(p.rebasedDep('/base/ck/include/sub/../b.h'), { pwd: '../include', rest: '/sub/../b.h' });
  assert.deepEqual(p.rebasedDep('/base/ck/src/x.c'), { pwd: '../src/x.c', rest: '' });
  assert.equal(p.rebasedDep('/usr/include/stdio.h'), undefined);
  assert.equal(p.rebasedDep('gen/g.h'), undefined);
});

test('entry paths: a path reachable two ways that would move differently is ambiguous', () => {
  // A system directory inside a rebased root (a toolchain in the checkout): which one moves?
  const p = entryPaths({
    dirs: { cwd: '/base/ck', pwd: '/base/ck' },
    rebase: rebase([{ path: '/base/ck', dir: true }]),
    deps: ['/base/ck/tools/include/stddef.h', '/base/ck/x.h'],
    chain: ['/base/ck', '/base/ck/tools/include'],
    origins: new Map([['/base/ck/tools/include/x.h', [{ from: 'chain', index: 0 }, { from: 'chain', index: 1 }]]]),
  });
  assert.deepEqual(p.inputs, [undefined, '$PWD/x.h']);
  assert.equal(p.probe('/base/ck/tools/include/x.h'), undefined);
  // Relative -I. and a literal absolute include of the same directory: names beside each follow each.
  const q = entryPaths({
    dirs: { cwd: '/r/ck', pwd: '/r/ck' }, rebase: rebase([]), deps: ['x.c', '/r/ck/lit.h'], chain: ['.'],
    origins: new Map<string, ProbeOrigin[]>([['/r/ck/lit.h.gch', [{ from: 'input', index: 1 }]], ['/r/ck/y.h', [{ from: 'input-dir', index: 1 }, { from: 'chain', index: 0 }]]]),
  });
  assert.deepEqual(q.inputs, ['$PWD/x.c', '/r/ck/lit.h']);
  assert.equal(q.probe('/r/ck/lit.h.gch'), '/r/ck/lit.h.gch');
  assert.equal(q.probe('/r/ck/y.h'), undefined);
});
