// ghc -c (one-shot) caching through the real shim, daemon and sandbox, driven by make as
// Make- or Shake-style Haskell builds call ghc: cold, clean rebuild, a Template Haskell
// splice whose helper's body changes, a CPP header as cabal passes it (-optP-include), an
// .hs-boot cycle, a module that appears earlier on the search path, a failing compile and
// what is not cached. Every output is compared with a bare ghc build of the same tree.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { availableParallelism, tmpdir } from 'node:os';
import { reprise, stats } from '../helpers/reprise-cli.js';
import { poisonEntry } from '../helpers/poison-entry.js';
import type { VerifyReport } from '../../src/verify/types.js';
import { interfaceAbi } from '../../src/adapters/ghc/interface-abi.js';
import { run, text } from '../helpers/run.js';
import { createWorkspace } from '../helpers/workspace.js';
import { writeSettled } from '../helpers/write-settled.js';
import { assertSame, FLAGS, make, outputs, skipWithoutGhc, writeProject } from '../helpers/ghc-project.js';
import { waitFor } from '../helpers/wait.js';

const ws = createWorkspace('reprise-ghc-');
test.after(() => ws.cleanup());

const skip = await skipWithoutGhc(ws.bareEnv);

const counts = async () => {
  const s = await stats(ws.env);
  const t = s.tools.ghc;
  return { hit: t?.['direct-hit'] ?? 0, miss: t?.miss ?? 0, uncacheable: t?.uncacheable ?? 0, failed: t?.['tool-failed'] ?? 0, passed: t?.['passed-through'] ?? 0, reasons: s.uncacheableReasons };
};
type Counts = Awaited<ReturnType<typeof counts>>;
const delta = (a: Counts, b: Counts) => ({ hit: b.hit - a.hit, miss: b.miss - a.miss, uncacheable: b.uncacheable - a.uncacheable, failed: b.failed - a.failed });

/** Builds through reprise, returning what the counters moved by. */
async function cached(dir: string): Promise<ReturnType<typeof delta>> {
  const before = await counts();
  await make(dir, ws.env);
  return delta(before, await counts());
}

/** The same tree built afresh by bare ghc (no shims), elsewhere, with these variables too: what every cached build must equal. */
async function bare(dir: string, vars: Record<string, string> = {}): Promise<Map<string, string>> {
  const copy = `${dir}-bare`;
  rmSync(copy, { recursive: true, force: true });
  cpSync(dir, copy, { recursive: true });
  rmSync(join(copy, 'out'), { recursive: true, force: true });
  await make(copy, { ...ws.bareEnv, ...vars });
  return outputs(copy);
}

/** A clean build through reprise with these variables, checked against bare ghc's with the same: the counters before and after. */
async function cleanBuild(dir: string, vars: Record<string, string> = {}): Promise<{ before: Counts; after: Counts }> {
  rmSync(join(dir, 'out'), { recursive: true, force: true });
  const before = await counts();
  await make(dir, { ...ws.env, ...vars });
  const after = await counts();
  assertSame(outputs(dir), await bare(dir, vars));
  return { before, after };
}


const proj = join(ws.dir, 'p');

test('ghc -c: a cold build stores every module, a clean rebuild replays them all, byte for byte as bare ghc', { skip }, async () => {
  writeProject(proj);
  const cold = await cached(proj);
  assert.deepEqual(cold, { hit: 0, miss: 7, uncacheable: 0, failed: 0 }, `A B T C, and P.hs-boot, Q, P: ${JSON.stringify((await counts()).reasons)}`);
  const want = await bare(proj);
  assert.equal(want.size, 6 * 4 + 3, 'each module: .o .hi .dyn_o .dyn_hi; the boot module: .o-boot (empty) .hi-boot .dyn_hi-boot (and P.dyn_o, which P overwrites)');
  assertSame(outputs(proj), want);

  rmSync(join(proj, 'out'), { recursive: true });
  const warm = await cached(proj);
  assert.deepEqual(warm, { hit: 7, miss: 0, uncacheable: 0, failed: 0 });
  assertSame(outputs(proj), want);
});

test('ghc -c: a splice runs the new body of a home helper whose interface did not change', { skip }, async () => {
  const hiBefore = readFileSync(join(proj, 'out/Lib/A.hi'));
  writeSettled(proj, 'src/Lib/A.hs', readFileSync(join(proj, 'src/Lib/A.hs'), 'utf8').replace('"Gen"', '"Spliced"'));
  const d = await cached(proj);
  assert.deepEqual(readFileSync(join(proj, 'out/Lib/A.hi')), hiBefore, 'a body edit leaves the interface as it was');
  assert.deepEqual(d, { hit: 1, miss: 2, uncacheable: 0, failed: 0 }, 'A and T compile (T runs A\'s code); B, which only imports the interface, is a hit');
  const want = await bare(proj);
  assertSame(outputs(proj), want);
  const iface = await run('ghc', ['--show-iface', join(proj, 'out/Lib/T.hi')], { env: ws.bareEnv });
  assert.match(iface.stdout.toString(), /xSpliced/, 'the splice ran the new helper');
  const why = await reprise(['why', 'out/Lib/T.o'], ws.env, proj);
  assert.match(why.stdout.toString(), /input out\/Lib\/A\.dyn_o changed/, why.stdout.toString());
});

