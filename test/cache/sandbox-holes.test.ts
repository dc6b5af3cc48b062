// The holes of docs/trust-model.md that the sandbox and the include probes close, each a
// real compile through the shim and daemon: no stale hit, a named counter, and always the
// bare compiler's bytes. Each keying hole runs with the sandbox and without it
// (REPRISE_SANDBOX=off), since the sandbox cannot see a file that is missing.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import test, { type TestContext } from 'node:test';
import { reprise, stats } from '../helpers/reprise-cli.js';
import { run, text, type RunResult } from '../helpers/run.js';
import { createWorkspace } from '../helpers/workspace.js';
import { writeSettled } from '../helpers/write-settled.js';

type Outcome = 'hit' | 'miss' | 'uncacheable' | 'none';

/** One daemon with its own cache, started with `daemonEnv`, and the helpers the tests use on it. */
function harness(daemonEnv: NodeJS.ProcessEnv) {
  const ws = createWorkspace();
  const env = { ...ws.env, ...daemonEnv };
  const dir = ws.dir;
  const counts = async (tool: string) => {
    const s = await stats(env);
    const t = s.tools[tool];
    return { hit: t?.['direct-hit'] ?? 0, miss: t?.miss ?? 0, uncacheable: t?.uncacheable ?? 0, reasons: s.uncacheableReasons };
  };
  return {
    ws,
    env,
    dir,
    w: (name: string, content: string | Buffer): void => {
      if (typeof content === 'string') return writeSettled(dir, name, content);
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), content);
      const until = Date.now() + 20; // as writeSettled does
      while (Date.now() < until);
    },
    /** A compile through the shim: which counter it moved, and by which uncacheable reason. */
    async compile(args: string[], cwd = dir): Promise<{ r: RunResult; outcome: Outcome; reason?: string }> {
      const tool = args[0]!;
      const before = await counts(tool);
      const r = await run(tool, args.slice(1), { cwd, env });
      const after = await counts(tool);
      const outcome: Outcome = after.hit > before.hit ? 'hit' : after.miss > before.miss ? 'miss' : after.uncacheable > before.uncacheable ? 'uncacheable' : 'none';
      const reason = Object.keys(after.reasons).find((k) => (after.reasons[k] ?? 0) > (before.reasons[k] ?? 0));
      return { r, outcome, ...(reason ? { reason } : {}) };
    },
    bare: (args: string[], cwd = dir): Promise<RunResult> => run(args[0]!, args.slice(1), { cwd, env: { ...ws.bareEnv, ...daemonEnv } }),
    /** Every action result in the store. */
    actionResults(): Array<{ outputs: Array<{ path: string }>; sandboxed?: boolean }> {
      const ac = join(ws.cacheDir, 'blake3', 'ac');
      if (!existsSync(ac)) return [];
      return readdirSync(ac).flatMap((sub) => readdirSync(join(ac, sub)).map((f) => JSON.parse(readFileSync(join(ac, sub, f), 'utf8')) as { outputs: Array<{ path: string }>; sandboxed?: boolean }));
    },
    daemonLog: (): string => readFileSync(join(ws.runtimeDir, 'daemon.log'), 'utf8'),
  };
}
type Harness = ReturnType<typeof harness>;

const sandboxed = harness({});
// No bubblewrap at all, and the user accepts unchecked results.
const unsandboxed = harness({ REPRISE_BWRAP: '/nonexistent', REPRISE_SANDBOX: 'off' });
const modes: Array<[string, Harness]> = [['sandbox', sandboxed], ['REPRISE_SANDBOX=off', unsandboxed]];
test.after(() => {
  sandboxed.ws.cleanup();
  unsandboxed.ws.cleanup();
});

/**
 * Compiles through the shim, then bare with the same arguments: same exit, output and
 * bytes of `out` (the bare run's bytes are the truth), and the outcome expected.
 */
