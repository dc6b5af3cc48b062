// Verify mode through the real shim, daemon, sandbox and gcc: a clean build verifies with
// no mismatch, a poisoned store entry is reported by file with its hint, gcc's own
// nondeterminism (--coverage stamps) is told apart, and a hit that cannot be verified is
// counted, never passed silently.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import type { VerifyReport } from '../../src/verify/types.js';
import { reprise, stats } from '../helpers/reprise-cli.js';
import { run, text } from '../helpers/run.js';
import { projectOutputs, writeSmallProject } from '../helpers/small-project.js';
import { createWorkspace } from '../helpers/workspace.js';
import { poisonEntry } from '../helpers/poison-entry.js';
import { writeSettled } from '../helpers/write-settled.js';

const ws = createWorkspace();
test.after(() => ws.cleanup());
const dir = ws.dir;
const store = join(ws.cacheDir, 'blake3');

async function verify(cmd: string[], env: NodeJS.ProcessEnv = {}, cwd = dir): Promise<{ code: number | null; report: VerifyReport; out: string }> {
  const r = await reprise(['verify', '--json', '--', ...cmd], { ...ws.bareEnv, ...env }, cwd);
  const out = r.stdout.toString();
  const json = out.slice(out.lastIndexOf('\n{\n') + 1);
  return { code: r.code, report: JSON.parse(json) as VerifyReport, out: text(r) };
}

async function compile(args: string[]): Promise<void> {
  const r = await run(args[0]!, args.slice(1), { cwd: dir, env: ws.env });
  assert.equal(r.code, 0, text(r));
}

test('a clean rebuild under reprise verify: every hit compiled again, byte-identical, exit 0', async () => {
  const proj = join(dir, 'proj');
  writeSmallProject(proj);
  await new Promise((r) => setTimeout(r, 50));
  // -MD: the depfile each hit renders for its caller is compared with the one gcc writes.
  const make = ['make', '-j2', 'CC=gcc', 'CFLAGS=-O2 -g -Wall -MD'];
  const cold = await run('make', make.slice(1), { cwd: proj, env: ws.env });
  assert.equal(cold.code, 0, text(cold));
  const expected = projectOutputs(proj);
  await run('make', ['clean'], { cwd: proj });
  const before = await stats(ws.env);
  const v = await verify(make, {}, proj);
  assert.equal(v.code, 0, v.out);
  assert.deepEqual(v.report, { schema: 1, status: 0, hits: 9, verified: 9, mismatched: 0, skipped: 0, mismatches: [], unreadable: [] });
  assert.deepEqual(projectOutputs(proj), expected);
  const after = await stats(ws.env);
  assert.equal(after.cache.verified - before.cache.verified, 9);
  assert.equal(after.cache['verify-mismatch'], 0);
  // The human report says the same.
  await run('make', ['clean'], { cwd: proj });
  const human = await reprise(['verify', '--', ...make], ws.bareEnv, proj);
  assert.equal(human.code, 0, text(human));
  assert.match(human.stdout.toString(), /^reprise verify: 9 hits, 9 compiled again and compared: 0 mismatches$/m);
});

test('a poisoned entry (another valid object, digests updated to match) is a mismatch naming the file', async () => {
  writeSettled(dir, 'poison/a.c', 'int a(int x) { return x + 1; }\n');
  writeSettled(dir, 'poison/b.c', 'int b(int x) { return x * 7; }\n');
  const args = ['gcc', '-O2', '-c', 'poison/a.c', '-o', 'poison/a.o'];
  await compile(args);
  const good = readFileSync(join(dir, 'poison/a.o'));
  const bare = await run('gcc', ['-O2', '-c', 'poison/b.c', '-o', 'poison/b.o'], { cwd: dir, env: ws.bareEnv });
  assert.equal(bare.code, 0, text(bare));
  const other = readFileSync(join(dir, 'poison/b.o'));
  // The daemon keeps recent results in memory: stop it, then poison the files on disk.
  await reprise(['daemon', 'stop'], ws.env);
  assert.equal(poisonEntry(store, good, other), 1, 'one stored result holds a.o');

  const v = await verify(args);
  assert.equal(v.code, 1, v.out);
  assert.equal(v.report.hits, 1, v.out);
  assert.equal(v.report.mismatched, 1);
  const m = v.report.mismatches[0]!;
  assert.equal(m.file, join(ws.realDir, 'poison/a.o'));
  assert.equal(m.hint, 'poisoned-entry');
  assert.deepEqual(m.differs, [{ what: 'object', path: join(ws.realDir, 'poison/a.o') }]);
  assert.equal(m.cwd, ws.realDir);
  assert.match(m.resultKey, /^[0-9a-f]{64}$/);
  // Verify reports; it does not repair: the hit served what the store held.
  assert.ok(readFileSync(join(dir, 'poison/a.o')).equals(other));
  const human = await reprise(['verify', '--', ...args], ws.bareEnv, dir);
  assert.equal(human.code, 1);
  assert.match(human.stdout.toString(), new RegExp(`^mismatch: ${join(ws.realDir, 'poison/a.o')}\n  result: ${m.resultKey}\n  differs: object \\(.*a\\.o\\)\n  hint: a poisoned entry`, 'm'));
  assert.equal((await stats(ws.env)).cache['verify-mismatch'], 2);
});

