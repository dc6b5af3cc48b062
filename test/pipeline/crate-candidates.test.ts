// Candidate views of rustc's search directories (crate-candidates.ts) on real directories:
// which files count as candidates of a crate, and that a view breaks when one comes or goes.
// The compiles themselves are in test/differential/rust-scenarios.test.ts.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { candidatesHold, crateCandidateViews, unloadedCandidates } from '../../src/pipeline/rust/crate-candidates.js';

function tree(files: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'reprise-candidates-'));
  for (const f of files) {
    mkdirSync(join(dir, f, '..'), { recursive: true });
    writeFileSync(join(dir, f), '');
  }
  return dir;
}

test('a crate found in an -L directory: candidates of its name, not of other crates; a second one or an rmeta breaks the view', () => {
  const dir = tree(['deps/libb.rlib', 'deps/libbar.rlib', 'deps/libc-1.rlib']);
  try {
    const job = { searchDirs: [{ kind: 'all', path: 'deps' }], externs: [{ name: 'b', path: undefined }] };
    const views = crateCandidateViews('sha256', job, dir, [join(dir, 'deps/libb.rlib')]);
    assert.equal(views.length, 1);
    assert.equal(views[0]!.path, join(dir, 'deps'));
    // The name's candidates (`b`) and, for a dependency lookup in an `all` directory, the stem's: both `b` here.
    assert.equal(views[0]!.view, 'rust-candidates-1\nb\tb:r');
    assert.ok(candidatesHold(views[0]!.path, views[0]!.view));
    assert.deepEqual(unloadedCandidates(views, [join(dir, 'deps/libb.rlib')]), []);
    writeFileSync(join(dir, 'deps/libbaz-2.rlib'), ''); // another crate's name that begins with b
    assert.ok(candidatesHold(views[0]!.path, views[0]!.view));
    writeFileSync(join(dir, 'deps/libb-2.rlib'), '');
    assert.ok(!candidatesHold(views[0]!.path, views[0]!.view));
    const now = crateCandidateViews('sha256', job, dir, [join(dir, 'deps/libb.rlib')]);
    assert.deepEqual(unloadedCandidates(now, [join(dir, 'deps/libb.rlib')]), [join(dir, 'deps/libb-2.rlib')]);
    rmSync(join(dir, 'deps/libb-2.rlib'));
    assert.ok(candidatesHold(views[0]!.path, views[0]!.view));
    writeFileSync(join(dir, 'deps/libb.rmeta'), ''); // read before the rlib
    assert.ok(!candidatesHold(views[0]!.path, views[0]!.view));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('cargo\'s shape: a dependency by its hashed stem in -L dependency=; its rlib written after the rmeta leaves the view; externs by path have none', () => {
  const dir = tree(['d/libmemchr-aa.rmeta', 'd/libmemchr-bb.rlib', 'd/libmemchr-bb.rmeta', 'd/libregex-cc.rmeta']);
  try {
    const job = { searchDirs: [{ kind: 'dependency', path: 'd' }], externs: [{ name: 'regex', path: 'd/libregex-cc.rmeta' }] };
    const loaded = [join(dir, 'd/libregex-cc.rmeta'), join(dir, 'd/libmemchr-aa.rmeta')];
    const views = crateCandidateViews('sha256', job, dir, loaded);
    assert.deepEqual(views.map((v) => v.view), ['rust-candidates-1\nmemchr-aa\tmemchr-aa:m']);
    writeFileSync(join(dir, 'd/libmemchr-aa.rlib'), '');
    assert.ok(candidatesHold(views[0]!.path, views[0]!.view));
    assert.deepEqual(unloadedCandidates(views, loaded), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a view that is not one this wrote (another schema, bad escapes) never holds, and does not throw', () => {
  const dir = tree(['deps/libb.rlib']);
  try {
    assert.ok(!candidatesHold(join(dir, 'deps'), 'rust-candidates-0\nb\tb:r'));
    assert.ok(!candidatesHold(join(dir, 'deps'), 'rust-candidates-1\n%E0%A4%A\tb:r'));
    assert.ok(!candidatesHold(join(dir, 'missing'), 'rust-candidates-1\nb\tb:r'));
    assert.ok(candidatesHold(join(dir, 'missing'), 'rust-candidates-1\nb\t'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