test('ghc -c: a macro from the header -optP-include names is an input', { skip }, async () => {
  writeSettled(proj, 'inc/macros.h', '#define GREETING "bonjour"\n');
  const d = await cached(proj);
  assert.deepEqual(d, { hit: 0, miss: 1, uncacheable: 0, failed: 0 }, 'only C compiles');
  assertSame(outputs(proj), await bare(proj));
  // Back to the first header: the first result is served again.
  writeSettled(proj, 'inc/macros.h', '#define GREETING "hello"\n');
  assert.deepEqual(await cached(proj), { hit: 1, miss: 0, uncacheable: 0, failed: 0 });
  assertSame(outputs(proj), await bare(proj));
});

test('ghc -c: an .hs-boot cycle: a body edit behind the boot interface compiles one module; a boot interface change compiles its importers', { skip }, async () => {
  const p = join(proj, 'src/Cyc/P.hs');
  writeSettled(proj, 'src/Cyc/P.hs', readFileSync(p, 'utf8').replace('ping n = 1 + pong n', 'ping n = 2 + pong n'));
  assert.deepEqual(await cached(proj), { hit: 0, miss: 1, uncacheable: 0, failed: 0 }, 'P only: Q sees P through its boot interface');
  assertSame(outputs(proj), await bare(proj));
  const boot = join(proj, 'src/Cyc/P.hs-boot');
  writeSettled(proj, 'src/Cyc/P.hs-boot', `${readFileSync(boot, 'utf8')}\ndata Tag = Tag\n`);
  writeSettled(proj, 'src/Cyc/P.hs', `${readFileSync(p, 'utf8').replace('module Cyc.P (ping) where', 'module Cyc.P (ping, Tag (..)) where')}\ndata Tag = Tag\n`);
  const d = await cached(proj);
  assert.deepEqual(d, { hit: 0, miss: 3, uncacheable: 0, failed: 0 }, 'the boot module, Q (its boot interface changed), and P');
  assertSame(outputs(proj), await bare(proj));
});

/**
 * X with two importers at -O: UseNum inlines `num` (its unfolding is in X's interface);
 * UseOther calls `other` (NOINLINE) and uses the constructor `Box`, whose fingerprint ghc
 * derives from its type's declaration.
 */
function writeUnfoldingProject(dir: string): void {
  const f = FLAGS.replace('-optP-include -optPinc/macros.h', '-O');
  writeSettled(dir, 'src/N/X.hs', 'module N.X (num, other, Box (..)) where\n\nnum :: Int -> Int\nnum n = n * 2\n\nother :: Int -> Int\nother n = n + 1\n{-# NOINLINE other #-}\n\ndata Box = Box Int\n');
  writeSettled(dir, 'src/N/UseNum.hs', 'module N.UseNum (useNum) where\n\nimport N.X\n\nuseNum :: Int -> Int\nuseNum = num . num\n');
  writeSettled(dir, 'src/N/UseOther.hs', 'module N.UseOther (useOther) where\n\nimport N.X\n\nuseOther :: Int -> Int\nuseOther n = case Box (other n) of Box m -> other m\n');
  writeSettled(dir, 'Makefile', [
    `F = ${f}`,
    'all: out/N/UseNum.o out/N/UseOther.o',
    'out/N/X.o: src/N/X.hs\n\tghc -c $(F) $<',
    'out/N/UseNum.o: src/N/UseNum.hs out/N/X.o\n\tghc -c $(F) $<',
    'out/N/UseOther.o: src/N/UseOther.hs out/N/X.o\n\tghc -c $(F) $<',
    '',
  ].join('\n'));
}

