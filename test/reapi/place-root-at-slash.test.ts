// Where `reprise serve --execute` places an input root asked for at `/`: its own top-level
// directories at their names, each entry of tmp/ into the private /tmp, and under a system
// directory each directory that holds the root's files bound whole over the executor's, or
// added to the executor's by an overlay where a bind would hide what the executor runs on
// (/usr/bin, its library directories) or the executor lacks the directory; never a kernel file
// system or a file directly in a system directory.
import assert from 'node:assert/strict';
import test from 'node:test';
import { placeRootAtSlash } from '../../src/reapi/serve/execute/place-root-at-slash.js';
import type { InputEntry } from '../../src/reapi/serve/execute/read-input-tree.js';

const digest = { algorithm: 'sha256', hash: '0'.repeat(64), size: 0 } as unknown as Extract<InputEntry, { kind: 'dir' }>['digest'];
/** A flattened tree from file paths, its directories listed before what they hold. */
function tree(files: string[], emptyDirs: string[] = []): InputEntry[] {
  const dirs = new Set<string>();
  for (const p of [...files, ...emptyDirs.map((d) => `${d}/x`)]) for (let i = p.indexOf('/'); i > 0; i = p.indexOf('/', i + 1)) dirs.add(p.slice(0, i));
  return [...[...dirs].map((path) => ({ kind: 'dir' as const, path, digest })), ...files.map((path) => ({ kind: 'file' as const, path, digest, executable: false }))].sort((a, b) => (a.path < b.path ? -1 : 1));
}
const executorHas = (dirs: string[]) => (p: string): boolean => dirs.includes(p);

test('a Go step\'s root: the project at its top, $WORK in /tmp, the tool and the asm headers over the executor\'s directories', () => {
  const entries = tree([
    'home/u/proj/main.go',
    'tmp/go-build1/b001/importcfg',
    'tmp/go-build1/b002/_pkg_.a',
    'usr/lib/go-1.19/pkg/tool/linux_amd64/asm',
    'usr/lib/go-1.19/pkg/include/textflag.h',
  ]);
  const placed = placeRootAtSlash(entries, executorHas(['/usr/lib/go-1.19/pkg/tool/linux_amd64', '/usr/lib/go-1.19/pkg/include']));
  assert.ok(placed.ok, JSON.stringify(placed));
  assert.deepEqual(placed.binds, ['home', 'tmp/go-build1', 'usr/lib/go-1.19/pkg/include', 'usr/lib/go-1.19/pkg/tool/linux_amd64']);
  // Staged file by file down to them, so that no bind covers the executor's /usr or the private /tmp.
  assert.deepEqual(placed.open.sort(), ['tmp', 'usr/lib/go-1.19/pkg', 'usr/lib/go-1.19/pkg/tool'].sort());
});

test('a directory that holds files covers those below it; an empty one is bound as it is', () => {
  const entries = tree(['usr/share/t/a.txt', 'usr/share/t/sub/b.txt'], ['usr/lib/empty']);
  const placed = placeRootAtSlash(entries, executorHas(['/usr/share/t', '/usr/lib/empty']));
  assert.ok(placed.ok, JSON.stringify(placed));
  assert.deepEqual(placed.binds, ['usr/lib/empty', 'usr/share/t']);
});

test('the working directory is placed though the root holds nothing in it (a Go step whose sources lie elsewhere)', () => {
  const entries = tree(['usr/share/gocode/src/x/x.go', 'tmp/go-build1/b001/importcfg']);
  const placed = placeRootAtSlash(entries, executorHas(['/usr/share/gocode/src/x']), new Set(), 'root/proj');
  assert.ok(placed.ok, JSON.stringify(placed));
  assert.deepEqual(placed.binds, ['root', 'tmp/go-build1', 'usr/share/gocode/src/x']);
  // Under a system directory it is bound as an empty directory over the executor's, which must have it.
  const inUsr = placeRootAtSlash(tree(['home/u/a.go']), executorHas([]), new Set(), 'usr/share/gocode/src/y');
  assert.equal(inUsr.ok, false);
});

