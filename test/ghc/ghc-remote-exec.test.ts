// ghc -c module compiles executed on `reprise serve --execute` with REPRISE_EXECUTE=remote
// (docs/remote-execution.md, "GHC"): the input root is a guess (ghc's library directory, the
// package databases' packages, the home package's directories) at the host's paths, the
// executor traces the compile, and the host takes the result only when the trace proves every
// answer the compile got there is its own. The outputs are bare ghc's, byte for byte; the
// results are stored as a local fill's would be, so a clean rebuild replays them; a module that
// looks for a file the guess left out is filled here, counted, and still right.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { reprise, stats } from '../helpers/reprise-cli.js';
import { assertSame, FLAGS, make, outputs, skipWithoutGhc, writeProject } from '../helpers/ghc-project.js';
import { run, text } from '../helpers/run.js';
import { canHide, HIDE_GHC_TOOLCHAIN } from '../helpers/hide-compiler.js';
import { startRepriseServe, type RepriseServeProcess } from '../helpers/servers/reprise-serve.js';
import { createWorkspace } from '../helpers/workspace.js';
import { writeSettled } from '../helpers/write-settled.js';

const ws = createWorkspace('reprise-ghc-rexec-');
let serve: RepriseServeProcess | undefined;
test.after(async () => {
  await serve?.stop();
  ws.cleanup();
});

const skip = await skipWithoutGhc(ws.bareEnv);
const proj = join(ws.realDir, 'p');
const remote = { ...ws.env, REPRISE_EXECUTE: 'remote' };

/** The same tree built afresh by bare ghc, elsewhere. */
async function bare(dir: string): Promise<Map<string, string>> {
  const copy = `${dir}-bare`;
  rmSync(copy, { recursive: true, force: true });
  cpSync(dir, copy, { recursive: true });
  rmSync(join(copy, 'out'), { recursive: true, force: true });
  await make(copy, ws.bareEnv);
  return outputs(copy);
}

type Counter = 'completed' | 'guess-unproven' | 'guess-failed' | 'actions-sent';
/** Runs `build` (through reprise), checks that `dir` holds bare one-shot ghc's outputs, and says what the counters moved by: executor `url`'s, and ghc's misses and hits. */
async function checked(dir: string, url: string, build: () => Promise<void>): Promise<{ there: (c: Counter) => number; miss: number; hit: number; what: string }> {
  const before = await stats(ws.env);
  await build();
  assertSame(outputs(dir), await bare(dir));
  const after = await stats(ws.env);
  const ghc = (c: 'miss' | 'direct-hit'): number => (after.tools.ghc?.[c] ?? 0) - (before.tools.ghc?.[c] ?? 0);
  return {
    there: (c) => (after.executors[url]?.[c] ?? 0) - (before.executors[url]?.[c] ?? 0),
    miss: ghc('miss'),
    hit: ghc('direct-hit'),
    what: `${JSON.stringify(after.executors[url])} ${JSON.stringify(after.executorFallbackReasons)} ${JSON.stringify(after.uncacheableReasons)}`,
  };
}

/** Points the daemon at one executor (a new executor table takes a daemon restart). */
async function useExecutor(url: string): Promise<void> {
  writeFileSync(ws.configFile, `[[executor]]\nurl = "${url}"\ntrusted = true\ntimeout = "2m"\n`);
  assert.equal((await reprise(['daemon', 'stop'], ws.env)).code, 0);
}

/** `ghc --make -no-link` of the project's modules in `dir` (`flags` before the project's). */
async function makeBuild(dir: string, env: NodeJS.ProcessEnv, flags: string[] = []): Promise<void> {
  const got = await run('ghc', ['--make', '-no-link', ...flags, ...FLAGS.split(' '), 'Lib.B', 'Lib.T', 'Lib.C', 'Cyc.P'], { cwd: dir, env });
  assert.equal(got.code, 0, text(got));
}
let url = '';

