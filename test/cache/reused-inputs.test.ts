// Fills that skip the -M pre-pass: a source's next fill (another variant, as libtool
// builds -fPIC and plain objects, or the unit again after an edit) is shown what its last
// fill read. Each case checks the outputs against bare gcc's and which way the fill went:
// shown files read exactly (no pre-pass), or anything else (a pre-pass, as before).
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
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

const reuse = async () => {
  const c = (await stats(ws.env)).cache;
  return { reused: c['fill-reused-inputs'], differed: c['reused-inputs-differed'] };
};

/** Compiles through the shim and with bare gcc; the objects must be the same bytes. Returns how the reuse counters moved. */
async function both(args: string[], out: string): Promise<{ reused: number; differed: number }> {
  const before = await reuse();
  const bareOut = `${out}.bare`;
  const b = await run('gcc', [...args, '-o', join(dir, bareOut)], { cwd: dir, env: ws.bareEnv });
  assert.equal(b.code, 0, text(b));
  const r = await run('gcc', [...args, '-o', join(dir, out)], { cwd: dir, env: ws.env });
  assert.equal(r.code, 0, text(r));
  assert.equal(r.stderr.toString(), b.stderr.toString());
  assert.ok(readFileSync(join(dir, out)).equals(readFileSync(join(dir, bareOut))), `${out} differs from bare gcc's`);
  const after = await reuse();
  return { reused: after.reused - before.reused, differed: after.differed - before.differed };
}

test('the -fPIC and plain variants of a unit: the second is shown what the first read, no pre-pass', async () => {
  w('v/inc/v.h', '#define V 1\n');
  w('v/v.c', '#include <stdio.h>\n#include "v.h"\nint v(void) { return printf("%d", V); }\n');
  assert.deepEqual(await both(['-Iv/inc', '-c', 'v/v.c', '-fPIC', '-DPIC'], 'v/pic.o'), { reused: 0, differed: 0 });
  assert.deepEqual(await both(['-Iv/inc', '-c', 'v/v.c'], 'v/plain.o'), { reused: 1, differed: 0 });
  // Served from the cache either way.
  rmSync(join(dir, 'v/plain.o'));
  assert.deepEqual(await both(['-Iv/inc', '-c', 'v/v.c'], 'v/plain.o'), { reused: 0, differed: 0 });
});

test('a header new in an earlier -I directory since the last fill: the compile reads it, as bare gcc does', async () => {
  w('s/late/keep.txt', '');
  w('s/inc/s.h', '#define S 1\n');
  w('s/s.c', '#include "s.h"\nint s = S;\n');
  await both(['-Is/late', '-Is/inc', '-c', 's/s.c', '-fPIC'], 's/pic.o');
  w('s/late/s.h', '#define S 2\n');
  assert.deepEqual(await both(['-Is/late', '-Is/inc', '-c', 's/s.c'], 's/plain.o'), { reused: 0, differed: 1 });
});

test('a variant that reads another header, and an edit that includes a new one: each compiled as bare gcc does', async () => {
  w('p/pic.h', '#define P 2\n');
  w('p/nopic.h', '#define P 1\n');
  w('p/p.c', '#ifdef PIC\n#include "pic.h"\n#else\n#include "nopic.h"\n#endif\nint p = P;\n');
  await both(['-c', 'p/p.c', '-DPIC'], 'p/pic.o');
  assert.deepEqual(await both(['-c', 'p/p.c'], 'p/plain.o'), { reused: 0, differed: 1 });
  // The unit again after an edit (a new -D, so a new key): its last fill's list reused.
  w('e/a.h', '#define A 1\n');
  w('e/b.h', '#define B 2\n');
  w('e/e.c', '#include "a.h"\nint e = A;\n');
  await both(['-c', 'e/e.c'], 'e/1.o');
  assert.deepEqual(await both(['-c', 'e/e.c', '-DX=1'], 'e/2.o'), { reused: 1, differed: 0 });
  w('e/e.c', '#include "a.h"\n#include "b.h"\nint e = A + B;\n');
  assert.deepEqual(await both(['-c', 'e/e.c', '-DX=1'], 'e/3.o'), { reused: 0, differed: 1 });
});

test('__has_include of a file that appeared since the last fill: answered as bare gcc answers it', async () => {
  w('h/h.c', '#if __has_include("opt.h")\n#include "opt.h"\n#else\n#define OPT 0\n#endif\nint h = OPT;\n');
  await both(['-c', 'h/h.c', '-fPIC'], 'h/pic.o');
  w('h/opt.h', '#define OPT 7\n');
  assert.deepEqual(await both(['-c', 'h/h.c'], 'h/plain.o'), { reused: 0, differed: 1 });
});

// The assembler reads .incbin files and no depfile names them: shown a file the compile
// does not list, the fill cannot tell whether it was read, so it does not stand (and the
// pre-pass fill then finds the read a sandbox violation). Stored, the next edit of the
// file would have been a stale hit.
test('a shown file the depfile does not list (read by .incbin): not stored, and an edit of it is seen', async () => {
  w('t/data.h', '#define D 1\n');
  w('t/t.c', '__asm__(".section .rodata\\n.incbin \\"t/data.h\\"\\n.previous");\nint t;\n');
  await both(['-c', 't/t.c', '-include', 't/data.h'], 't/pic.o'); // lists t/data.h: the next fill is shown it
  assert.deepEqual(await both(['-c', 't/t.c'], 't/plain.o'), { reused: 0, differed: 1 });
  w('t/data.h', '#define D 2 /* longer */\n');
  await both(['-c', 't/t.c'], 't/plain2.o');
});

test('with the caller\'s own -MD depfile: the second variant reuses it, and its outputs are bare gcc\'s', async () => {
  w('d/inc/d.h', '#define DD 1\n');
  w('d/d.c', '#include <stddef.h>\n#include "d.h"\nsize_t d = DD;\n');
  const args = ['-Id/inc', '-c', 'd/d.c', '-MD', '-MF', 'd/plain.d', '-o', 'd/plain.o'];
  await both(['-Id/inc', '-c', 'd/d.c', '-fPIC', '-MD', '-MF', 'd/pic.d'], 'd/pic.o');
  const b = await run('gcc', args, { cwd: dir, env: ws.bareEnv });
  assert.equal(b.code, 0, text(b));
  const want = { o: readFileSync(join(dir, 'd/plain.o')), d: readFileSync(join(dir, 'd/plain.d')) };
  rmSync(join(dir, 'd/plain.o'));
  rmSync(join(dir, 'd/plain.d'));
  const before = await reuse();
  const r = await run('gcc', args, { cwd: dir, env: ws.env });
  assert.equal(r.code, 0, text(r));
  assert.equal((await reuse()).reused - before.reused, 1);
  assert.ok(readFileSync(join(dir, 'd/plain.o')).equals(want.o));
  assert.equal(readFileSync(join(dir, 'd/plain.d'), 'utf8'), want.d.toString());
});