// Issue 15's reproduction, with the wrong object the old hiding fill stored (the view hid
// opt.h, so __has_include answered false) put back as that fill would have left it. Verify
// compiles the hit again over the host's own file system, where opt.h is seen, so the
// mistake shows as a mismatch; a recompile in the same hiding view would have agreed with it.
test('a fill that hid a file __has_include asks about: reprise verify -- make reports the mismatch', async () => {
  const d = join(dir, 'hidden');
  writeSettled(d, 'a.c', '#if __has_include("opt.h")\nint f(void){return 2;}\n#else\nint f(void){return 1;}\n#endif\n');
  writeSettled(d, 'Makefile', 'a.o: a.c\n\tgcc -c a.c -o a.o\n');
  const make = async (): Promise<void> => {
    const r = await run('make', [], { cwd: d, env: ws.env });
    assert.equal(r.code, 0, text(r));
  };
  await make();
  const without = readFileSync(join(d, 'a.o'));
  writeSettled(d, 'opt.h', '');
  await run('rm', ['-f', 'a.o'], { cwd: d });
  await make();
  const withOpt = readFileSync(join(d, 'a.o'));
  assert.ok(!withOpt.equals(without), 'opt.h changes the object');
  await reprise(['daemon', 'stop'], ws.env);
  assert.equal(poisonEntry(store, withOpt, without), 1, 'the entry for the state with opt.h now holds the object without it');
  await run('rm', ['-f', 'a.o'], { cwd: d });
  const v = await verify(['make'], {}, d);
  assert.equal(v.code, 1, v.out);
  assert.equal(v.report.hits, 1, v.out);
  assert.equal(v.report.mismatched, 1, v.out);
  assert.deepEqual(v.report.mismatches[0]!.differs, [{ what: 'object', path: join(ws.realDir, 'hidden/a.o') }]);
});

test("gcc's --coverage stamps differ on every compile: the hint is compiler nondeterminism", async () => {
  writeSettled(dir, 'cov/c.c', 'int f(int x) { return x ? 1 : 2; }\n');
  const args = ['gcc', '--coverage', '-c', 'cov/c.c', '-o', 'cov/c.o'];
  await compile(args);
  const v = await verify(args);
  assert.equal(v.code, 1, v.out);
  const m = v.report.mismatches[0]!;
  assert.equal(m.hint, 'compiler-nondeterminism');
  assert.deepEqual(m.differs.map((d) => d.what), ['object', 'coverage-notes']);
});

test('with the sandbox off a hit cannot be verified: counted as skipped, and reprise verify fails', async () => {
  writeSettled(dir, 'off/x.c', 'int x = 1;\n');
  const args = ['gcc', '-c', 'off/x.c', '-o', 'off/x.o'];
  await compile(args);
  await reprise(['daemon', 'stop'], ws.env);
  const v = await verify(args, { REPRISE_SANDBOX: 'off' });
  assert.equal(v.code, 1, v.out);
  assert.deepEqual([v.report.hits, v.report.verified, v.report.skipped], [1, 0, 1]);
  await reprise(['daemon', 'stop'], ws.env);
});

test('REPRISE_VERIFY_RATE=1: a plain build verifies every hit', async () => {
  writeSettled(dir, 'rate/y.c', 'int y = 2;\n');
  const args = ['gcc', '-c', 'rate/y.c', '-o', 'rate/y.o'];
  await compile(args);
  await reprise(['daemon', 'stop'], ws.env);
  const env = { ...ws.env, REPRISE_VERIFY_RATE: '1' };
  const before = await stats(env);
  const r = await run('gcc', args.slice(1), { cwd: dir, env });
  assert.equal(r.code, 0, text(r));
  const after = await stats(env);
  assert.equal(after.tools.gcc!['direct-hit'] - before.tools.gcc!['direct-hit'], 1);
  assert.equal(after.cache.verified - before.cache.verified, 1);
  await reprise(['daemon', 'stop'], ws.env);
});