test('ghc -c on reprise serve --execute: bare ghc\'s outputs, proven by the executor\'s trace, stored for a clean rebuild', { skip, timeout: 600_000 }, async () => {
  serve = await startRepriseServe(join(ws.dir, 'serve'), ['--listen', '127.0.0.1:0', '--execute']);
  url = `grpc://${serve.grpc!}`;
  await useExecutor(url);
  writeProject(proj);
  const cold = await checked(proj, url, () => make(proj, remote).then(() => undefined));
  // A B T C, P.hs-boot, Q, P: each sent, run there and proven.
  assert.equal(cold.there('completed'), 7, `${cold.what}\n${serve.output()}`);
  assert.equal(cold.miss, 7, cold.what);

  // Stored as a local fill's: a clean rebuild replays every module without the executor.
  rmSync(join(proj, 'out'), { recursive: true, force: true });
  const warm = await checked(proj, url, () => make(proj, remote).then(() => undefined));
  assert.equal(warm.hit, 7, warm.what);
  assert.equal(warm.there('actions-sent'), 0, 'the executor was asked again');
});

test('ghc -c on an executor: a module that finds a file the guessed root left out is not proven, and compiles here as bare ghc', { skip, timeout: 600_000 }, async () => {
  // A header beside the project, in a directory only CPP is told of (-optP-I, not ghc's -I): the guessed root lacks it.
  // (Relative: ghc leaves a header named by an absolute path under /tmp out of the interface, tmp-dir-divergence.ts.)
  const dir = join(ws.realDir, 'q');
  writeSettled(join(ws.realDir, 'elsewhere'), 'extra.h', '#define EXTRA "from elsewhere"\n');
  writeSettled(dir, 'src/E.hs', '{-# LANGUAGE CPP #-}\nmodule E (extra) where\n#include "extra.h"\nextra :: String\nextra = EXTRA\n');
  writeSettled(dir, 'Makefile', 'all: out/E.o\nout/E.o: src/E.hs\n\tghc -c -odir out -hidir out -isrc -optP-I../elsewhere $<\n');
  const m = await checked(dir, url, () => make(dir, remote).then(() => undefined));
  assert.equal(m.there('guess-unproven') + m.there('guess-failed'), 1, m.what);
  assert.equal(m.there('completed'), 0);
  assert.equal(m.miss, 1, 'filled and stored here');
});

test('ghc --make -no-link under REPRISE_EXECUTE=remote: the split build\'s module jobs run on the executor, with bare one-shot ghc\'s outputs', { skip, timeout: 600_000 }, async () => {
  // A split build's modules are one-shot compiles (docs/benchmarks.md: --make's own objects name locals from one unique supply).
  const dir = join(ws.realDir, 'm');
  writeProject(dir);
  // Another body for A: none of the first test's entries serve these modules.
  writeSettled(dir, 'src/Lib/A.hs', 'module Lib.A (greet, suffix) where\n\ngreet :: String -> String\ngreet n = "hello " ++ n\n\nsuffix :: String -> String\nsuffix s = s ++ "Made"\n');
  // A $TMPDIR of the caller's own, which the executor's private /tmp does not have: the action carries it, writable.
  const tmp = join(ws.realDir, 'm-tmp');
  mkdirSync(tmp);
  // The packages hidden but those named, as cabal calls ghc: the root holds only theirs (and what they depend on).
  const m = await checked(dir, url, () => makeBuild(dir, { ...remote, TMPDIR: tmp }, ['-hide-all-packages', '-package', 'base', '-package', 'template-haskell']));
  assert.equal(m.there('completed'), 7, m.what);
});

test('ghc --make -no-link under auto: module jobs go to the executor while the split\'s local slots are busy, with bare one-shot ghc\'s outputs', { skip, timeout: 600_000 }, async () => {
  const dir = join(ws.realDir, 'a');
  writeProject(dir);
  writeSettled(dir, 'src/Lib/A.hs', 'module Lib.A (greet, suffix) where\n\ngreet :: String -> String\ngreet n = "hey " ++ n\n\nsuffix :: String -> String\nsuffix s = s ++ "Auto"\n');
  const m = await checked(dir, url, () => makeBuild(dir, { ...ws.env, REPRISE_EXECUTE: 'auto' }));
  assert.equal(m.miss, 7, m.what);
  // At the start two modules are ready (Lib.A and Cyc.P's boot file) and one local slot: the other goes to the executor.
  const there = m.there('completed');
  assert.ok(there >= 1 && there <= 7, `completed there: ${there}: ${m.what}`);
});

