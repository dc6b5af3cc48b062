// A split `ghc --make` whose daemon is killed (kill -9) while it runs a module for the caller
// outside the sandbox, between that module's object and its dynamic object: the shim deletes the
// module's half-written outputs (the daemon's RUNNING frame named them) before it runs
// `ghc --make` itself, which then compiles that module again. Before, bare ghc --make took the
// module for current (it checks .hi and .o) and the build ended without its .dyn_o.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { skipWithoutGhc, outputs } from '../helpers/ghc-project.js';
import { run, text } from '../helpers/run.js';
import { createWorkspace } from '../helpers/workspace.js';
import { writeSettled } from '../helpers/write-settled.js';

const ws = createWorkspace('reprise-ghc-make-kill-');
test.after(() => ws.cleanup());
const skip = await skipWithoutGhc(ws.env);

/**
 * Two modules; the assembler is a script that, for Slow's dynamic object only, leaves a mark in
 * the output directory and takes two seconds. Writing there is not a compile's output, so the
 * sandboxed fill refuses Slow (unexpected-output) and the daemon runs it for the caller, on the
 * host: the mark showing on the host says that run is between Slow.o and Slow.dyn_o.
 */
function writeProject(dir: string): void {
  writeSettled(dir, 'src/Slow.hs', 'module Slow (x) where\n\nx :: Int\nx = 42\n');
  writeSettled(dir, 'Main.hs', 'import Slow\n\nmain :: IO ()\nmain = print x\n');
  writeSettled(dir, 'as-wrap', '#!/bin/sh\ncase "$*" in *Slow.dyn_o*) echo started > out/marker; sleep 2;; esac\nexec gcc "$@"\n');
  chmodSync(join(dir, 'as-wrap'), 0o755);
}
const ghcArgs = (dir: string): string[] => ['--make', '-dynamic-too', '-odir', 'out', '-hidir', 'out', '-isrc', `-pgma${join(dir, 'as-wrap')}`, '-no-link', 'Main.hs'];

test('ghc --make: the daemon killed while a module it runs for the caller is half written: the shim deletes that module\'s outputs, and its own ghc --make gives bare ghc\'s outputs', { skip, timeout: 120_000 }, async () => {
  const bareDir = join(ws.realDir, 'bare');
  writeProject(bareDir);
  const bare = await run('ghc', ghcArgs(bareDir), { cwd: bareDir, env: ws.bareEnv });
  assert.equal(bare.code, 0, text(bare));
  const want = outputs(bareDir);
  assert.ok(want.has('Slow.dyn_o') && want.has('Main.dyn_o'), [...want.keys()].join(' '));

  const dir = join(ws.realDir, 'killed');
  writeProject(dir);
  const building = run('ghc', ghcArgs(dir), { cwd: dir, env: ws.env });
  const marker = join(dir, 'out', 'marker');
  for (let i = 0; i < 400 && !existsSync(marker); i++) await sleep(25);
  assert.ok(existsSync(marker), 'the daemon ran Slow outside the sandbox');
  const half = ['Slow.o', 'Slow.hi', 'Slow.dyn_o'].map((f) => existsSync(join(dir, 'out', f)));
  process.kill(Number(readFileSync(join(ws.runtimeDir, 'daemon.pid'), 'utf8')), 'SIGKILL');
  assert.deepEqual(half, [true, true, false], 'killed between Slow.o and Slow.dyn_o');

  const r = await building;
  assert.equal(r.code, 0, text(r));
  const got = outputs(dir);
  for (const [f, bytes] of want) assert.equal(got.get(f), bytes, `out/${f} as bare ghc made it`);
});