test('ghc -c -O: an unfolding change compiles the module and the importer that uses it; the importer of another name is served, as ghc\'s own check keeps it', { skip }, async () => {
  const dir = join(ws.dir, 'unf');
  const inc = `${dir}-incremental`;
  writeUnfoldingProject(dir);
  assert.deepEqual(await cached(dir), { hit: 0, miss: 3, uncacheable: 0, failed: 0 });
  // Bare ghc's own incremental build, beside it: the first build, then the same edit.
  rmSync(inc, { recursive: true, force: true });
  cpSync(dir, inc, { recursive: true });
  rmSync(join(inc, 'out'), { recursive: true, force: true });
  await make(inc, ws.bareEnv);
  assertSame(outputs(dir), outputs(inc));
  const edit = (d: string): void => writeSettled(d, 'src/N/X.hs', readFileSync(join(d, 'src/N/X.hs'), 'utf8').replace('num n = n * 2', 'num n = n * 3'));
  edit(dir);
  edit(inc);
  const abiBefore = interfaceAbi(readFileSync(join(dir, 'out/N/X.hi')));
  assert.deepEqual(await cached(dir), { hit: 1, miss: 2, uncacheable: 0, failed: 0 }, 'X and UseNum compile; UseOther is served');
  assert.notDeepEqual(interfaceAbi(readFileSync(join(dir, 'out/N/X.hi'))), abiBefore, 'the edit changed X\'s ABI (num\'s unfolding)');
  const r = await make(inc, ws.bareEnv);
  assert.match(text(r), /compilation IS NOT required/, 'ghc\'s own check keeps UseOther too');
  // Every output is what ghc's own incremental build leaves.
  assertSame(outputs(dir), outputs(inc));
  // Against a fresh build: UseOther's interfaces differ only in the usage of X they record
  // (X's old ABI hash), so not in what an importer sees; every object is the same.
  const fresh = await bare(dir);
  const got = outputs(dir);
  for (const [k, v] of fresh) {
    if (/^N\/UseOther\.(dyn_)?hi$/.test(k)) {
      assert.notEqual(got.get(k), v, `${k}: recorded usages differ`);
      assert.deepEqual(interfaceAbi(Buffer.from(got.get(k)!, 'base64')), interfaceAbi(Buffer.from(v, 'base64')), `${k}: what importers see is the same`);
    } else assert.ok(got.get(k) === v, `${k} differs from a fresh bare build`);
  }
  // Verify mode compiles the three hits again: UseOther's fresh interfaces promise the same.
  const v = await reprise(['verify', '--', 'make', '-B', '-j2'], ws.bareEnv, dir);
  assert.equal(v.code, 0, text(v));
  assert.match(v.stdout.toString(), /^reprise verify: 3 hits, 3 compiled again and compared: 0 mismatches$/m);
});

test('reprise verify -- make: every ghc hit compiled again in the sandbox, zero mismatches; a poisoned entry is one', { skip }, async () => {
  // A clean build first: Q's compile asks whether P's full interface exists yet, and the
  // entries so far were made with it present.
  rmSync(join(proj, 'out'), { recursive: true });
  await cached(proj);
  rmSync(join(proj, 'out'), { recursive: true });
  const r = await reprise(['verify', '--', 'make', '-j2'], ws.bareEnv, proj);
  assert.equal(r.code, 0, text(r));
  assert.match(r.stdout.toString(), /^reprise verify: 7 hits, 7 compiled again and compared: 0 mismatches$/m);
  assertSame(outputs(proj), await bare(proj));
  // B's object swapped for A's in the store, every digest made to match: only a recompile can tell.
  const good = readFileSync(join(proj, 'out/Lib/B.o'));
  const other = readFileSync(join(proj, 'out/Lib/A.o'));
  await reprise(['daemon', 'stop'], ws.env);
  assert.equal(poisonEntry(join(ws.cacheDir, 'blake3'), good, other), 1);
  rmSync(join(proj, 'out/Lib/B.o'));
  const v = await reprise(['verify', '--json', '--', 'make', '-j2'], ws.bareEnv, proj);
  assert.equal(v.code, 1, text(v));
  const out = v.stdout.toString();
  const report = JSON.parse(out.slice(out.lastIndexOf('\n{\n') + 1)) as VerifyReport;
  assert.equal(report.mismatched, 1, text(v));
  assert.equal(report.mismatches[0]!.tool, 'ghc');
  assert.equal(report.mismatches[0]!.file, join(ws.realDir, 'p', 'out/Lib/B.o'));
  // Put the store right for the tests after: the poisoned result goes, B compiles again.
  rmSync(join(ws.cacheDir, 'blake3'), { recursive: true });
  rmSync(join(proj, 'out'), { recursive: true });
  await cached(proj);
});