test('ghc -c on an executor: a splice that asks whether a file the guessed root lacks exists (it does here) is not proven there, and compiles here as bare ghc', { skip, timeout: 600_000 }, async () => {
  // The project lies under /tmp, where the executor places the root's directories whole: the file's absence there is the root's, not the sandbox's /tmp.
  const dir = join(ws.realDir, 'exists');
  writeSettled(dir, 'data/flag.txt', 'on\n');
  writeSettled(dir, 'src/F.hs', '{-# LANGUAGE TemplateHaskell #-}\nmodule F (flag) where\nimport Language.Haskell.TH.Syntax (lift, runIO)\nimport System.Directory (doesFileExist)\nflag :: Bool\nflag = $(runIO (doesFileExist "data/flag.txt") >>= lift)\n');
  writeSettled(dir, 'Makefile', 'all: out/F.o\nout/F.o: src/F.hs\n\tghc -c -odir out -hidir out -isrc $<\n');
  assert.ok(dir.startsWith('/tmp/'), 'the workspace lies under /tmp');
  const m = await checked(dir, url, () => make(dir, remote).then(() => undefined));
  assert.equal(m.there('guess-unproven'), 1, m.what);
  assert.equal(m.there('completed'), 0);
  assert.equal(m.miss, 1, 'compiled and stored here');
});


test('ghc -c on an executor whose own system header differs from this host\'s: not proven (its digest is not this host\'s), compiled here as bare ghc', { skip: skip || (canHide ? false : 'needs root and unshare'), timeout: 600_000 }, async () => {
  // A CPP module includes a system header, which the guessed root does not carry: the executor's
  // own /usr/include/linux/limits.h has other bytes (an overlay in a private mount namespace).
  const odd = join(ws.realDir, 'odd-include');
  writeSettled(join(odd, 'linux'), 'limits.h', `${readFileSync('/usr/include/linux/limits.h', 'utf8')}\n/* this executor's own */\n`);
  const script = 'set -e; mount --make-rprivate /; mount -t overlay odd -o "lowerdir=$1:/usr/include" /usr/include; shift; exec "$@"';
  const oddServe = await startRepriseServe(join(ws.dir, 'serve-odd'), ['--listen', '127.0.0.1:0', '--execute'], (cmd) => ['unshare', '-m', 'sh', '-c', script, 'sh', odd, ...cmd]);
  try {
    const oddUrl = `grpc://${oddServe.grpc!}`;
    await useExecutor(oddUrl);
    const dir = join(ws.realDir, 'odd');
    writeSettled(dir, 'src/H.hs', '{-# LANGUAGE CPP #-}\nmodule H (h) where\n#include <linux/limits.h>\nh :: Int\nh = NGROUPS_MAX\n');
    writeSettled(dir, 'Makefile', 'all: out/H.o\nout/H.o: src/H.hs\n\tghc -c -odir out -hidir out -isrc $<\n');
    const m = await checked(dir, oddUrl, () => make(dir, remote).then(() => undefined));
    assert.equal(m.there('guess-unproven'), 1, `${m.what}\n${oddServe.output()}`);
    assert.equal(m.there('completed'), 0);
    assert.equal(m.miss, 1, 'compiled and stored here');
  } finally {
    await oddServe.stop();
  }
});

test('ghc -c on an executor without ghc, gcc or binutils installed: the toolchain travels in the action, and the outputs are bare ghc\'s', { skip: skip || (canHide ? false : 'needs root and unshare'), timeout: 600_000 }, async () => {
  const bareServe = await startRepriseServe(join(ws.dir, 'serve-bare'), ['--listen', '127.0.0.1:0', '--execute'], (cmd) => ['unshare', '-m', 'sh', '-c', HIDE_GHC_TOOLCHAIN, 'sh', join(ws.dir, 'hide'), ...cmd]);
  try {
    const bareUrl = `grpc://${bareServe.grpc!}`;
    await useExecutor(bareUrl);
    const dir = join(ws.realDir, 'bare-executor');
    writeProject(dir);
    // Another body for A: none of the first test's entries serve these modules.
    writeSettled(dir, 'src/Lib/A.hs', 'module Lib.A (greet, suffix) where\n\ngreet :: String -> String\ngreet n = "hi " ++ n\n\nsuffix :: String -> String\nsuffix s = s ++ "Bare"\n');
    // CPP (gcc -E), assembly (as), a splice running home code (the linker's version, a shared object linked by gcc and ld): all there.
    const m = await checked(dir, bareUrl, () => make(dir, remote).then(() => undefined));
    assert.equal(m.there('completed'), 7, `${m.what}\n${bareServe.output()}`);
    assert.equal(m.miss, 7, m.what);
  } finally {
    await bareServe.stop();
  }
});
