// Traced fills (docs/trust-model.md, "Traced fills"): a fill runs over the host's own file
// system, read-only, with every lookup traced, so the sandbox never changes what the
// compiler sees; the key must cover every question the trace shows. Each case compares
// the outputs with bare gcc's at every step, and checks how the call was counted.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { stats } from '../helpers/reprise-cli.js';
import { run, text } from '../helpers/run.js';
import { createWorkspace } from '../helpers/workspace.js';
import { writeSettled } from '../helpers/write-settled.js';

const ws = createWorkspace();
test.after(() => ws.cleanup());
const dir = ws.dir;
const w = (name: string, content: string): void => writeSettled(dir, name, content);

type Counts = { hit: number; miss: number; uncacheable: Record<string, number> };
const counts = async (): Promise<Counts> => {
  const s = await stats(ws.env);
  const g = s.tools.gcc;
  return { hit: g?.['direct-hit'] ?? 0, miss: g?.miss ?? 0, uncacheable: { ...s.uncacheableReasons } };
};
const moved = (a: Counts, b: Counts): { hit: number; miss: number; uncacheable: string[] } => ({
  hit: b.hit - a.hit,
  miss: b.miss - a.miss,
  uncacheable: Object.keys(b.uncacheable).filter((k) => (b.uncacheable[k] ?? 0) > (a.uncacheable[k] ?? 0)),
});

/** Compiles through the shim and with bare gcc; objects, stderr and exit codes must be the same. Returns how the counters moved. */
async function both(args: string[], out: string): Promise<{ hit: number; miss: number; uncacheable: string[] }> {
  const before = await counts();
  const bareOut = `${out}.bare`;
  const b = await run('gcc', [...args, '-o', join(dir, bareOut)], { cwd: dir, env: ws.bareEnv });
  const r = await run('gcc', [...args, '-o', join(dir, out)], { cwd: dir, env: ws.env });
  assert.equal(r.code, b.code, text(r));
  assert.equal(r.stderr.toString().replaceAll(bareOut, out), b.stderr.toString());
  if (b.code === 0) assert.ok(readFileSync(join(dir, out)).equals(readFileSync(join(dir, bareOut))), `${out} differs from bare gcc's`);
  return moved(before, await counts());
}

// The reproduction in issue 15: the second compile was filled shown only what the first
// read, so the sandbox hid opt.h, __has_include answered false, and the wrong object was
// stored and served again.
test('__has_include of a file that appears after the first compile: every step gives bare gcc\'s object (settled files)', async () => {
  w('h1/a.c', '#if __has_include("opt.h")\nint f(void){return 2;}\n#else\nint f(void){return 1;}\n#endif\n');
  assert.deepEqual(await both(['-c', 'h1/a.c'], 'h1/a.o'), { hit: 0, miss: 1, uncacheable: [] });
  w('h1/opt.h', '');
  assert.deepEqual(await both(['-c', 'h1/a.c'], 'h1/a.o'), { hit: 0, miss: 1, uncacheable: [] });
  assert.deepEqual(await both(['-c', 'h1/a.c'], 'h1/a.o'), { hit: 1, miss: 0, uncacheable: [] });
  rmSync(join(dir, 'h1/opt.h'));
  assert.deepEqual(await both(['-c', 'h1/a.c'], 'h1/a.o'), { hit: 1, miss: 0, uncacheable: [] });
});

test('the same with no pause at all between the edits and the compiles', async () => {
  mkdirSync(join(dir, 'h2'));
  writeFileSync(join(dir, 'h2/a.c'), '#if __has_include("opt.h")\nint f(void){return 2;}\n#else\nint f(void){return 1;}\n#endif\n');
  await both(['-c', 'h2/a.c'], 'h2/a.o');
  writeFileSync(join(dir, 'h2/opt.h'), '');
  await both(['-c', 'h2/a.c'], 'h2/a.o');
  await both(['-c', 'h2/a.c'], 'h2/a.o');
  rmSync(join(dir, 'h2/opt.h'));
  await both(['-c', 'h2/a.c'], 'h2/a.o');
  writeFileSync(join(dir, 'h2/opt.h'), '');
  await both(['-c', 'h2/a.c'], 'h2/a.o');
});

test('__has_include(<feat/opt.h>) with an -Iinc that did not exist at the first compile', async () => {
  w('h3/a.c', '#if __has_include(<feat/opt.h>)\nint f(void){return 2;}\n#else\nint f(void){return 1;}\n#endif\n');
  const args = ['-Ih3/inc', '-c', 'h3/a.c'];
  assert.deepEqual(await both(args, 'h3/a.o'), { hit: 0, miss: 1, uncacheable: [] });
  assert.deepEqual(await both(args, 'h3/a.o'), { hit: 1, miss: 0, uncacheable: [] });
  w('h3/inc/feat/opt.h', '');
  assert.equal((await both(args, 'h3/a.o')).hit, 0);
  await both(args, 'h3/a.o');
  rmSync(join(dir, 'h3/inc'), { recursive: true });
  await both(args, 'h3/a.o');
  // And unsettled: created right before the compile.
  mkdirSync(join(dir, 'h3/inc/feat'), { recursive: true });
  writeFileSync(join(dir, 'h3/inc/feat/opt.h'), '');
  await both(args, 'h3/a.o');
});