test('ghc -c: an interface that appears earlier on the search path is a miss, as ghc would read it', { skip }, async () => {
  const f = FLAGS.replace('-isrc -iout', '-isrc -iover -iout').split(' ');
  const compileB = async (env: NodeJS.ProcessEnv, cwd: string) => {
    const r = await run('ghc', ['-c', ...f, 'src/Lib/B.hs'], { cwd, env });
    assert.equal(r.code, 0, text(r));
  };
  await compileB(ws.env, proj);
  let before = await counts();
  await compileB(ws.env, proj);
  assert.equal((await counts()).hit - before.hit, 1, 'the same call again is a hit');
  // A different Lib.A interface in over/, which ghc searches before out/.
  const alt = join(ws.dir, 'alt');
  writeSettled(alt, 'src/Lib/A.hs', 'module Lib.A (greet, suffix, extra) where\n\ngreet :: String -> String\ngreet n = "hey " ++ n\n\nsuffix :: String -> String\nsuffix = id\n\nextra :: Int\nextra = 1\n');
  const r = await run('ghc', ['-c', ...FLAGS.split(' '), 'src/Lib/A.hs'], { cwd: alt, env: ws.bareEnv });
  assert.equal(r.code, 0, text(r));
  mkdirSync(join(proj, 'over/Lib'), { recursive: true });
  for (const e of ['hi', 'dyn_hi']) cpSync(join(alt, `out/Lib/A.${e}`), join(proj, `over/Lib/A.${e}`));
  await new Promise((res) => setTimeout(res, 30));
  before = await counts();
  await compileB(ws.env, proj);
  const after = await counts();
  assert.deepEqual(delta(before, after), { hit: 0, miss: 1, uncacheable: 0, failed: 0 });
  const cachedB = readFileSync(join(proj, 'out/Lib/B.hi'));
  rmSync(join(proj, 'out/Lib/B.hi'));
  await compileB(ws.bareEnv, proj);
  assert.deepEqual(readFileSync(join(proj, 'out/Lib/B.hi')), cachedB, 'what bare ghc makes of the tree as it is now');
  rmSync(join(proj, 'over'), { recursive: true });
});

test('ghc -c: a failing compile gives bare ghc\'s exit and messages and stores nothing', { skip }, async () => {
  writeSettled(proj, 'src/Lib/Bad.hs', 'module Lib.Bad where\n\nx :: Int\nx = "not an int"\n');
  const args = ['-c', ...FLAGS.split(' '), 'src/Lib/Bad.hs'];
  const want = await run('ghc', args, { cwd: proj, env: ws.bareEnv });
  assert.notEqual(want.code, 0);
  for (let i = 0; i < 2; i++) {
    const before = await counts();
    const got = await run('ghc', args, { cwd: proj, env: ws.env });
    assert.equal(got.code, want.code);
    assert.equal(got.stdout.toString(), want.stdout.toString());
    assert.equal(got.stderr.toString(), want.stderr.toString());
    assert.deepEqual(delta(before, await counts()), { hit: 0, miss: 0, uncacheable: 0, failed: 1 });
  }
  assert.ok(!existsSync(join(proj, 'out/Lib/Bad.o')));
});

/** Splices that walk the whole environment (a home helper's and the module's own), ones that read a variable the fill sets for itself (LD_PRELOAD, TMPDIR), and one that reads none. */
function writeEnvProject(dir: string): void {
  const th = '{-# LANGUAGE TemplateHaskell #-}\n';
  writeSettled(dir, 'src/Env.hs', `${th}module Env (myEnv) where\n\nimport Data.List (isPrefixOf, sort)\nimport Language.Haskell.TH\nimport Language.Haskell.TH.Syntax\nimport System.Environment (getEnvironment)\n\nmyEnv :: Q Exp\nmyEnv = runIO getEnvironment >>= lift . sort . filter (("MYAPP_" \`isPrefixOf\`) . fst)\n`);
  writeSettled(dir, 'src/UsesEnv.hs', `${th}module UsesEnv (vars) where\n\nimport Env\n\nvars :: [(String, String)]\nvars = $(myEnv)\n`);
  writeSettled(dir, 'src/Inline.hs', `${th}module Inline (vars) where\n\nimport Data.List (isPrefixOf)\nimport Language.Haskell.TH.Syntax\nimport System.Environment (getEnvironment)\n\nvars :: [(String, String)]\nvars = $(runIO getEnvironment >>= lift . filter (("MYAPP_" \`isPrefixOf\`) . fst))\n`);
  writeSettled(dir, 'src/Quiet.hs', `${th}module Quiet (name) where\n\nimport Language.Haskell.TH.Syntax\n\nname :: String\nname = $(lift "quiet")\n`);
  writeSettled(dir, 'src/Leak.hs', `${th}module Leak (preload) where\n\nimport Language.Haskell.TH.Syntax\nimport System.Environment (lookupEnv)\n\npreload :: Maybe String\npreload = $(runIO (lookupEnv "LD_PRELOAD") >>= lift)\n`);
  writeSettled(dir, 'src/LeakTmp.hs', `${th}module LeakTmp (tmp) where\n\nimport Language.Haskell.TH.Syntax\nimport System.Environment (lookupEnv)\n\ntmp :: Maybe String\ntmp = $(runIO (lookupEnv "TMPDIR") >>= lift)\n`);
  writeSettled(dir, 'Makefile', [
    `F = ${FLAGS}`,
    'all: out/UsesEnv.o out/Inline.o out/Quiet.o out/Leak.o out/LeakTmp.o',
    'out/Env.o: src/Env.hs\n\tghc -c $(F) $<',
    'out/UsesEnv.o: src/UsesEnv.hs out/Env.o\n\tghc -c $(F) $<',
    'out/%.o: src/%.hs\n\tghc -c $(F) $<',
    '',
  ].join('\n'));
}