async function step(h: Harness, args: string[], out: string, want: Outcome | ((o: Outcome) => boolean), cwd = h.dir): Promise<{ outcome: Outcome; reason?: string; obj: Buffer }> {
  const c = await h.compile(args, cwd);
  assert.equal(c.r.code, 0, text(c.r));
  const obj = readFileSync(join(cwd, out));
  const b = await h.bare(args, cwd);
  assert.equal(b.code, 0, text(b));
  assert.equal(text(c.r), text(b), 'the caller sees what the bare compiler prints');
  assert.ok(obj.equals(readFileSync(join(cwd, out))), `${out} is the bare compiler's (outcome ${c.outcome})`);
  if (typeof want === 'function') assert.ok(want(c.outcome), `unexpected outcome ${c.outcome}`);
  else assert.equal(c.outcome, want, `outcome (reason ${c.reason ?? 'none'})`);
  return { outcome: c.outcome, ...(c.reason ? { reason: c.reason } : {}), obj };
}
const notHit = (o: Outcome): boolean => o !== 'hit';
/** Inputs written less than 10 ms before a compile starts count as changed during it. */
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 50));

for (const cc of ['gcc', 'clang']) {
  test(`${cc}: .incbin in inline asm: no depfile names the file, the lookup trace does, so it is keyed; an edit of it is a miss`, async () => {
    const h = sandboxed;
    const d = `incbin-${cc}`;
    const blob = randomBytes(64);
    h.w(`${d}/data.bin`, blob);
    // The assembler opens .incbin paths from the working directory; no depfile names them.
    h.w(`${d}/u.c`, `asm(".section .rodata\\n.globl blob\\nblob: .incbin \\"${d}/data.bin\\"\\n");\nint u = 1;\n`);
    const args = [cc, '-c', `${d}/u.c`, '-o', `${d}/u.o`];
    const first = await step(h, args, `${d}/u.o`, 'miss');
    assert.ok(first.obj.includes(blob), 'the object holds the data');
    await step(h, args, `${d}/u.o`, 'hit');
    const blob2 = randomBytes(64); // the same size
    h.w(`${d}/data.bin`, blob2);
    await settle();
    const s = await step(h, args, `${d}/u.o`, 'miss');
    assert.ok(s.obj.includes(blob2), 'the new data, not a stale object');
  });

}

test('assembler sources: .s is not cached (not-preprocessed); .S with .incbin is keyed through the trace', async () => {
  const h = sandboxed;
  const blob = randomBytes(32);
  h.w('asm/data.bin', blob);
  const body = '.section .rodata\n.globl blob\nblob: .incbin "asm/data.bin"\n';
  h.w('asm/plain.s', body);
  h.w('asm/cpp.S', `#define UNUSED 1\n${body}`);
  const plain = await step(h, ['gcc', '-c', 'asm/plain.s', '-o', 'asm/plain.o'], 'asm/plain.o', 'uncacheable');
  assert.equal(plain.reason, 'not-preprocessed');
  const cpp = await step(h, ['gcc', '-c', 'asm/cpp.S', '-o', 'asm/cpp.o'], 'asm/cpp.o', 'miss');
  assert.ok(cpp.obj.includes(blob));
  h.w('asm/data.bin', randomBytes(32));
  await settle();
  await step(h, ['gcc', '-c', 'asm/cpp.S', '-o', 'asm/cpp.o'], 'asm/cpp.o', 'miss');
});

for (const [mode, h] of modes) {
  for (const cc of ['gcc', 'clang']) {
    test(`${cc}, ${mode}: __has_include of a header never #included: deleting or creating it is a miss with the right bytes`, async () => {
      const d = `has-${cc}-${mode.replace(/\W/g, '')}`;
      h.w(`${d}/inc/x.h`, '#define UNUSED_X 1\n');
      h.w(`${d}/h.c`, '#if __has_include("x.h")\nint x = 1;\n#else\nint x = 2;\n#endif\n#if __has_include(<y.h>)\nint y = 1;\n#else\nint y = 2;\n#endif\n');
      const args = [cc, `-I${d}/inc`, '-c', `${d}/h.c`, '-o', `${d}/h.o`];
      // The hole: gcc's own dependency list does not name what __has_include found (clang 14's does).
      const deps = await h.bare([cc, `-I${d}/inc`, '-M', `${d}/h.c`]);
      if (cc === 'gcc') assert.doesNotMatch(deps.stdout.toString(), /x\.h/);
      await step(h, args, `${d}/h.o`, 'miss');
      const first = await step(h, args, `${d}/h.o`, 'hit');
      rmSync(join(h.dir, `${d}/inc/x.h`));
      await settle();
      const gone = await step(h, args, `${d}/h.o`, 'miss');
      assert.ok(!gone.obj.equals(first.obj), 'x.h gone changes the object');
      await step(h, args, `${d}/h.o`, 'hit');
      h.w(`${d}/inc/y.h`, '#define UNUSED_Y 1\n');
      await settle();
      await step(h, args, `${d}/h.o`, 'miss');
      h.w(`${d}/inc/x.h`, '#define UNUSED_X 1\n');
      await settle();
      await step(h, args, `${d}/h.o`, 'miss');
    });
  }
}

