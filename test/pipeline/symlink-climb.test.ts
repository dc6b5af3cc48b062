// `..` after a symlink: the kernel climbs out of the link's target. Real files in a temp directory.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { climbsOutOfSymlink } from '../../src/pipeline/symlink-climb.js';

test('a `..` climbs out of a symlink only when it lands somewhere else than the lexical path', () => {
  const d = realpathSync(mkdtempSync(join(tmpdir(), 'reprise-climb-')));
  try {
    for (const p of ['proj/sub', 'elsewhere/sub', 'usr/bin', 'usr/lib']) mkdirSync(join(d, p), { recursive: true });
    for (const p of ['proj/x.h', 'elsewhere/x.h', 'usr/lib/y.h']) writeFileSync(join(d, p), '');
    symlinkSync('../elsewhere/sub', join(d, 'proj/away')); // away/.. is elsewhere/
    symlinkSync('sub', join(d, 'proj/near')); // near/.. is proj/, as written
    symlinkSync('usr/bin', join(d, 'bin')); // a merged /usr: bin/../lib is usr/lib, and lib is too
    symlinkSync('usr/lib', join(d, 'lib'));
    const proj = join(d, 'proj');
    assert.equal(climbsOutOfSymlink(proj, 'x.h'), false);
    assert.equal(climbsOutOfSymlink(proj, 'sub/../x.h'), false, 'a real directory');
    assert.equal(climbsOutOfSymlink(proj, 'away/../x.h'), true);
    assert.equal(climbsOutOfSymlink(proj, 'away/..'), true, 'a search directory');
    assert.equal(climbsOutOfSymlink(proj, 'away/../missing.h'), true, 'a probe: elsewhere/missing.h is not proj/missing.h');
    assert.equal(climbsOutOfSymlink(proj, `${d}/proj/away/../x.h`), true, 'absolute');
    assert.equal(climbsOutOfSymlink(proj, 'near/../x.h'), false, 'lands where the lexical path does');
    assert.equal(climbsOutOfSymlink(d, 'bin/../lib/y.h'), false);
    assert.equal(climbsOutOfSymlink(join(proj, 'away'), '../x.h'), true, 'from a directory reached through the link');
    assert.equal(climbsOutOfSymlink(join(d, 'nowhere'), '../x.h'), false, 'nothing there either way');
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});
