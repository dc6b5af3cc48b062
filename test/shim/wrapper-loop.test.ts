// Another compiler cache's masquerade directory (/usr/lib/ccache on Debian) or a wrapper
// that finds "gcc" on PATH again, in either order with the shims: the shim and the wrapper
// must not call each other for ever. A small script stands in for ccache here (CI need
// not install it): like ccache it runs the first "gcc" on PATH outside its own directory,
// with PATH unchanged.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { installPaths } from '../../src/runtime/install-paths.js';
import { run, text } from '../helpers/run.js';
import { stats } from '../helpers/reprise-cli.js';
import { createWorkspace } from '../helpers/workspace.js';

const ws = createWorkspace();
test.after(() => ws.cleanup());
const dir = ws.dir;
const NEXT_GCC = `#!/bin/sh
me=$(cd "$(dirname "$0")" && pwd -P)
IFS=:
for d in $PATH; do
  [ "$(cd "$d" 2>/dev/null && pwd -P)" = "$me" ] && continue
  [ -x "$d/gcc" ] && exec "$d/gcc" "$@"
done
exit 127
`;
// A fake ccache and its masquerade link, and a plain wrapper script named gcc.
mkdirSync(join(dir, 'cc/mask'), { recursive: true });
writeFileSync(join(dir, 'cc/ccache'), NEXT_GCC);
chmodSync(join(dir, 'cc/ccache'), 0o755);
symlinkSync('../ccache', join(dir, 'cc/mask/gcc'));
mkdirSync(join(dir, 'wrap'));
writeFileSync(join(dir, 'wrap/gcc'), NEXT_GCC);
chmodSync(join(dir, 'wrap/gcc'), 0o755);
writeFileSync(join(dir, 'm.c'), '#include <stdio.h>\nint main(void) { return puts("m") < 0; }\n');

const shims = installPaths.shimDir;
const path = (first: string, second: string): string => `${first}:${second}:${process.env.PATH ?? ''}`;
/** Runs gcc with this PATH, killed after 60 s (a loop), and returns the result. */
async function gcc(pathValue: string, args: string[]) {
  const r = await run('timeout', ['60', 'gcc', ...args], { cwd: dir, env: { ...ws.env, PATH: pathValue } });
  assert.notEqual(r.code, 124, `gcc ${args.join(' ')} with PATH=${pathValue.split(':').slice(0, 2).join(':')} did not finish`);
  assert.equal(r.code, 0, text(r));
  return r;
}

const bareObject = async (): Promise<Buffer> => {
  const r = await run('gcc', ['-c', 'm.c', '-o', 'bare.o'], { cwd: dir, env: ws.bareEnv });
  assert.equal(r.code, 0, text(r));
  return readFileSync(join(dir, 'bare.o'));
};

test('a ccache masquerade directory before or after the shims: compiles and links finish, objects as bare gcc makes them', async () => {
  const want = await bareObject();
  for (const p of [path(join(dir, 'cc/mask'), shims), path(shims, join(dir, 'cc/mask'))]) {
    await gcc(p, ['-c', 'm.c', '-o', 'm.o']);
    assert.ok(readFileSync(join(dir, 'm.o')).equals(want));
    await gcc(p, ['m.o', '-o', 'm']);
    const m = await run(join(dir, 'm'), []);
    assert.equal(m.stdout.toString(), 'm\n');
  }
});

test('a wrapper script that finds gcc on PATH again: a link through it finishes, in either order', async () => {
  for (const p of [path(join(dir, 'wrap'), shims), path(shims, join(dir, 'wrap'))]) {
    await gcc(p, ['m.o', '-o', 'w']);
    const w = await run(join(dir, 'w'), []);
    assert.equal(w.stdout.toString(), 'm\n');
  }
});

// Inside the sandbox this wrapper lacks `dirname` and the shims: it finds itself on PATH
// and execs itself for ever. The daemon sees that once, with a compile of an empty file,
// and runs the wrapper's compiles outside the sandbox, uncached; the wrapper's own gcc
// call reaches a shim that passes the wrapper by, and is cached under the real gcc.
test('a wrapper script that finds gcc on PATH again: a compile through it finishes, in either order, object as bare gcc makes it', async () => {
  const want = await bareObject();
  for (const p of [path(shims, join(dir, 'wrap')), path(join(dir, 'wrap'), shims)]) {
    for (let i = 0; i < 2; i++) {
      rmSync(join(dir, 'c.o'), { force: true });
      await gcc(p, ['-c', 'm.c', '-o', 'c.o']);
      assert.ok(readFileSync(join(dir, 'c.o')).equals(want));
    }
  }
  assert.ok((await stats(ws.env)).uncacheableReasons['driver-fails-in-sandbox']! >= 1);
});
