// C/C++ caching through the real shim, daemon and compilers: hits, misses, and the holes
// a compiler cache must not fall into. Assertions are on stats counters and output bytes.
import assert from 'node:assert/strict';
import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { reprise, stats } from '../helpers/reprise-cli.js';
import { run, text, type RunResult } from '../helpers/run.js';
import { projectOutputs, writeSmallProject } from '../helpers/small-project.js';
import { createWorkspace } from '../helpers/workspace.js';
import { writeSettled } from '../helpers/write-settled.js';
import { writeSlowSource } from '../helpers/slow-source.js';
import { waitFor } from '../helpers/wait.js';
import { damageBlob } from '../helpers/damage-blob.js';
import { installPaths } from '../../src/runtime/install-paths.js';

const ws = createWorkspace();
test.after(() => ws.cleanup());
const dir = ws.dir;
const w = (name: string, content: string): void => writeSettled(dir, name, content);
/** Inputs written less than 10 ms before a compile starts count as changed during it (not stored). */
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 50));
const counts = async (tool = 'gcc') => {
  const s = await stats(ws.env);
  const t = s.tools[tool];
  return { hit: t?.['direct-hit'] ?? 0, miss: t?.miss ?? 0, uncacheable: t?.uncacheable ?? 0, reasons: s.uncacheableReasons, corrupt: s.cache['corrupt-entry'] };
};
/** Runs a compile through the shim and reports which counter it moved. */
async function compile(args: string[], env: NodeJS.ProcessEnv = {}, tool = args[0]!): Promise<{ r: RunResult; outcome: 'hit' | 'miss' | 'uncacheable' | 'none' }> {
  const before = await counts(tool);
  const r = await run(args[0]!, args.slice(1), { cwd: dir, env: { ...ws.env, ...env } });
  const after = await counts(tool);
  const outcome = after.hit > before.hit ? 'hit' : after.miss > before.miss ? 'miss' : after.uncacheable > before.uncacheable ? 'uncacheable' : 'none';
  return { r, outcome };
}
async function bare(args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  return run(args[0]!, args.slice(1), { cwd: dir, env: { ...ws.bareEnv, ...env } });
}

for (const cc of ['gcc', 'g++', 'clang']) {
  test(`${cc}: cold build, then a clean rebuild all from the cache, byte-identical`, async () => {
    const proj = join(dir, `proj-${cc}`);
    writeSmallProject(proj);
    await settle();
    const make = (env: NodeJS.ProcessEnv) => run('make', ['-j2', `CC=${cc}`], { cwd: proj, env });
    const b = await make(ws.bareEnv);
    assert.equal(b.code, 0, text(b));
    const expected = projectOutputs(proj);
    await run('make', ['clean'], { cwd: proj });
    const before = await counts(cc);
    const cold = await make(ws.env);
    assert.equal(cold.code, 0, text(cold));
    assert.deepEqual(projectOutputs(proj), expected);
    const mid = await counts(cc);
    assert.equal(mid.miss - before.miss, 9, 'nine compiles stored');
    await run('make', ['clean'], { cwd: proj });
    const warm = await make(ws.env);
    assert.equal(warm.code, 0, text(warm));
    assert.equal(warm.stdout.toString(), cold.stdout.toString());
    const after = await counts(cc);
    assert.equal(after.hit - mid.hit, 9, 'every compile a hit');
    assert.equal(after.miss, mid.miss);
    assert.deepEqual(projectOutputs(proj), expected);
  });
}

test('editing one header rebuilds exactly the units that include it', async () => {
  const proj = join(dir, 'proj-edit');
  writeSmallProject(proj);
  writeFileSync(join(proj, 'extra.h'), '#define EXTRA 1\n');
  writeFileSync(join(proj, 'u3.c'), '#include "common.h"\n#include "extra.h"\nint u3(int x) { return x * SCALE + EXTRA; }\n');
  await settle();
  const make = () => run('make', ['-j2', 'CC=gcc'], { cwd: proj, env: ws.env });
  assert.equal((await make()).code, 0);
  await run('make', ['clean'], { cwd: proj });
  writeFileSync(join(proj, 'extra.h'), '#define EXTRA 2\n');
  await settle();
  const before = await counts();
  const r = await make();
  assert.equal(r.code, 0, text(r));
  const after = await counts();
  assert.equal(after.miss - before.miss, 1, 'only u3.c');
  assert.equal(after.hit - before.hit, 8);
  const prog = await run(join(proj, 'prog'), []);
  assert.equal(prog.stdout.toString().trim(), String([0, 1, 2, 3, 4, 5, 6, 7].reduce((s, i) => s + i * 3 + (i === 3 ? 2 : i), 0)));
});

