// unwrapGhc: ghc's own wrapper script (Debian's /usr/bin/ghc, a bindist's) is read for what it
// runs; any other script is not, so a remote action never guesses what a script would do.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { unwrapGhc } from '../../src/adapters/ghc/unwrap-ghc.js';

const dir = mkdtempSync(join(tmpdir(), 'reprise-unwrap-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const script = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const DEBIAN = '#!/bin/sh\nexedir="/usr/lib/ghc/bin"\nexeprog="ghc-stage2"\nexecutablename="$exedir/$exeprog"\ndatadir="/usr/share"\nbindir="/usr/bin"\ntopdir="/usr/lib/ghc"\nexecutablename="$exedir/ghc"\nexec "$executablename" -B"$topdir" ${1+"$@"}\n';

test('unwrapGhc: Debian\'s wrapper runs LibDir/bin/ghc -B<LibDir>', () => {
  assert.deepEqual(unwrapGhc(script('debian', DEBIAN), '/usr/lib/ghc'), { program: '/usr/lib/ghc/bin/ghc', args: ['-B/usr/lib/ghc'] });
  assert.deepEqual(unwrapGhc(script('quoted-all', DEBIAN.replace('${1+"$@"}', '"$@"')), '/usr/lib/ghc'), { program: '/usr/lib/ghc/bin/ghc', args: ['-B/usr/lib/ghc'] });
});

test('unwrapGhc: anything else is not read', () => {
  assert.equal(unwrapGhc(script('other-libdir', DEBIAN), '/opt/ghc/lib'), undefined, 'another LibDir than the identity\'s');
  assert.equal(unwrapGhc(script('extra-flag', DEBIAN.replace('-B"$topdir"', '-B"$topdir" -fno-code')), '/usr/lib/ghc'), undefined);
  assert.equal(unwrapGhc(script('more-after', `${DEBIAN}echo done\n`), '/usr/lib/ghc'), undefined);
  assert.equal(unwrapGhc(script('command', DEBIAN.replace('datadir="/usr/share"', 'datadir="$(pwd)"')), '/usr/lib/ghc'), undefined);
  assert.equal(unwrapGhc(script('env-set', DEBIAN.replace('bindir="/usr/bin"', 'export GHCRTS=-A64m')), '/usr/lib/ghc'), undefined);
  assert.equal(unwrapGhc(script('bash', DEBIAN.replace('#!/bin/sh', '#!/bin/bash')), '/usr/lib/ghc'), undefined);
  assert.equal(unwrapGhc(join(dir, 'missing'), '/usr/lib/ghc'), undefined);
});