for (const cc of ['gcc', 'clang']) {
  test(`${cc}, sandbox: __has_include with a macro argument (fmt's FMT_HAS_INCLUDE): the trace shows what it searched; deleting or creating a header it asks about is a miss with the right bytes`, async () => {
    const h = sandboxed;
    const d = `has-macro-${cc}`;
    h.w(`${d}/inc/x.h`, '#define UNUSED_X 1\n');
    // Both spellings through macros, as fmt's core.h and others wrap it: a name macro, and a function-like wrapper.
    h.w(`${d}/m.c`, '#define NAME "x.h"\n#define HAS(x) __has_include(x)\n#if __has_include(NAME)\nint x = 1;\n#else\nint x = 2;\n#endif\n#if HAS(<y.h>)\nint y = 1;\n#else\nint y = 2;\n#endif\n');
    const args = [cc, `-I${d}/inc`, '-c', `${d}/m.c`, '-o', `${d}/m.o`];
    const miss = (o: Outcome): boolean => o === 'miss';
    const first = await step(h, args, `${d}/m.o`, miss);
    await step(h, args, `${d}/m.o`, 'hit');
    rmSync(join(h.dir, `${d}/inc/x.h`));
    await settle();
    const gone = await step(h, args, `${d}/m.o`, miss);
    assert.ok(!gone.obj.equals(first.obj), 'x.h gone changes the object');
    await step(h, args, `${d}/m.o`, 'hit');
    // y.h where <y.h> finds it first, and x.h again: each answer changes, and neither is served stale.
    h.w(`${d}/inc/y.h`, '#define UNUSED_Y 1\n');
    await settle();
    await step(h, args, `${d}/m.o`, miss);
    h.w(`${d}/x.h`, '#define UNUSED_X 1\n'); // beside the source, where "x.h" is searched first
    await settle();
    await step(h, args, `${d}/m.o`, miss);
    await step(h, args, `${d}/m.o`, 'hit');
  });
}

test('#include_next <w.h> is not a computed include: a copy of a header in its directory, where nothing searches, leaves the compile cacheable', async () => {
  // libyaml built with libyaml-dev installed: <limits.h>'s `# include_next <limits.h>` was read as
  // `#include _next...`, so every header's name was taken as a candidate beside it, and
  // /usr/include/yaml.h, the installed copy of the project's own, made it twin-inputs.
  const h = sandboxed;
  const d = 'next-not-computed';
  h.w(`${d}/inc/a.h`, '#define A 1\n');
  h.w(`${d}/sub/a.h`, '#define A 1\n'); // the same bytes, in the directory of the file that does #include_next
  h.w(`${d}/sub/w.h`, '#include_next <w.h>\n');
  h.w(`${d}/next/w.h`, '#define W 2\n');
  h.w(`${d}/m.c`, '#include <a.h>\n#include <w.h>\nint x = A + W;\n');
  const args = ['gcc', `-I${d}/inc`, `-I${d}/sub`, `-I${d}/next`, '-c', `${d}/m.c`, '-o', `${d}/m.o`];
  await step(h, args, `${d}/m.o`, 'miss');
  await step(h, args, `${d}/m.o`, 'hit');
  // What does matter still does: a w.h where the search resumes comes first.
  h.w(`${d}/sub2/w.h`, '#define W 3\n');
  const moved = ['gcc', `-I${d}/inc`, `-I${d}/sub`, `-I${d}/sub2`, `-I${d}/next`, '-c', `${d}/m.c`, '-o', `${d}/m.o`];
  const other = await step(h, moved, `${d}/m.o`, 'miss');
  await step(h, moved, `${d}/m.o`, 'hit');
  rmSync(join(h.dir, `${d}/sub2/w.h`));
  await settle();
  const back = await step(h, moved, `${d}/m.o`, 'miss');
  assert.ok(!back.obj.equals(other.obj), 'W is 2 again');
});