test('a new header in an earlier -I directory is a miss (ccache direct mode misses this)', async () => {
  w('shadow/inc1/.keep', '');
  w('shadow/inc2/x.h', '#define V 2\n');
  w('shadow/s.c', '#include <x.h>\nint v = V;\n');
  const args = ['gcc', '-Ishadow/inc1', '-Ishadow/inc2', '-c', 'shadow/s.c', '-o', 'shadow/s.o'];
  assert.equal((await compile(args)).outcome, 'miss');
  assert.equal((await compile(args)).outcome, 'hit');
  w('shadow/inc1/x.h', '#define V 1\n');
  const c = await compile(args);
  assert.equal(c.outcome, 'miss');
  const fresh = readFileSync(join(dir, 'shadow/s.o'));
  assert.ok(fresh.equals(await bareObject(args, 'shadow/s.o')));
  // A header next to the source shadows -I for a quoted include, too.
  w('shadow/q.c', '#include "y.h"\nint y = Y;\n');
  w('shadow/inc2/y.h', '#define Y 2\n');
  const q = ['gcc', '-Ishadow/inc2', '-c', 'shadow/q.c', '-o', 'shadow/q.o'];
  assert.equal((await compile(q)).outcome, 'miss');
  w('shadow/y.h', '#define Y 3\n');
  assert.equal((await compile(q)).outcome, 'miss');
});

// A name below a missing directory is kept absent by that directory alone (include-probes.ts).
test('a new header in a directory that did not exist, below an earlier -I or as that -I itself, is a miss', async () => {
  w('newdir/inc1/.keep', '');
  w('newdir/inc2/sub/x.h', '#define V 2\n');
  w('newdir/s.c', '#include <sub/x.h>\nint v = V;\n');
  const args = ['gcc', '-Inewdir/gen', '-Inewdir/inc1', '-Inewdir/inc2', '-c', 'newdir/s.c', '-o', 'newdir/s.o'];
  assert.equal((await compile(args)).outcome, 'miss');
  assert.equal((await compile(args)).outcome, 'hit');
  w('newdir/inc1/sub/x.h', '#define V 1\n');
  assert.equal((await compile(args)).outcome, 'miss');
  assert.ok(readFileSync(join(dir, 'newdir/s.o')).equals(await bareObject(args, 'newdir/s.o')));
  assert.equal((await compile(args)).outcome, 'hit');
  w('newdir/gen/sub/x.h', '#define V 0\n');
  assert.equal((await compile(args)).outcome, 'miss');
  assert.ok(readFileSync(join(dir, 'newdir/s.o')).equals(await bareObject(args, 'newdir/s.o')));
});

// A dangling symlink's target may appear where no directory stamp of ours looks: such a
// compile is never stored, and once the target appears the object is the bare compiler's.
test('a dangling symlink where a header is searched (the name itself, or a directory on the way) is never stored', async () => {
  w('dangle/inc2/x.h', '#define X 2\n');
  w('dangle/inc2/sub/y.h', '#define Y 2\n');
  w('dangle/s.c', '#include <x.h>\n#include <sub/y.h>\nint v = X + Y;\n');
  mkdirSync(join(dir, 'dangle/inc1'), { recursive: true });
  symlinkSync('../gen/x.h', join(dir, 'dangle/inc1/x.h'));
  symlinkSync('../gendir', join(dir, 'dangle/inc1/sub'));
  await settle();
  const args = ['gcc', '-Idangle/inc1', '-Idangle/inc2', '-c', 'dangle/s.c', '-o', 'dangle/s.o'];
  const before = (await counts()).reasons['dangling-symlink-probe'] ?? 0;
  assert.equal((await compile(args)).outcome, 'uncacheable');
  assert.equal((await counts()).reasons['dangling-symlink-probe'], before + 1);
  w('dangle/gen/x.h', '#define X 1\n');
  assert.equal((await compile(args)).outcome, 'uncacheable');
  assert.ok(readFileSync(join(dir, 'dangle/s.o')).equals(await bareObject(args, 'dangle/s.o')));
  w('dangle/gendir/y.h', '#define Y 1\n');
  await compile(args);
  assert.ok(readFileSync(join(dir, 'dangle/s.o')).equals(await bareObject(args, 'dangle/s.o')));
});

