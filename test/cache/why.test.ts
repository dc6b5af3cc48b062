// `reprise why FILE` through the real shim, daemon and gcc: after a header edit, a flag
// change, a new shadowing header and an unchanged rebuild, it names what changed.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { reprise } from '../helpers/reprise-cli.js';
import { run, text, type RunResult } from '../helpers/run.js';
import { createWorkspace } from '../helpers/workspace.js';
import { writeSettled } from '../helpers/write-settled.js';
import type { WhyReport } from '../../src/why/types.js';

const ws = createWorkspace();
test.after(() => ws.cleanup());
const dir = ws.dir;
const w = (name: string, content: string): void => writeSettled(dir, name, content);
async function gcc(args: string[]): Promise<void> {
  const r = await run('gcc', args, { cwd: dir, env: ws.env });
  assert.equal(r.code, 0, text(r));
}
const why = (file: string, ...flags: string[]): Promise<RunResult> => reprise(['why', file, ...flags], ws.env, dir);
async function whyJson(file: string): Promise<WhyReport> {
  const r = await why(file, '--json');
  assert.equal(r.code, 0, text(r));
  return JSON.parse(r.stdout.toString()) as WhyReport;
}
async function whyText(file: string): Promise<string> {
  const r = await why(file);
  assert.equal(r.code, 0, text(r));
  assert.equal(r.stderr.toString(), '');
  return r.stdout.toString();
}

test('a header edit: why names the header', async () => {
  w('hdr/inc/x.h', '#define X 1\n');
  w('hdr/a.c', '#include "inc/x.h"\nint a = X;\n');
  const args = ['-c', 'hdr/a.c', '-o', 'hdr/a.o'];
  await gcc(args);
  assert.match(await whyText('hdr/a.o'), /only one compile recorded/);
  w('hdr/inc/x.h', '#define X 2\n');
  await gcc(args);
  const out = await whyText('hdr/a.o');
  assert.match(out, /the last compile was a miss/);
  assert.match(out, /header hdr\/inc\/x\.h changed/);
  assert.doesNotMatch(out, /argument/);
  const report = await whyJson('hdr/a.o');
  assert.equal(report.verdict, 'changed');
  assert.equal(report.headersCompared, true);
  assert.deepEqual(report.compiles.map((c) => c.outcome), ['miss', 'miss']);
  assert.deepEqual(report.changes.map((c) => c.kind), ['header-changed']);
  const change = report.changes[0]!;
  assert.ok(change.kind === 'header-changed' && change.path === join(ws.realDir, 'hdr/inc/x.h') && change.from !== change.to);
});

test('a flag change: why says the argument changed', async () => {
  w('flag/f.c', 'int f(int x) { return x * 3; }\n');
  await gcc(['-O2', '-c', 'flag/f.c', '-o', 'flag/f.o']);
  await gcc(['-O3', '-c', 'flag/f.c', '-o', 'flag/f.o']);
  const out = await whyText('flag/f.o');
  assert.match(out, /argument -O2 became -O3/);
  assert.doesNotMatch(out, /header/);
  const report = await whyJson('flag/f.o');
  assert.deepEqual(report.changes, [{ kind: 'argument-changed', from: '-O2', to: '-O3', terminal: false }]);
  assert.notEqual(report.compiles[0]!.directKey, report.compiles[1]!.directKey);
  // Back to -O2: a hit of the earlier result, and why still says what differs from the compile before.
  await gcc(['-O2', '-c', 'flag/f.c', '-o', 'flag/f.o']);
  const back = await whyJson('flag/f.o');
  assert.equal(back.compiles[1]!.outcome, 'hit');
  assert.deepEqual(back.changes, [{ kind: 'argument-changed', from: '-O3', to: '-O2', terminal: false }]);
  assert.match(await whyText('flag/f.o'), /cache hit \(of an earlier result\)[^\n]*\n\s+argument -O3 became -O2/);
});

test('an argument added and an environment variable changed', async () => {
  w('env/e.c', 'int e;\n');
  await gcc(['-c', 'env/e.c', '-o', 'env/e.o']);
  const r = await run('gcc', ['-DEXTRA=1', '-c', 'env/e.c', '-o', 'env/e.o'], { cwd: dir, env: { ...ws.env, SOURCE_DATE_EPOCH: '1700000000' } });
  assert.equal(r.code, 0, text(r));
  const report = await whyJson('env/e.o');
  assert.deepEqual(report.changes, [
    { kind: 'argument-added', value: '-DEXTRA=1', terminal: false },
    { kind: 'key-input-changed', tag: 'env:SOURCE_DATE_EPOCH', from: '(unset)', to: '1700000000' },
  ]);
  const out = await whyText('env/e.o');
  assert.match(out, /argument -DEXTRA=1 added/);
  assert.match(out, /environment variable SOURCE_DATE_EPOCH changed: \(unset\) → 1700000000/);
});

