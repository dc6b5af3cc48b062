// Which host files a root at `/` can hold: none directly in `/`, in a system directory or in a
// directory of the executor's programs (binding one over would hide its /bin/sh), none under
// a kernel file system; files in directories of their own below those can.
import assert from 'node:assert/strict';
import test from 'node:test';
import { notPlaceableAtSlash } from '../../../src/exec/remote/build-root-at-slash-action.js';

test('notPlaceableAtSlash: the executor keeps /, its system and program directories and the kernel\'s', () => {
  for (const p of ['/x', '/usr/x', '/bin/sh', '/lib/libc.so.6', '/usr/bin/ghc', '/usr/sbin/x', '/usr/local/bin/ghc', '/usr/local/sbin/x', '/proc/self/exe', '/dev/null']) {
    assert.notEqual(notPlaceableAtSlash(p), undefined, p);
  }
  for (const p of ['/home/u/p/a.hs', '/tmp/p/a.c', '/usr/lib/ghc/bin/ghc', '/usr/lib/go-1.19/pkg/tool/linux_amd64/compile', '/usr/local/lib/ghc/settings', '/opt/ghc/bin/ghc']) {
    assert.equal(notPlaceableAtSlash(p), undefined, p);
  }
});