test('a header new in an earlier -I directory, and a variant that reads another header: each compiled as bare gcc does', async () => {
  w('s/late/keep.txt', '');
  w('s/inc/s.h', '#define S 1\n');
  w('s/s.c', '#include "s.h"\nint s = S;\n');
  await both(['-Is/late', '-Is/inc', '-c', 's/s.c', '-fPIC'], 's/pic.o');
  w('s/late/s.h', '#define S 2\n');
  assert.deepEqual(await both(['-Is/late', '-Is/inc', '-c', 's/s.c', '-fPIC'], 's/pic.o'), { hit: 0, miss: 1, uncacheable: [] });
  w('p/pic.h', '#define P 2\n');
  w('p/nopic.h', '#define P 1\n');
  w('p/p.c', '#ifdef PIC\n#include "pic.h"\n#else\n#include "nopic.h"\n#endif\nint p = P;\n');
  await both(['-c', 'p/p.c', '-DPIC'], 'p/pic.o');
  assert.deepEqual(await both(['-c', 'p/p.c'], 'p/plain.o'), { hit: 0, miss: 1, uncacheable: [] });
});

// The assembler reads .incbin files and no depfile names them: the trace shows the read,
// and the file joins the key by content, so an edit of it is a miss, never a stale hit.
test('a file read by .incbin, which no depfile lists: keyed from the trace, and an edit of it is a miss', async () => {
  w('t/data.h', '#define D 1\n');
  w('t/t.c', '__asm__(".section .rodata\\n.incbin \\"t/data.h\\"\\n.previous");\nint t;\n');
  assert.deepEqual(await both(['-c', 't/t.c'], 't/plain.o'), { hit: 0, miss: 1, uncacheable: [] });
  assert.deepEqual(await both(['-c', 't/t.c'], 't/plain.o'), { hit: 1, miss: 0, uncacheable: [] });
  w('t/data.h', '#define D 2 /* longer */\n');
  assert.deepEqual(await both(['-c', 't/t.c'], 't/plain.o'), { hit: 0, miss: 1, uncacheable: [] });
  w('t/data.h', '#define D 3 /* longer */\n'); // the same size
  assert.deepEqual(await both(['-c', 't/t.c'], 't/plain.o'), { hit: 0, miss: 1, uncacheable: [] });
});

test('with the caller\'s own -MD depfile: stored from the compile\'s own list, and replayed byte for byte', async () => {
  w('d/inc/d.h', '#define DD 1\n');
  w('d/d.c', '#include <stddef.h>\n#include "d.h"\nsize_t d = DD;\n');
  const args = ['-Id/inc', '-c', 'd/d.c', '-MD', '-MF', 'd/plain.d', '-o', 'd/plain.o'];
  const b = await run('gcc', args, { cwd: dir, env: ws.bareEnv });
  assert.equal(b.code, 0, text(b));
  const want = { o: readFileSync(join(dir, 'd/plain.o')), d: readFileSync(join(dir, 'd/plain.d')) };
  for (const round of [1, 2]) {
    rmSync(join(dir, 'd/plain.o'));
    rmSync(join(dir, 'd/plain.d'));
    const before = await counts();
    const r = await run('gcc', args, { cwd: dir, env: ws.env });
    assert.equal(r.code, 0, text(r));
    assert.deepEqual(moved(before, await counts()), round === 1 ? { hit: 0, miss: 1, uncacheable: [] } : { hit: 1, miss: 0, uncacheable: [] });
    assert.ok(readFileSync(join(dir, 'd/plain.o')).equals(want.o));
    assert.equal(readFileSync(join(dir, 'd/plain.d'), 'utf8'), want.d.toString());
  }
});

// Found by the lookup trace on its first runs: gcc asks for `name.gch` at every place it
// looks for `name`, and a precompiled header there is read instead. The probes now keep
// each such path absent, so one appearing is never a hit on the old object.
test('a precompiled x.h.gch appearing in an earlier search directory (x.h itself is further on): a miss, with bare gcc\'s object', async () => {
  w('g/late/keep.txt', '');
  w('g/inc/x.h', '#define X 1\n');
  w('g/g.c', '#include <x.h>\nint g = X;\n');
  const args = ['-Ig/late', '-Ig/inc', '-c', 'g/g.c'];
  assert.deepEqual(await both(args, 'g/g.o'), { hit: 0, miss: 1, uncacheable: [] });
  assert.deepEqual(await both(args, 'g/g.o'), { hit: 1, miss: 0, uncacheable: [] });
  w('g/pch.h', '#define X 2\n');
  const pch = await run('gcc', ['-x', 'c-header', 'g/pch.h', '-o', 'g/late/x.h.gch'], { cwd: dir, env: ws.bareEnv });
  assert.equal(pch.code, 0, text(pch));
  const after = await both(args, 'g/g.o');
  assert.equal(after.hit, 0, 'not a hit on the object without the precompiled header');
});

// Found the same way: __has_include(<x>) does not look in -iquote directories, so an x.h
// there must not end its search; an x.h created later in an -I directory flips the answer.
test('__has_include(<x.h>) with x.h only in an -iquote directory: an x.h created in an -I directory is a miss', async () => {
  w('iq/q/x.h', '');
  w('iq/i/keep.txt', '');
  w('iq/s.c', '#if __has_include(<x.h>)\nint s = 2;\n#else\nint s = 1;\n#endif\n');
  const args = ['-iquote', 'iq/q', '-Iiq/i', '-c', 'iq/s.c'];
  assert.deepEqual(await both(args, 'iq/s.o'), { hit: 0, miss: 1, uncacheable: [] });
  assert.deepEqual(await both(args, 'iq/s.o'), { hit: 1, miss: 0, uncacheable: [] });
  w('iq/i/x.h', '');
  assert.equal((await both(args, 'iq/s.o')).hit, 0);
});