// gcc passes by a directory named like the header it searches for (`src/memory/` and `<memory>`).
test('a directory where a header is searched is passed by; a file replacing it later is a miss', async () => {
  mkdirSync(join(dir, 'dirnamed/inc1/x.h'), { recursive: true });
  w('dirnamed/inc2/x.h', '#define X 2\n');
  w('dirnamed/s.c', '#include <x.h>\nint v = X;\n');
  await settle();
  const args = ['gcc', '-Idirnamed/inc1', '-Idirnamed/inc2', '-c', 'dirnamed/s.c', '-o', 'dirnamed/s.o'];
  assert.equal((await compile(args)).outcome, 'miss');
  assert.equal((await compile(args)).outcome, 'hit');
  rmSync(join(dir, 'dirnamed/inc1/x.h'), { recursive: true });
  w('dirnamed/inc1/x.h', '#define X 1\n');
  assert.equal((await compile(args)).outcome, 'miss');
  assert.ok(readFileSync(join(dir, 'dirnamed/s.o')).equals(await bareObject(args, 'dirnamed/s.o')));
});

async function bareObject(args: string[], out: string): Promise<Buffer> {
  const r = await bare(args);
  assert.equal(r.code, 0, text(r));
  return readFileSync(join(dir, out));
}

test('__has_include of a missing file: creating it later is a miss', async () => {
  w('probe/p.c', '#if __has_include("opt.h")\n#include "opt.h"\n#else\n#define OPT 0\n#endif\nint opt = OPT;\n');
  const args = ['gcc', '-c', 'probe/p.c', '-o', 'probe/p.o'];
  assert.equal((await compile(args)).outcome, 'miss');
  assert.equal((await compile(args)).outcome, 'hit');
  w('probe/opt.h', '#define OPT 7\n');
  assert.equal((await compile(args)).outcome, 'miss');
});

test('a -D change, an env change and a locale change are misses', async () => {
  w('flags/f.c', 'int f = VALUE;\n');
  const base = ['gcc', '-DVALUE=1', '-c', 'flags/f.c', '-o', 'flags/f.o'];
  assert.equal((await compile(base)).outcome, 'miss');
  assert.equal((await compile(base)).outcome, 'hit');
  assert.equal((await compile(['gcc', '-DVALUE=2', ...base.slice(2)])).outcome, 'miss');
  w('flags/cpath/cp.h', '#define CP 1\n');
  assert.equal((await compile(base, { CPATH: join(dir, 'flags/cpath') })).outcome, 'miss');
  assert.equal((await compile(base, { SOURCE_DATE_EPOCH: '1' })).outcome, 'miss');
  assert.equal((await compile(base, { LC_ALL: 'C.UTF-8' })).outcome, 'miss');
  assert.equal((await compile(base)).outcome, 'hit', 'back to the first environment');
  assert.equal((await compile(['gcc', '-DVALUE=1', '-fdiagnostics-color=never', ...base.slice(2)])).outcome, 'hit', 'colour flags do not matter');
});

test('__TIME__ in the source, a header or a -D on the command line makes the compile uncacheable', async () => {
  w('time/t.c', 'const char *t = __TIME__;\n');
  w('time/h.h', 'static const char *d = __DATE__;\n');
  w('time/u.c', '#include "h.h"\nconst char *u(void) { return d; }\n');
  w('time/s.c', 'const char *s = STAMP;\n');
  const calls = [...['time/t.c', 'time/u.c'].map((src) => ['gcc', '-c', src, '-o', src.replace('.c', '.o')]), ['gcc', '-DSTAMP=__TIME__', '-c', 'time/s.c', '-o', 'time/s.o']];
  for (const args of calls) {
    assert.equal((await compile(args)).outcome, 'uncacheable');
    assert.equal((await compile(args)).outcome, 'uncacheable');
  }
  assert.ok(((await counts()).reasons['time-macro'] ?? 0) >= 6);
});