/** Compiles `dir`/s.c including <`name`> from inc2, then again with `name` new in inc1: the changes why reports. */
async function shadowed(dir: string, name: string): Promise<Array<[string, string]>> {
  w(`${dir}/inc1/.keep`, '');
  w(`${dir}/inc2/${name}`, '#define V 2\n');
  w(`${dir}/s.c`, `#include <${name}>\nint v = V;\n`);
  const args = [`-I${dir}/inc1`, `-I${dir}/inc2`, '-c', `${dir}/s.c`, '-o', `${dir}/s.o`];
  await gcc(args);
  w(`${dir}/inc1/${name}`, '#define V 1\n');
  await gcc(args);
  const report = await whyJson(`${dir}/s.o`);
  return report.changes.map((c) => [c.kind, 'path' in c ? c.path : '']);
}

test('a new header in an earlier -I directory: why says it appeared', async () => {
  assert.deepEqual(await shadowed('shadow', 'v.h'), [
    ['header-appeared', join(ws.realDir, 'shadow/inc1/v.h')],
    ['header-removed', join(ws.realDir, 'shadow/inc2/v.h')],
  ]);
  assert.match(await whyText('shadow/s.o'), /header shadow\/inc1\/v\.h appeared/);
});

test('a new header in a directory that did not exist: why says it appeared', async () => {
  assert.deepEqual(await shadowed('shadowdir', 'sub/v.h'), [
    ['header-appeared', join(ws.realDir, 'shadowdir/inc1/sub/v.h')],
    ['header-removed', join(ws.realDir, 'shadowdir/inc2/sub/v.h')],
  ]);
});

test('a hit after no change: nothing changed, with the time of the latest hit', async () => {
  w('same/s.c', '#include <stdio.h>\nint s(void) { return puts("s"); }\n');
  const args = ['-c', 'same/s.c', '-o', 'same/s.o'];
  await gcc(args);
  await gcc(args);
  let out = await whyText('same/s.o');
  assert.match(out, /the last compile was a cache hit \(nothing changed\)/);
  // More identical hits change only the times, which the daemon keeps until `why` asks
  // (each `why` here also makes the daemon write what it has queued).
  await gcc(args);
  await whyText('same/s.o');
  const beforeLast = Date.now();
  await gcc(args);
  const report = await whyJson('same/s.o');
  assert.equal(report.verdict, 'nothing-changed');
  assert.deepEqual(report.compiles.map((c) => c.outcome), ['hit', 'hit']);
  assert.deepEqual(report.changes, []);
  assert.ok(Date.parse(report.compiles[1]!.at) >= beforeLast - 5, `last compile at ${report.compiles[1]!.at}, expected after ${new Date(beforeLast).toISOString()}`);
  assert.ok(Date.parse(report.compiles[0]!.at) < Date.parse(report.compiles[1]!.at));
  // Through the symlinked directory and by absolute path: the same record.
  out = await whyText(join(dir, 'same/s.o'));
  assert.match(out, /nothing changed/);
});

test('a compile that ran but was not stored says why', async () => {
  w('ns/t.h', '#define T 1\n');
  w('ns/t.c', '#include "t.h"\nint t = T;\n');
  await gcc(['-c', 'ns/t.c', '-o', 'ns/t.o']);
  w('ns/t.h', '#define T 2\nconst char *when = __TIME__;\n');
  await gcc(['-c', 'ns/t.c', '-o', 'ns/t.o']);
  const report = await whyJson('ns/t.o');
  assert.deepEqual(report.compiles.map((c) => [c.outcome, c.reason]), [['miss', undefined], ['not-stored', 'time-macro']]);
  assert.equal(report.headersCompared, false);
  assert.match(await whyText('ns/t.o'), /not stored \(time-macro\)/);
});

/** Compiles with relative arguments in `sub` (a directory of its own: another build directory, say). */
async function gccIn(sub: string, args: string[], env: NodeJS.ProcessEnv = ws.env): Promise<void> {
  const cwd = join(dir, sub);
  const r = await run('gcc', args, { cwd, env: { ...env, PWD: cwd } });
  assert.equal(r.code, 0, text(r));
}

test('the first compile at a new path is compared with the nearest entry of its direct key; without one, why says there is nothing to compare', async () => {
  for (const [sub, n] of [['near/a', 1], ['near/b', 2], ['near/c', 3]] as const) {
    w(`${sub}/n.c`, '#include "cfg.h"\n#include "more.h"\nint n = N + M;\n');
    w(`${sub}/cfg.h`, `#define N ${n}\n`);
    w(`${sub}/more.h`, `#define M ${sub === 'near/c' ? 4 : 0}\n`);
  }
  const args = ['-c', 'n.c', '-o', 'n.o'];
  await gccIn('near/a', args);
  await gccIn('near/c', args);
  await gccIn('near/b', args); // same arguments, its own cfg.h: a miss
  // Paths spelled through the symlinked $PWD print relative to it.
  const out = (await reprise(['why', 'near/b/n.o'], { ...ws.env, PWD: dir }, dir)).stdout.toString();
  assert.match(out, /the first compile recorded at this path; compared with the nearest entry stored under the same direct key/);
  assert.match(out, /the nearest entry of its key differs in:\n {2}header near\/b\/cfg\.h changed/);
  assert.doesNotMatch(out, /more\.h/, 'near/a\'s entry is nearer than near/c\'s: only cfg.h differs');
  const report = await whyJson('near/b/n.o');
  assert.equal(report.verdict, 'changed');
  assert.equal(report.headersCompared, true);
  assert.equal(report.nearest?.later, false);
  assert.deepEqual(report.changes.map((c) => [c.kind, 'path' in c ? c.path : '']), [['header-changed', join(dir, 'near/b/cfg.h')]]);
  // Other arguments: another direct key, with nothing stored under it.
  await gccIn('near/b', ['-DOTHER', ...args.slice(0, -1), 'other.o']);
  const alone = await whyText('near/b/other.o');
  assert.match(alone, /only one compile recorded, and nothing to compare it with: no other entry is stored under its direct key/);
  assert.equal((await whyJson('near/b/other.o')).verdict, 'one-compile');
});