test('refused: a kernel file system, a file directly in a system directory or in /, a place the executor lacks, a reserved name', () => {
  const why = (entries: InputEntry[], has: string[] = [], reserved = new Set<string>()): string => {
    const placed = placeRootAtSlash(entries, executorHas(has), reserved);
    assert.equal(placed.ok, false, JSON.stringify(placed));
    return placed.ok ? '' : placed.why;
  };
  assert.match(why(tree(['proc/self/x'])), /proc is not a directory the sandbox can place/);
  assert.match(why(tree(['usr/gcc'])), /directly in usr\//);
  assert.match(why([{ kind: 'file', path: 'top.txt', digest, executable: false }]), /top\.txt is not a directory/);
  assert.match(why(tree(['usr/lib/go-1.19/pkg/tool/linux_amd64/compile'])), /\/usr is not a directory on this executor/);
  assert.match(why(tree(['.tracer.so/x']), [], new Set(['.tracer.so'])), /\.tracer\.so is not a directory/);
});

test('a toolchain for an executor without it: programs and libraries added to the executor\'s directories, a missing tree laid over its nearest directory', () => {
  const entries = tree([
    'usr/bin/x86_64-linux-gnu-gcc',
    'usr/bin/as',
    'usr/lib/x86_64-linux-gnu/libffi.so.8',
    'usr/lib/gcc/x86_64-linux-gnu/12/cc1',
    'usr/lib/gcc/x86_64-linux-gnu/12/include/stddef.h',
    'usr/lib/ghc/bin/ghc',
    'usr/lib/ghc/settings',
    'usr/include/stdc-predef.h',
    'home/u/p/A.hs',
  ]);
  // This executor has its system (/usr/bin, /usr/lib and its libraries, /usr/include) and gcc 12, but no ghc.
  const has = ['/usr', '/usr/bin', '/usr/lib', '/usr/lib/x86_64-linux-gnu', '/usr/include', '/usr/lib/gcc', '/usr/lib/gcc/x86_64-linux-gnu', '/usr/lib/gcc/x86_64-linux-gnu/12', '/usr/lib/gcc/x86_64-linux-gnu/12/include'];
  const placed = placeRootAtSlash(entries, executorHas(has));
  assert.ok(placed.ok, JSON.stringify(placed));
  // gcc's private directory is the executor's too: bound whole, exactly the root's files there.
  assert.deepEqual(placed.binds, ['home', 'usr/lib/gcc/x86_64-linux-gnu/12']);
  // ghc's directory is missing: /usr/lib takes the root's files over the executor's, and with it its libraries.
  assert.deepEqual(placed.overlays, ['usr/bin', 'usr/include', 'usr/lib']);
  // Inside the overlay, every directory the executor has is staged file by file, never bound over its own (its libc).
  for (const d of ['usr/lib', 'usr/lib/x86_64-linux-gnu', 'usr/lib/gcc', 'usr/lib/gcc/x86_64-linux-gnu']) assert.ok(placed.open.includes(d), d);
  assert.ok(!placed.open.includes('usr/lib/ghc'));

  // With ghc installed, its directory is bound whole; the libraries alone are added.
  const withGhc = placeRootAtSlash(entries, executorHas([...has, '/usr/lib/ghc', '/usr/lib/ghc/bin']));
  assert.ok(withGhc.ok, JSON.stringify(withGhc));
  assert.deepEqual(withGhc.overlays, ['usr/bin', 'usr/include', 'usr/lib/x86_64-linux-gnu']);
  assert.deepEqual(withGhc.binds, ['home', 'usr/lib/gcc/x86_64-linux-gnu/12', 'usr/lib/ghc']);

  // An executor that cannot mount overlays refuses the root, naming why.
  const cannot = placeRootAtSlash(entries, executorHas(has), new Set(), '', false);
  assert.equal(cannot.ok, false);
  assert.match(cannot.ok ? '' : cannot.why, /cannot mount an overlay/);
});