test('depfiles, split DWARF, coverage notes and stack usage are replayed exactly', async () => {
  w('outs/o.c', '#include "o.h"\nint o(int x) { return x + O; }\n');
  w('outs/o.h', '#define O 1\n');
  const args = ['gcc', '-g', '-gsplit-dwarf', '--coverage', '-fstack-usage', '-MD', '-MF', 'outs/o.d', '-MT', 'outs/o.o', '-c', 'outs/o.c', '-o', 'outs/o.o'];
  const files = ['outs/o.o', 'outs/o.d', 'outs/o.dwo', 'outs/o.gcno', 'outs/o.su'];
  const cold = await compile(args);
  assert.equal(cold.outcome, 'miss', text(cold.r));
  const first = files.map((f) => readFileSync(join(dir, f)));
  for (const f of files) rmSync(join(dir, f));
  assert.equal((await compile(args)).outcome, 'hit');
  files.forEach((f, i) => assert.ok(readFileSync(join(dir, f)).equals(first[i]!), f));
  assert.match(readFileSync(join(dir, 'outs/o.d'), 'utf8'), /^outs\/o\.o: outs\/o\.c .*outs\/o\.h/);
});

for (const cc of ['gcc', 'clang']) test(`${cc} -MMD: cached through a -M pre-pass; its depfile is the bare one, and system headers are still inputs`, async () => {
  w(`mmd-${cc}/m.c`, '#include <sysh.h>\n#include "m.h"\nint m(void) { return M + S; }\n');
  w(`mmd-${cc}/m.h`, '#define M 1\n');
  w(`mmd-${cc}/sys/sysh.h`, '#define S 2\n');
  const args = [cc, '-isystem', `mmd-${cc}/sys`, '-MMD', '-MP', '-c', `mmd-${cc}/m.c`, '-o', `mmd-${cc}/m.o`];
  const expected = await bare(args);
  assert.equal(expected.code, 0, text(expected));
  const bareDep = readFileSync(join(dir, `mmd-${cc}/m.d`));
  assert.doesNotMatch(bareDep.toString(), /sysh\.h/); // -MMD leaves system headers out
  rmSync(join(dir, `mmd-${cc}/m.d`));
  assert.equal((await compile(args)).outcome, 'miss');
  assert.ok(readFileSync(join(dir, `mmd-${cc}/m.d`)).equals(bareDep), 'depfile written on a miss');
  rmSync(join(dir, `mmd-${cc}/m.d`));
  assert.equal((await compile(args)).outcome, 'hit');
  assert.ok(readFileSync(join(dir, `mmd-${cc}/m.d`)).equals(bareDep), 'depfile replayed on a hit');
  // The system header is not in the caller's depfile, but it is an input of the cached result.
  w(`mmd-${cc}/sys/sysh.h`, '#define S 3\n');
  await settle();
  assert.equal((await compile(args)).outcome, 'miss');
  const again = await compile(args);
  assert.equal(again.outcome, 'hit');
  const obj = readFileSync(join(dir, `mmd-${cc}/m.o`));
  assert.equal((await bare(args)).code, 0);
  assert.ok(readFileSync(join(dir, `mmd-${cc}/m.o`)).equals(obj), 'object matches the bare compile after the system header changed');
});

test('odd file names (spaces, Unicode) and -o /dev/null', async () => {
  w('odd/a b ü.h', '#define AB 1\n');
  w('odd/sp ace ü.c', '#include "a b ü.h"\nint ab = AB;\n');
  const args = ['gcc', '-MD', '-c', 'odd/sp ace ü.c', '-o', 'odd/sp ace ü.o'];
  assert.equal((await compile(args)).outcome, 'miss');
  assert.equal((await compile(args)).outcome, 'hit');
  w('odd/a b ü.h', '#define AB 2\n');
  assert.equal((await compile(args)).outcome, 'miss', 'the header behind the escaped name is tracked');
  const devnull = ['gcc', '-c', 'odd/sp ace ü.c', '-o', '/dev/null'];
  assert.equal((await compile(devnull)).r.code, 0);
  const again = await compile(devnull);
  assert.equal(again.r.code, 0);
  assert.ok(existsSync('/dev/null'));
});