test('a first compile at a new path whose key\'s entry is bound to another checkout: why names the entry, its directory and the reason', async () => {
  const based = createWorkspace('reprise-why-base-');
  try {
    const env = { ...based.env, REPRISE_BASE_DIR: based.dir };
    const checkout = (name: string): string => {
      const x = join(based.dir, name);
      writeSettled(x, 'f.c', 'int n = sizeof(__FILE__);\n');
      return x;
    };
    const a = checkout('a');
    const b = checkout('second-b');
    for (const x of [a, b]) {
      const r = await run('gcc', ['-c', `${x}/f.c`, '-o', 'f.o'], { cwd: x, env: { ...env, PWD: x } });
      assert.equal(r.code, 0, text(r));
    }
    const r = await reprise(['why', 'f.o'], env, b);
    assert.equal(r.code, 0, text(r));
    const out = r.stdout.toString();
    assert.match(out, new RegExp(`its entry serves only ${b}`));
    assert.match(out, new RegExp(`that entry serves only compiles in ${a}, where it was stored: a file-name expansion \\(__FILE__ or __BASE_FILE__\\) spells a path under the base dir`));
    const report = JSON.parse((await reprise(['why', 'f.o', '--json'], env, b)).stdout.toString()) as WhyReport;
    assert.deepEqual(report.changes.map((c) => c.kind), ['entry-bound']);
    assert.equal(report.compiles[0]!.boundTo?.pwd, b);
  } finally {
    based.cleanup();
  }
});

test('no record: exit 1 with a clear message; a corrupt record: a message, not a crash', async () => {
  const r = await why('nowhere/none.o');
  assert.equal(r.code, 1, text(r));
  assert.match(r.stderr.toString(), /^reprise why: nowhere\/none\.o: no record/);
  const j = await why('nowhere/none.o', '--json');
  assert.equal(j.code, 1);
  assert.equal((JSON.parse(j.stdout.toString()) as WhyReport).verdict, 'no-record');

  w('bad/b.c', 'int b;\n');
  await gcc(['-c', 'bad/b.c', '-o', 'bad/b.o']);
  await whyText('bad/b.o'); // flushed to disk
  const whyDir = join(ws.cacheDir, 'blake3', 'why');
  const docs = readdirSync(whyDir, { recursive: true }).map(String).filter((f) => /^[0-9a-f]{2}\/[0-9a-f]{62}$/.test(f));
  const mine = docs.map((f) => join(whyDir, f)).filter((f) => readFileSync(f, 'utf8').includes('bad/b.o'));
  assert.equal(mine.length, 1);
  writeFileSync(mine[0]!, '{"schema":1,"output":');
  const c = await why('bad/b.o');
  assert.equal(c.code, 1, text(c));
  assert.match(c.stderr.toString(), /^reprise why: bad\/b\.o: the record was corrupt and has been deleted/);
  assert.doesNotMatch(c.stderr.toString(), /at |Error/);
  // The next compile starts a new record.
  await gcc(['-c', 'bad/b.c', '-o', 'bad/b.o']);
  assert.match(await whyText('bad/b.o'), /only one compile recorded/);
});

test('records outlive the daemon: why reads them with no daemon running', async () => {
  w('stop/p.c', 'int p;\n');
  const args = ['-c', 'stop/p.c', '-o', 'stop/p.o'];
  await gcc(args);
  await gcc(args);
  await gcc(args);
  await whyText('stop/p.o'); // the daemon writes what it has queued
  const beforeLast = Date.now();
  await gcc(args); // the same as the one before: only its time is new, kept in memory
  const r = await reprise(['daemon', 'stop'], ws.env);
  assert.equal(r.code, 0, text(r));
  const report = await whyJson('stop/p.o');
  assert.deepEqual(report.compiles.map((c) => c.outcome), ['hit', 'hit']);
  assert.equal(report.verdict, 'nothing-changed');
  assert.ok(Date.parse(report.compiles[1]!.at) >= beforeLast - 5, 'the daemon wrote the latest time when it stopped');
});