test('__has_include with a macro argument, REPRISE_SANDBOX=off: without a trace what it probes is unknown, so it is never stored', async () => {
  const h = unsandboxed;
  h.w('has-macro/inc/x.h', '#define UNUSED 1\n');
  h.w('has-macro/m.c', '#define NAME "x.h"\n#if __has_include(NAME)\nint x = 1;\n#else\nint x = 2;\n#endif\n');
  const args = ['gcc', '-Ihas-macro/inc', '-c', 'has-macro/m.c', '-o', 'has-macro/m.o'];
  for (let i = 0; i < 2; i++) assert.equal((await step(h, args, 'has-macro/m.o', 'uncacheable')).reason, 'computed-has-include');
  rmSync(join(h.dir, 'has-macro/inc/x.h'));
  await settle();
  await step(h, args, 'has-macro/m.o', 'uncacheable');
});

for (const cc of ['gcc', 'clang']) {
  test(`${cc}: #embed of a file: never a stale hit (skipped where the compiler lacks #embed)`, async (t: TestContext) => {
    const h = sandboxed;
    const d = `embed-${cc}`;
    h.w(`${d}/e.bin`, Buffer.from('embedded-1'));
    h.w(`${d}/e.c`, `const char e[] = {\n#embed "e.bin"\n};\n`);
    const args = [cc, '-c', `${d}/e.c`, '-o', `${d}/e.o`];
    const probe = await h.bare(args);
    if (probe.code !== 0) {
      // The one allowed skip: gcc 12 and clang 14 (Debian 12) have no #embed (gcc 15, clang 19 do).
      t.skip(`${cc} does not support #embed here: ${probe.stderr.toString().split('\n').find((l) => /error/.test(l))?.trim() ?? `exit ${probe.code}`}`);
      return;
    }
    // Either the depfile declares the file (a miss), or the sandbox catches the read.
    const first = await step(h, args, `${d}/e.o`, (o) => o === 'miss' || o === 'uncacheable');
    if (first.outcome === 'uncacheable') assert.equal(first.reason, 'sandbox-violation');
    h.w(`${d}/e.bin`, Buffer.from('embedded-2'));
    await settle();
    const second = await step(h, args, `${d}/e.o`, notHit);
    assert.ok(second.obj.includes(Buffer.from('embedded-2')));
  });
}