test('ghc -c: a splice that walks the whole environment is keyed by all of it: a variable set, changed or unset is a miss with bare ghc\'s bytes; one that puts the fill\'s own variable in an output runs outside', { skip }, async () => {
  const dir = join(ws.dir, 'env');
  writeEnvProject(dir);
  const build = async (vars: Record<string, string>) => {
    const { before, after } = await cleanBuild(dir, vars);
    return { ...delta(before, after), unkeyedEnv: (after.reasons['unkeyed-env'] ?? 0) - (before.reasons['unkeyed-env'] ?? 0) };
  };
  // Env, UsesEnv, Inline and Quiet are stored; Leak's and LeakTmp's splices see the fill's LD_PRELOAD and TMPDIR, so they run outside.
  assert.deepEqual(await build({}), { hit: 0, miss: 4, uncacheable: 2, failed: 0, unkeyedEnv: 2 });
  assert.deepEqual(await build({}), { hit: 4, miss: 0, uncacheable: 2, failed: 0, unkeyedEnv: 2 }, 'the same environment: hits');
  // UsesEnv (a home helper's walk) and Inline (its own) see MYAPP_X; Env (no splice run) and Quiet (no walk) are hits.
  assert.deepEqual(await build({ MYAPP_X: '1' }), { hit: 2, miss: 2, uncacheable: 2, failed: 0, unkeyedEnv: 2 }, 'a variable set');
  assert.deepEqual(await build({ MYAPP_X: '2' }), { hit: 2, miss: 2, uncacheable: 2, failed: 0, unkeyedEnv: 2 }, 'a variable changed');
  assert.deepEqual(await build({ MYAPP_X: '1' }), { hit: 4, miss: 0, uncacheable: 2, failed: 0, unkeyedEnv: 2 }, 'back to an environment stored before');
  assert.deepEqual(await build({}), { hit: 4, miss: 0, uncacheable: 2, failed: 0, unkeyedEnv: 2 }, 'unset again');
  assert.deepEqual(await build({ UNRELATED_Y: 'y' }), { hit: 2, miss: 2, uncacheable: 2, failed: 0, unkeyedEnv: 2 }, 'any variable: what a walk filters is not known');
});

test('ghc -c: a header CPP includes by an absolute path under ghc\'s temporary directory, which bare ghc leaves out of the interface, gives bare ghc\'s bytes, run outside (unkeyed-env); under another $TMPDIR it is cached', { skip }, async () => {
  // ghc drops from an interface's dependent files what starts with its temporary directory; the fill's $TMPDIR is its own.
  const dir = join(ws.realDir, 'tmpinc');
  writeSettled(dir, 'inc/extra.h', '#define EXTRA "extra"\n');
  writeSettled(dir, 'src/E.hs', '{-# LANGUAGE CPP #-}\nmodule E (extra) where\n#include "extra.h"\nextra :: String\nextra = EXTRA\n');
  writeSettled(dir, 'Makefile', `all: out/E.o\nout/E.o: src/E.hs\n\tghc -c -odir out -hidir out -isrc -optP-I${join(dir, 'inc')} $<\n`);
  assert.ok(dir.startsWith(tmpdir()), 'the workspace lies under the temporary directory');
  const { before, after } = await cleanBuild(dir);
  assert.deepEqual(delta(before, after), { hit: 0, miss: 0, uncacheable: 1, failed: 0 });
  assert.equal((after.reasons['unkeyed-env'] ?? 0) - (before.reasons['unkeyed-env'] ?? 0), 1);
  // With a $TMPDIR the header does not lie under, bare ghc records it too: cached.
  const other = { TMPDIR: join(ws.realDir, 'other-tmp') };
  mkdirSync(other.TMPDIR, { recursive: true });
  const again = await cleanBuild(dir, other);
  assert.deepEqual(delta(again.before, again.after), { hit: 0, miss: 1, uncacheable: 0, failed: 0 });
  // That entry holds the $TMPDIR it was stored under: back under /tmp it is not served (its interface is not bare ghc's there).
  const back = await cleanBuild(dir);
  assert.deepEqual(delta(back.before, back.after), { hit: 0, miss: 0, uncacheable: 1, failed: 0 });
});