test('a failing compile is not stored; its output is the bare compiler\'s', async () => {
  w('fail/bad.c', 'int main(void) { return missing; }\n');
  const args = ['gcc', '-c', 'fail/bad.c', '-o', 'fail/bad.o'];
  const b = await bare(args);
  for (let i = 0; i < 2; i++) {
    const c = await compile(args);
    assert.equal(c.outcome, 'none');
    assert.equal(text(c.r), text(b));
  }
});

test('a corrupted blob is detected, deleted and recompiled', async () => {
  w('corrupt/c.c', 'int c = 42;\n');
  const args = ['gcc', '-c', 'corrupt/c.c', '-o', 'corrupt/c.o'];
  assert.equal((await compile(args)).outcome, 'miss');
  const good = readFileSync(join(dir, 'corrupt/c.o'));
  // Counted before the damage: the daemon may find it first when it verifies the blob for a hit ticket.
  const before = await counts();
  // The object's blob is damaged in place: same inode, same size, one byte flipped.
  assert.equal(damageBlob(ws.cacheDir, good), 1);
  const c = await compile(args);
  assert.equal(c.outcome, 'miss');
  assert.equal((await counts()).corrupt, before.corrupt + 1);
  assert.ok(readFileSync(join(dir, 'corrupt/c.o')).equals(good));
  assert.equal((await compile(args)).outcome, 'hit');
});

test('concurrent identical compiles run the compiler once', async () => {
  w('flight/f.c', Array.from({ length: 400 }, (_, i) => `int f${i}(int x) { return x * ${i}; }`).join('\n'));
  const args = ['gcc', '-O2', '-c', 'flight/f.c', '-o', 'flight/f.o'];
  const before = await counts();
  const rs = await Promise.all([0, 1, 2, 3].map(() => run('gcc', args.slice(1), { cwd: dir, env: ws.env })));
  assert.ok(rs.every((r) => r.code === 0));
  const after = await counts();
  assert.equal(after.miss - before.miss, 1);
  assert.equal(after.hit - before.hit, 3);
});

test('stats show hits, misses and reasons; REPRISE_CACHE=0 stores nothing', async () => {
  const table = (await reprise(['stats'], ws.env)).stdout.toString();
  assert.match(table, /direct-hit/);
  assert.match(table, /^hit rate: \d+\.\d% of compiles \(\d+ hits, \d+ misses, \d+ not cacheable\)$/m);
  assert.match(table, /time-macro/);
  await reprise(['daemon', 'stop'], ws.env);
  w('off/o.c', 'int off;\n');
  const args = ['gcc', '-c', 'off/o.c', '-o', 'off/o.o'];
  const env = { REPRISE_CACHE: '0' };
  assert.equal((await compile(args, env)).outcome, 'uncacheable');
  assert.equal((await compile(args, env)).outcome, 'uncacheable');
  await reprise(['daemon', 'stop'], ws.env);
});

test('reprise explain prints the key inputs and says whether the cache would hit, without compiling', async () => {
  w('explain/e.c', '#include "e.h"\nint e = E;\n');
  w('explain/e.h', '#define E 1\n');
  const args = ['gcc', '-DZ=3', '-c', 'explain/e.c', '-o', 'explain/e.o'];
  const explain = async () => (await reprise(['explain', '--', ...args], ws.env, dir)).stdout.toString();
  const before = await explain();
  assert.match(before, /^\s+arg\s+-DZ=3$/m);
  assert.match(before, /^\s+source\s+explain\/e\.c [0-9a-f]{64}$/m);
  assert.match(before, /^\s+tool:cc1\s+\S+ [0-9a-f]{64}$/m);
  assert.match(before, /cache: no manifest for this key: a miss/);
  assert.ok(!existsSync(join(dir, 'explain/e.o')), 'explain compiles nothing');
  assert.equal((await compile(args)).outcome, 'miss');
  assert.match(await explain(), /cache: a hit/);
  w('explain/e.h', '#define E 2\n');
  assert.match(await explain(), /cache: a miss: none of the 1 recorded input sets matches/);
  assert.match((await reprise(['explain', '--', 'gcc', 'x.o', '-o', 'prog'], ws.env, dir)).stdout.toString(), /plan: passed through \(not-a-compile\)/);
  assert.match((await reprise(['explain', '--', 'gcc', '-c', 'a.c', 'b.c'], ws.env, dir)).stdout.toString(), /plan: not cached \(multiple-sources\)/);
});

