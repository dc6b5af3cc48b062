// Where `reprise serve --execute` binds an input root asked for at `/`: its own top-level
// directories at their names, each entry of tmp/ into the private /tmp, and under a system
// directory each directory that holds the root's files, bound whole over the executor's; never
// a kernel file system, a file directly in a system directory, or a place the executor lacks.
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
  assert.match(why(tree(['usr/lib/go-1.19/pkg/tool/linux_amd64/compile'])), /\/usr\/lib\/go-1\.19\/pkg\/tool\/linux_amd64 is not a directory on this executor/);
  assert.match(why(tree(['.tracer.so/x']), [], new Set(['.tracer.so'])), /\.tracer\.so is not a directory/);
});