test('ghc -c: a splice that asks a file\'s size without reading it (getFileSize): the file is keyed by its bytes, so growing it is a miss with bare ghc\'s bytes', { skip }, async () => {
  const dir = join(ws.dir, 'stat');
  writeSettled(dir, 'data.txt', 'abc\n');
  writeSettled(dir, 'src/Size.hs', '{-# LANGUAGE TemplateHaskell #-}\nmodule Size (size) where\n\nimport Language.Haskell.TH.Syntax\nimport System.Directory (getFileSize)\n\nsize :: Integer\nsize = $(runIO (getFileSize "data.txt") >>= lift)\n');
  writeSettled(dir, 'Makefile', `F = ${FLAGS}\nall: out/Size.o\nout/%.o: src/%.hs\n\tghc -c $(F) $<\n`);
  const build = async () => {
    const { before, after } = await cleanBuild(dir);
    return delta(before, after);
  };
  assert.deepEqual(await build(), { hit: 0, miss: 1, uncacheable: 0, failed: 0 });
  assert.deepEqual(await build(), { hit: 1, miss: 0, uncacheable: 0, failed: 0 });
  writeSettled(dir, 'data.txt', 'abcdef\n');
  assert.deepEqual(await build(), { hit: 0, miss: 1, uncacheable: 0, failed: 0 }, 'a stale hit with the old size before');
});

test('ghc -c: a splice that writes a file and ignores a failure: the file is written, once, as bare ghc writes it', { skip }, async () => {
  const dir = join(ws.dir, 'quiet');
  writeSettled(dir, 'src/Quietly.hs', '{-# LANGUAGE TemplateHaskell, ScopedTypeVariables #-}\nmodule Quietly (q) where\n\nimport Control.Exception (IOException, catch)\nimport Language.Haskell.TH.Syntax\n\nq :: String\nq = $(runIO (appendFile "quiet.txt" "x\\n" `catch` \\(_ :: IOException) -> pure ()) >> lift "q")\n');
  writeSettled(dir, 'Makefile', `F = ${FLAGS}\nall: out/Quietly.o\nout/%.o: src/%.hs\n\tghc -c $(F) $<\n`);
  for (let i = 0; i < 2; i++) {
    rmSync(join(dir, 'out'), { recursive: true, force: true });
    rmSync(join(dir, 'quiet.txt'), { force: true });
    await make(dir, ws.env);
    assert.equal(readFileSync(join(dir, 'quiet.txt'), 'utf8'), 'x\n', `build ${i}: one line, as bare ghc leaves it`);
    assertSame(outputs(dir), await bare(dir));
  }
});

test('ghc -c: CPP\'s __TIME__ (in the source or a header it includes) and a splice that reads the clock (its own, or a home helper\'s) make the compile uncacheable (time-macro), as in C', { skip }, async () => {
  const dir = join(ws.dir, 'clock');
  writeSettled(dir, 'inc/macros.h', '\n');
  writeSettled(dir, 'inc/stamp.h', '#define STAMP __TIME__\n');
  writeSettled(dir, 'src/InSource.hs', '{-# LANGUAGE CPP #-}\nmodule InSource (t) where\n\nt :: String\nt = __TIME__\n');
  writeSettled(dir, 'src/InHeader.hs', '{-# LANGUAGE CPP #-}\nmodule InHeader (t) where\n\n#include "stamp.h"\n\nt :: String\nt = STAMP\n');
  const th = '{-# LANGUAGE TemplateHaskell #-}\n';
  writeSettled(dir, 'src/Stamp.hs', `${th}module Stamp (t) where\n\nimport Data.Time.Clock (getCurrentTime)\nimport Language.Haskell.TH.Syntax\n\nt :: String\nt = $(runIO getCurrentTime >>= lift . show)\n`);
  writeSettled(dir, 'src/Clock.hs', `${th}module Clock (stampQ) where\n\nimport Data.Time.Clock.POSIX (getPOSIXTime)\nimport Language.Haskell.TH\nimport Language.Haskell.TH.Syntax\n\nstampQ :: Q Exp\nstampQ = runIO getPOSIXTime >>= lift . show\n`);
  writeSettled(dir, 'src/UsesClock.hs', `${th}module UsesClock (t) where\n\nimport Clock\n\nt :: String\nt = $(stampQ)\n`);
  writeSettled(dir, 'Makefile', `F = ${FLAGS} -Iinc\nall: out/InSource.o out/InHeader.o out/Stamp.o out/UsesClock.o\nout/UsesClock.o: src/UsesClock.hs out/Clock.o\n\tghc -c $(F) $<\nout/%.o: src/%.hs\n\tghc -c $(F) $<\n`);
  for (let i = 0; i < 2; i++) {
    rmSync(join(dir, 'out'), { recursive: true, force: true });
    const before = await counts();
    await make(dir, ws.env);
    const after = await counts();
    // Clock only defines the helper: no splice runs in its compile, so it is cached.
    assert.deepEqual(delta(before, after), { hit: i, miss: 1 - i, uncacheable: 4, failed: 0 }, `build ${i}: never a hit with an earlier build's time`);
    assert.equal((after.reasons['time-macro'] ?? 0) - (before.reasons['time-macro'] ?? 0), 4);
  }
});

