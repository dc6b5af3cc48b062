// Which host files a root at `/` can hold: none directly in `/` or in a system directory, none
// under a kernel file system; files in directories below those can, the executor's program
// directories among them (the executor adds them to its own: place-root-at-slash.ts).
import assert from 'node:assert/strict';
import test from 'node:test';
import { notPlaceableAtSlash } from '../../../src/exec/remote/build-root-at-slash-action.js';

test('notPlaceableAtSlash: the executor keeps /, its system directories and the kernel\'s', () => {
  for (const p of ['/x', '/usr/x', '/bin/sh', '/lib/libc.so.6', '/proc/self/exe', '/dev/null']) {
    assert.notEqual(notPlaceableAtSlash(p), undefined, p);
  }
  for (const p of ['/home/u/p/a.hs', '/tmp/p/a.c', '/usr/lib/ghc/bin/ghc', '/usr/lib/go-1.19/pkg/tool/linux_amd64/compile', '/usr/local/lib/ghc/settings', '/opt/ghc/bin/ghc', '/usr/bin/x86_64-linux-gnu-gcc', '/usr/sbin/x', '/usr/local/bin/ghc', '/usr/lib/x86_64-linux-gnu/libffi.so.8']) {
    assert.equal(notPlaceableAtSlash(p), undefined, p);
  }
});