for (const [mode, h] of modes) {
  for (const cc of ['gcc', 'clang']) {
    test(`${cc}, ${mode}: a header reached through a symlink: retargeting the link or editing its target is a miss`, async () => {
      const d = `symlink-${cc}-${mode.replace(/\W/g, '')}`;
      h.w(`${d}/real/h.h`, '#define H 1\n');
      h.w(`${d}/real2/h.h`, '#define H 2\n');
      mkdirSync(join(h.dir, `${d}/inc`), { recursive: true });
      symlinkSync('../real/h.h', join(h.dir, `${d}/inc/h.h`));
      h.w(`${d}/s.c`, '#include "h.h"\nint h = H;\n');
      const args = [cc, `-I${d}/inc`, '-c', `${d}/s.c`, '-o', `${d}/s.o`];
      await settle();
      await step(h, args, `${d}/s.o`, 'miss');
      await step(h, args, `${d}/s.o`, 'hit');
      rmSync(join(h.dir, `${d}/inc/h.h`));
      symlinkSync('../real2/h.h', join(h.dir, `${d}/inc/h.h`));
      await settle();
      await step(h, args, `${d}/s.o`, 'miss');
      await step(h, args, `${d}/s.o`, 'hit');
      h.w(`${d}/real2/h.h`, '#define H 3\n');
      await settle();
      await step(h, args, `${d}/s.o`, 'miss');
      // A link to a directory on the search path, retargeted.
      h.w(`${d}/dirA/v.h`, '#define V 1\n');
      h.w(`${d}/dirB/v.h`, '#define V 2\n');
      symlinkSync('dirA', join(h.dir, `${d}/vlink`));
      h.w(`${d}/v.c`, '#include <v.h>\nint v = V;\n');
      const vargs = [cc, `-I${d}/vlink`, '-c', `${d}/v.c`, '-o', `${d}/v.o`];
      await settle();
      await step(h, vargs, `${d}/v.o`, 'miss');
      await step(h, vargs, `${d}/v.o`, 'hit');
      rmSync(join(h.dir, `${d}/vlink`));
      symlinkSync('dirB', join(h.dir, `${d}/vlink`));
      await settle();
      await step(h, vargs, `${d}/v.o`, 'miss');
    });
  }

  test(`gcc, ${mode}: "link/../x.h" where link is a directory symlink: the kernel's x.h, never the lexical one; counted dotdot-past-symlink`, async () => {
    const d = `dotdot-${mode.replace(/\W/g, '')}`;
    h.w(`${d}/proj/x.h`, '#define X 10\n'); // where link/../x.h points lexically
    h.w(`${d}/elsewhere/x.h`, '#define X 20\n'); // where the kernel finds it
    mkdirSync(join(h.dir, `${d}/elsewhere/sub`));
    symlinkSync('../elsewhere/sub', join(h.dir, `${d}/proj/link`));
    h.w(`${d}/proj/s.c`, '#include "link/../x.h"\nint x = X;\n');
    const cwd = join(h.dir, `${d}/proj`);
    const args = ['gcc', '-c', 's.c', '-o', 's.o'];
    await settle();
    for (let i = 0; i < 2; i++) {
      const s = await step(h, args, 's.o', 'uncacheable', cwd);
      assert.equal(s.reason, 'dotdot-past-symlink');
    }
    h.w(`${d}/elsewhere/x.h`, '#define X 21\n');
    await settle();
    assert.equal((await step(h, args, 's.o', 'uncacheable', cwd)).reason, 'dotdot-past-symlink');
  });

  test(`gcc, ${mode}: -Ilink/.. where link is a directory symlink: a header created where the kernel looks is never missed`, async () => {
    const d = `dotdot-dir-${mode.replace(/\W/g, '')}`;
    h.w(`${d}/proj/inc2/x.h`, '#define X 2\n');
    mkdirSync(join(h.dir, `${d}/elsewhere/sub`), { recursive: true });
    symlinkSync('../elsewhere/sub', join(h.dir, `${d}/proj/link`));
    h.w(`${d}/proj/s.c`, '#include <x.h>\nint x = X;\n');
    const cwd = join(h.dir, `${d}/proj`);
    const args = ['gcc', '-Ilink/..', '-Iinc2', '-c', 's.c', '-o', 's.o'];
    await settle();
    const first = await step(h, args, 's.o', 'uncacheable', cwd);
    assert.equal(first.reason, 'dotdot-past-symlink');
    // gcc searches elsewhere/ (link/..) before inc2/: a stale hit here would keep X 2.
    h.w(`${d}/elsewhere/x.h`, '#define X 9\n');
    await settle();
    const s = await step(h, args, 's.o', 'uncacheable', cwd);
    assert.ok(!s.obj.equals(first.obj));
  });

  test(`gcc, ${mode}: __has_include(<../x.h>) through a search directory nothing is read from: answered as on the host`, async () => {
    const d = `has-climb-${mode.replace(/\W/g, '')}`;
    mkdirSync(join(h.dir, `${d}/inc2`), { recursive: true });
    h.w(`${d}/x.h`, '#define UNUSED 1\n'); // inc2/../x.h: the sandbox must have inc2/ for the kernel to get there
    h.w(`${d}/s.c`, '#if __has_include(<../x.h>)\nint x = 1;\n#else\nint x = 2;\n#endif\n');
    const cwd = join(h.dir, d);
    const args = ['gcc', '-Iinc2', '-c', 's.c', '-o', 's.o'];
    await settle();
    const present = await step(h, args, 's.o', 'miss', cwd);
    await step(h, args, 's.o', 'hit', cwd);
    rmSync(join(cwd, 'x.h'));
    await settle();
    const absent = await step(h, args, 's.o', 'miss', cwd);
    assert.ok(!absent.obj.equals(present.obj));
  });

  test(`gcc, ${mode}: #include <../x.h> found through a later -I directory: the same name created through an earlier one is a miss`, async () => {
    const d = `climb-${mode.replace(/\W/g, '')}`;
    mkdirSync(join(h.dir, `${d}/a/inc1`), { recursive: true });
    h.w(`${d}/inc2/y.h`, '#define Y 1\n');
    h.w(`${d}/x.h`, '#define X 1\n'); // inc2/../x.h
    h.w(`${d}/s.c`, '#include <../x.h>\nint x = X;\n');
    h.w(`${d}/q.c`, '#include "../x.h"\nint x = X;\n'); // quoted: not beside s.c's directory, so also searched in the chain
    const cwd = join(h.dir, d);
    for (const src of ['s.c', 'q.c']) {
      rmSync(join(cwd, 'a/x.h'), { force: true });
      await settle();
      const args = ['gcc', '-Ia/inc1', '-Iinc2', '-c', src, '-o', 'out.o'];
      await step(h, args, 'out.o', 'miss', cwd);
      const before = await step(h, args, 'out.o', 'hit', cwd);
      h.w(`${d}/a/x.h`, '#define X 5\n'); // a/inc1/../x.h: gcc now reads this one
      await settle();
      const after = await step(h, args, 'out.o', 'miss', cwd);
      assert.ok(!after.obj.equals(before.obj));
      await step(h, args, 'out.o', 'hit', cwd);
    }
  });
}