test('ghc -c -optc-march=native (and -optlc-mcpu=native): the host CPU is in the key, as for gcc\'s -march=native; without it, not', { skip }, async () => {
  const explain = async (extra: string[]) => {
    const r = await reprise(['explain', '--', 'ghc', '-c', ...extra, ...FLAGS.split(' '), 'src/Lib/A.hs'], ws.env, proj);
    assert.equal(r.code, 0, text(r));
    return r.stdout.toString();
  };
  assert.match(await explain(['-optc-march=native']), /^ {2}host-cpu /m);
  assert.match(await explain(['-optlc-mcpu=native']), /^ {2}host-cpu /m);
  assert.doesNotMatch(await explain([]), /host-cpu/);
});

test('ghc -c: a splice that reads a variable the C toolchain\'s reads leave unkeyed (COLUMNS, PATH) is keyed by it; a splice that reads none is not', { skip }, async () => {
  const dir = join(ws.dir, 'cols');
  const th = '{-# LANGUAGE TemplateHaskell #-}\n';
  writeSettled(dir, 'src/Cols.hs', `${th}module Cols (cols) where\n\nimport Language.Haskell.TH.Syntax\nimport System.Environment (lookupEnv)\n\ncols :: Maybe String\ncols = $(runIO (lookupEnv "COLUMNS") >>= lift)\n`);
  writeSettled(dir, 'src/Still.hs', `${th}module Still (still) where\n\nimport Language.Haskell.TH.Syntax\n\nstill :: String\nstill = $(lift "still")\n`);
  writeSettled(dir, 'Makefile', `F = ${FLAGS}\nall: out/Cols.o out/Still.o\nout/%.o: src/%.hs\n\tghc -c $(F) $<\n`);
  const build = async (vars: Record<string, string>) => {
    const { before, after } = await cleanBuild(dir, vars);
    return delta(before, after);
  };
  assert.deepEqual(await build({ COLUMNS: '80' }), { hit: 0, miss: 2, uncacheable: 0, failed: 0 });
  assert.deepEqual(await build({ COLUMNS: '80' }), { hit: 2, miss: 0, uncacheable: 0, failed: 0 });
  assert.deepEqual(await build({ COLUMNS: '100' }), { hit: 1, miss: 1, uncacheable: 0, failed: 0 }, 'Cols compiles again (a stale hit with 80 before); Still is served');
});

test('ghc: probes pass through; a --make build that links compiles its modules as cached jobs, then links', { skip }, async () => {
  for (const probe of [['--numeric-version'], ['--info'], ['--print-libdir']]) {
    const want = await run('ghc', probe, { env: ws.bareEnv });
    const got = await run('ghc', probe, { env: ws.env });
    assert.equal(got.stdout.toString(), want.stdout.toString());
    assert.equal(got.code, want.code);
  }
  writeSettled(ws.dir, 'prog/Main.hs', 'import Greet\nmain :: IO ()\nmain = putStrLn greeting\n');
  writeSettled(ws.dir, 'prog/Greet.hs', 'module Greet (greeting) where\ngreeting :: String\ngreeting = "made"\n');
  const prog = join(ws.dir, 'prog');
  const build = async () => {
    const before = await counts();
    const r = await run('ghc', ['--make', '-outputdir', 'o', '-o', 'main', 'Main.hs'], { cwd: prog, env: ws.env });
    assert.equal(r.code, 0, text(r));
    assert.equal((await run(join(prog, 'main'), [])).stdout.toString(), 'made\n');
    return delta(before, await counts());
  };
  assert.deepEqual(await build(), { hit: 0, miss: 2, uncacheable: 0, failed: 0 }, 'a --make build that links: its modules are jobs, then ghc links');
  rmSync(join(prog, 'o'), { recursive: true });
  rmSync(join(prog, 'main'));
  assert.deepEqual(await build(), { hit: 2, miss: 0, uncacheable: 0, failed: 0 });
});

test('ghc -c: a header edited while ghc compiles is not stored, and the next build compiles the new header', { skip }, async () => {
  // The splice holds the compile open after CPP has read the header, so the edit lands
  // between ghc's read and the daemon's digest of the inputs (taken after the compile).
  const dir = join(ws.dir, 'during');
  writeSettled(dir, 'inc/macros.h', '#define GREETING "before"\n');
  writeSettled(dir, 'src/R.hs', '{-# LANGUAGE CPP, TemplateHaskell #-}\nmodule R (value) where\n\nimport Control.Concurrent (threadDelay)\nimport Language.Haskell.TH (runIO)\n\nvalue :: String\nvalue = GREETING\n\n$(runIO (threadDelay 2500000) >> return [])\n');
  writeSettled(dir, 'Makefile', `F = ${FLAGS}\nout/R.o: src/R.hs inc/macros.h\n\tghc -c $(F) $<\n`);
  const before = await counts();
  const pending = make(dir, ws.env);
  await waitFor('the compile to start', async () => /\b1\/\d+ jobs busy/.test((await reprise(['daemon', 'status'], ws.env)).stdout.toString()), 20_000, 10);
  await new Promise((r) => setTimeout(r, 1000)); // ghc is in the splice by now, the header read
  writeFileSync(join(dir, 'inc/macros.h'), '#define GREETING "after"\n');
  await pending;
  const after = await counts();
  assert.deepEqual(delta(before, after), { hit: 0, miss: 0, uncacheable: 1, failed: 0 }, JSON.stringify(after.reasons));
  assert.equal((after.reasons['input-changed-during-compile'] ?? 0) - (before.reasons['input-changed-during-compile'] ?? 0), 1, 'not stored');
  rmSync(join(dir, 'out'), { recursive: true });
  assert.deepEqual(await cached(dir), { hit: 0, miss: 1, uncacheable: 0, failed: 0 }, 'compiled again, not served from the edit-time fill');
  assertSame(outputs(dir), await bare(dir));
});