test('reprise explain given a shim\'s path (as CMake records it) keys the compiler the shim runs, as the build did', async () => {
  w('explain-shim/s.c', '#include <stdio.h>\nint s(void) { return puts("s"); }\n');
  const rest = ['-O1', '-c', 'explain-shim/s.c', '-o', 'explain-shim/s.o'];
  assert.equal((await compile(['gcc', ...rest])).outcome, 'miss');
  const explain = async (argv: string[], env = ws.env): Promise<{ tool: string; key: string; out: string }> => {
    const r = await reprise(['explain', '--', ...argv, ...rest], env, dir);
    assert.equal(r.code, 0, text(r));
    const out = r.stdout.toString();
    return { tool: /^tool: (.*)$/m.exec(out)?.[1] ?? '', key: /^direct key: ([0-9a-f]+)$/m.exec(out)?.[1] ?? '', out };
  };
  const byName = await explain(['gcc']);
  assert.match(byName.out, /cache: a hit/);
  assert.ok(!byName.tool.startsWith(installPaths.root), `the real gcc, not a shim: ${byName.tool}`);
  // Another masquerade directory, and the shim binary in wrapper mode: the same compiler, the same key.
  const masq = join(ws.realDir, 'explain-masq');
  assert.equal((await reprise(['shims', 'install', masq], ws.env)).code, 0);
  for (const argv of [[join(installPaths.shimDir, 'gcc')], [join(masq, 'gcc')], [installPaths.shimBinary, 'gcc']]) {
    const e = await explain(argv);
    assert.ok(e.tool.startsWith(`${byName.tool} (what the shim `), `${argv.join(' ')}: ${e.tool}`);
    assert.equal(e.key, byName.key, argv.join(' '));
    assert.match(e.out, /cache: a hit/, argv.join(' '));
    assert.doesNotMatch(e.out, /reprise-shim [0-9a-f]{64}/, 'the shim is not keyed as the driver');
  }
  // Called from a shell where the shims are not on PATH, the path still finds the real gcc.
  assert.equal((await explain([join(installPaths.shimDir, 'gcc')], ws.bareEnv)).key, byName.key);
  // A real compiler's path is used as it is.
  assert.equal((await explain([byName.tool])).tool, byName.tool);
});

test('a compiler upgrade is a miss: the driver rebuilt in place, or its name retargeted to another build', async () => {
  // The drivers are scripts that run the installed gcc: a copied gcc binary would not find cc1.
  const bin = join(ws.realDir, 'upgrade-bin');
  mkdirSync(bin);
  const driver = (name: string, comment: string): void => {
    writeFileSync(join(bin, name), `#!/bin/sh\n# ${comment}\nexec ${realpathSync('/usr/bin/gcc')} "$@"\n`);
    chmodSync(join(bin, name), 0o755);
  };
  driver('gcc-a', 'build a');
  symlinkSync('gcc-a', join(bin, 'gcc'));
  const env = { PATH: `${installPaths.shimDir}:${bin}:${process.env.PATH ?? ''}` };
  w('upgrade/u.c', 'int u = 1;\n');
  const args = ['gcc', '-c', 'upgrade/u.c', '-o', 'upgrade/u.o'];
  assert.equal((await compile(args, env)).outcome, 'miss');
  assert.equal((await compile(args, env)).outcome, 'hit');
  // New bytes under the same name.
  appendFileSync(join(bin, 'gcc-a'), '# rebuilt\n');
  await settle();
  assert.equal((await compile(args, env)).outcome, 'miss');
  assert.equal((await compile(args, env)).outcome, 'hit');
  // The name now points at another build; the old one is untouched.
  driver('gcc-b', 'build b');
  rmSync(join(bin, 'gcc'));
  symlinkSync('gcc-b', join(bin, 'gcc'));
  await settle();
  assert.equal((await compile(args, env)).outcome, 'miss');
});