for (const [mode, h] of modes) {
  test(`gcc, ${mode}: -Wmissing-include-dirs: an include directory nothing is read from exists in the sandbox, so the warnings are the bare compiler's`, async () => {
    mkdirSync(join(h.dir, 'missing-dirs/empty'), { recursive: true });
    h.w('missing-dirs/s.c', 'int s;\n');
    const args = ['gcc', '-Wmissing-include-dirs', '-Imissing-dirs/empty', '-Imissing-dirs/nothere', '-c', 'missing-dirs/s.c', '-o', 'missing-dirs/s.o'];
    await settle();
    await step(h, args, 'missing-dirs/s.o', 'miss');
    await step(h, args, 'missing-dirs/s.o', 'hit');
  });
}

for (const [mode, h] of modes) {
  test(`gcc, ${mode}: #pragma GCC dependency: whether gcc warns depends on mtimes, so it is never stored`, async () => {
    const d = `pragma-${mode.replace(/\W/g, '')}`;
    h.w(`${d}/dep.txt`, 'x\n');
    h.w(`${d}/s.c`, '#pragma GCC dependency "dep.txt"\nint s;\n');
    const cwd = join(h.dir, d);
    const old = Date.now() / 1000 - 100;
    utimesSync(join(cwd, 'dep.txt'), old, old); // older than s.c: no warning
    await settle();
    const args = ['gcc', '-Werror', '-c', 's.c', '-o', 's.o'];
    for (let i = 0; i < 2; i++) assert.equal((await step(h, args, 's.o', 'uncacheable', cwd)).reason, 'pragma-dependency');
    const future = Date.now() / 1000 + 100;
    utimesSync(join(cwd, 'dep.txt'), future, future); // same bytes, newer than s.c: now an error
    const c = await h.compile(args, cwd);
    const b = await h.bare(args, cwd);
    assert.equal(b.code, 1, text(b));
    assert.equal(text(c.r), text(b));
  });
}

test('no sandbox (REPRISE_BWRAP=/nonexistent): compiles work, counted sandbox-unavailable, nothing stored; doctor says so', async () => {
  const h = harness({ REPRISE_BWRAP: '/nonexistent' });
  try {
    h.w('u/u.c', 'int u = 1;\n');
    const args = ['gcc', '-c', 'u/u.c', '-o', 'u/u.o'];
    for (let i = 0; i < 2; i++) {
      const s = await step(h, args, 'u/u.o', 'uncacheable');
      assert.equal(s.reason, 'sandbox-unavailable');
    }
    assert.equal(h.actionResults().length, 0, 'nothing stored');
    const doctor = await reprise(['doctor'], h.env);
    assert.equal(doctor.code, 1, text(doctor));
    assert.match(doctor.stdout.toString(), /^fail\s+sandbox unavailable: .*nothing is stored$/m);
  } finally {
    h.ws.cleanup();
  }
});

test('REPRISE_SANDBOX=off (and no bubblewrap): stored, a hit next time, the action result says sandboxed: false; with the sandbox it says true', async () => {
  for (const [h, want] of [[unsandboxed, false], [sandboxed, true]] as const) {
    const out = `mark-${String(want)}/o.o`;
    h.w(`mark-${String(want)}/o.c`, 'int o = 1;\n');
    const args = ['gcc', '-c', `mark-${String(want)}/o.c`, '-o', out];
    await step(h, args, out, 'miss');
    await step(h, args, out, 'hit');
    const results = h.actionResults().filter((r) => r.outputs.some((o) => o.path === out));
    assert.equal(results.length, 1);
    assert.equal(results[0]!.sandboxed, want);
  }
  const doctor = await reprise(['doctor'], unsandboxed.env);
  assert.match(doctor.stdout.toString(), /^warn\s+REPRISE_SANDBOX=off: /m);
});