test('ghc --make: modules compiled ahead on an idle slot serve their own jobs when the interfaces they read hold, and compile again when one changed; outputs as a fresh build', { skip }, async () => {
  // U is imported everywhere. X re-exports U or not; Y imports U and X; Z imports U and Y.
  // After U's export list changes, X compiles; meanwhile Y (whose import U is done) is
  // compiled ahead against X's interface as it is, then Z against Y's.
  const dir = join(ws.dir, 'ahead');
  const write = (xExports: string): void => {
    writeSettled(dir, 'X.hs', `module X (${xExports}) where\nimport U\nx :: Int\nx = u + 1\n`);
    writeSettled(dir, 'Y.hs', 'module Y (y) where\nimport U\nimport X\ny :: Int\ny = u + x\n');
    writeSettled(dir, 'Z.hs', 'module Z (z) where\nimport U\nimport Y\nz :: Int\nz = u + y\n');
  };
  const u = (exports: string): void => writeSettled(dir, 'U.hs', `module U (${exports}) where\nu :: Int\nu = 1\nv :: Int\nv = 2\nw :: Int\nw = 3\n`);
  u('u');
  write('x');
  const make = async (e: NodeJS.ProcessEnv, out: string) => {
    const before = await counts();
    const r = await run('ghc', ['--make', '-no-link', '-outputdir', out, 'Z.hs'], { cwd: dir, env: e });
    assert.equal(r.code, 0, text(r));
    const after = await counts();
    const s = await stats(ws.env);
    return { ...delta(before, after), speculated: s.tools.ghc?.speculated ?? 0 };
  };
  // Bare one-shot ghc in dependency order into a clean `o` (ours moved aside, at the same path:
  // interfaces record their flags): what the split's module jobs are.
  const fresh = async (): Promise<Map<string, string>> => {
    renameSync(join(dir, 'o'), join(dir, 'o-ours'));
    try {
      for (const m of ['U', 'X', 'Y', 'Z']) assert.equal((await run('ghc', ['-c', '-outputdir', 'o', '-io', `${m}.hs`], { cwd: dir, env: ws.bareEnv })).code, 0);
      return ours();
    } finally {
      rmSync(join(dir, 'o'), { recursive: true, force: true });
      renameSync(join(dir, 'o-ours'), join(dir, 'o'));
    }
  };
  const ours = (): Map<string, string> => {
    const m = new Map<string, string>();
    for (const f of readdirSync(join(dir, 'o'))) m.set(f, readFileSync(join(dir, 'o', f)).toString('base64'));
    return m;
  };
  assert.deepEqual((await make(ws.env, 'o')).miss, 4);
  const spec0 = (await stats(ws.env)).tools.ghc?.speculated ?? 0;

  // X keeps its interface: Y and Z, compiled ahead, serve their own jobs.
  u('u, v');
  const held = await make(ws.env, 'o');
  assert.deepEqual(ours(), await fresh());
  assert.equal(held.hit + held.miss + held.uncacheable, 4, JSON.stringify(held));
  if (availableParallelism() >= 2) {
    assert.ok(held.speculated - spec0 >= 1, `something was compiled ahead: ${JSON.stringify(held)}`);
    assert.ok(held.hit >= 1, `a module compiled ahead served its own job: ${JSON.stringify(held)}`);
  }

  // X re-exports U now, so its interface changes with U's: what was compiled ahead against the old one is not served.
  write('module U, x');
  assert.equal((await make(ws.env, 'o')).failed, 0);
  assert.deepEqual(ours(), await fresh());
  u('u, v, w');
  const moved = await make(ws.env, 'o');
  assert.deepEqual(ours(), await fresh(), 'nothing compiled against X\'s old interface was served');
  // U, X and Y compile in their own jobs (Y's guess read X's old interface); Z, guessed against
  // Y's old interface, which Y keeps, may be served.
  assert.ok(moved.miss >= 3 && moved.hit + moved.miss === 4, JSON.stringify(moved));
});