test('a precompiled header appearing beside the header: gcc reads it instead (no depfile says so), so that compile is not stored, and its object is bare gcc\'s', async () => {
  w('pch/p.h', '#define P 1\n');
  w('pch/u.c', '#include "p.h"\nint p = P;\n');
  const args = ['gcc', '-c', 'pch/u.c', '-o', 'pch/u.o'];
  assert.equal((await compile(args)).outcome, 'miss');
  assert.equal((await compile(args)).outcome, 'hit');
  const pch = await bare(['gcc', '-x', 'c-header', 'pch/p.h', '-o', 'pch/p.h.gch']);
  assert.equal(pch.code, 0, text(pch));
  await settle();
  assert.equal((await compile(args)).outcome, 'uncacheable');
  assert.equal((await stats(ws.env)).uncacheableReasons['precompiled-header'], 1);
  assert.ok(readFileSync(join(dir, 'pch/u.o')).equals(await bareObject(args, 'pch/u.o')));
});

test('DEPENDENCIES_OUTPUT: never cached, and gcc writes that depfile as it does bare', async () => {
  w('depenv/d.c', '#include "d.h"\nint d = D;\n');
  w('depenv/d.h', '#define D 1\n');
  const args = ['gcc', '-c', 'depenv/d.c', '-o', 'depenv/d.o'];
  const env = { DEPENDENCIES_OUTPUT: 'depenv/deps.d depenv/d.o' };
  for (let i = 0; i < 2; i++) {
    rmSync(join(dir, 'depenv/deps.d'), { force: true }); // gcc appends to it
    const c = await compile(args, env);
    assert.equal(c.outcome, 'uncacheable', text(c.r));
  }
  assert.ok((await counts()).reasons['dependency-env']! >= 2);
  const viaShim = readFileSync(join(dir, 'depenv/deps.d'));
  rmSync(join(dir, 'depenv/deps.d'));
  assert.equal((await bare(args, env)).code, 0);
  assert.equal(readFileSync(join(dir, 'depenv/deps.d'), 'utf8'), viaShim.toString());
});

test('a header edited while the compiler runs: nothing is stored, and the next call compiles again', async () => {
  mkdirSync(join(dir, 'during'), { recursive: true });
  writeSlowSource(join(dir, 'during'), 'slow.c');
  const slow = readFileSync(join(dir, 'during/slow.c'), 'utf8');
  w('during/slow.c', `#include "during.h"\nint during = DURING;\n${slow}`);
  w('during/during.h', '#define DURING 1\n');
  const args = ['gcc', '-O2', '-c', 'during/slow.c', '-o', 'during/slow.o'];
  const pending = compile(args);
  // Edit once the daemon is running the compiler.
  await waitFor('the compile to start', async () => /\b1\/\d+ jobs busy/.test((await reprise(['daemon', 'status'], ws.env)).stdout.toString()), 20_000, 10);
  writeFileSync(join(dir, 'during/during.h'), '#define DURING 2\n');
  const c = await pending;
  assert.equal(c.r.code, 0, text(c.r));
  assert.equal(c.outcome, 'uncacheable');
  assert.ok((await counts()).reasons['input-changed-during-compile']! >= 1);
  await settle();
  assert.equal((await compile(args)).outcome, 'miss');
});

test('the cache directory deleted under a running daemon: compiles still succeed, then store again', async () => {
  w('gone/g.c', '#include "g.h"\nint g = G;\n');
  w('gone/g.h', '#define G 1\n');
  const args = ['gcc', '-c', 'gone/g.c', '-o', 'gone/g.o'];
  assert.equal((await compile(args)).outcome, 'miss');
  // The daemon may write a record in there meanwhile (ENOTEMPTY): remove again, as a user would.
  for (let tries = 1; ; tries++) {
    try {
      rmSync(ws.cacheDir, { recursive: true, force: true });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOTEMPTY' || tries === 20) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const after = await compile(args);
  assert.equal(after.r.code, 0, text(after.r));
  assert.ok(readFileSync(join(dir, 'gone/g.o')).equals(await bareObject(args, 'gone/g.o')));
  assert.equal((await compile(args)).outcome, 'hit');
});
