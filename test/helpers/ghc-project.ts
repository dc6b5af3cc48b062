// The small library ghc tests build with make, in the shape cabal gives ghc (a Template Haskell
// splice running a home helper, CPP, an .hs-boot cycle), and how its outputs are compared.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { run, text, type RunResult } from './run.js';
import { writeSettled } from './write-settled.js';

/**
 * A ghc test's `skip`: locally a machine without ghc skips; CI installs it (.ci/run), so there a
 * missing ghc fails.
 */
export async function skipWithoutGhc(env: NodeJS.ProcessEnv): Promise<string | false> {
  const hasGhc = await run('ghc', ['--numeric-version'], { env }).then((r) => r.code === 0, () => false);
  return !hasGhc && !process.env.CI ? 'ghc is not installed' : false;
}

export const FLAGS = '-dynamic-too -dynosuf dyn_o -dynhisuf dyn_hi -odir out -hidir out -isrc -iout -optP-include -optPinc/macros.h';

/** A small library in the shape cabal gives ghc: a Template Haskell splice running a home helper, CPP, and an .hs-boot cycle. */
export function writeProject(dir: string): void {
  writeSettled(dir, 'inc/macros.h', '#define GREETING "hello"\n');
  writeSettled(dir, 'src/Lib/A.hs', 'module Lib.A (greet, suffix) where\n\ngreet :: String -> String\ngreet n = "hi " ++ n\n\nsuffix :: String -> String\nsuffix s = s ++ "Gen"\n');
  writeSettled(dir, 'src/Lib/B.hs', 'module Lib.B (msg) where\n\nimport Lib.A\n\nmsg :: String\nmsg = greet "world"\n');
  writeSettled(dir, 'src/Lib/T.hs', '{-# LANGUAGE TemplateHaskell #-}\nmodule Lib.T where\n\nimport Language.Haskell.TH\nimport Lib.A\n\n$(return [ValD (VarP (mkName (suffix "x"))) (NormalB (LitE (StringL (greet "th")))) []])\n');
  writeSettled(dir, 'src/Lib/C.hs', '{-# LANGUAGE CPP #-}\nmodule Lib.C (greeting) where\n\ngreeting :: String\ngreeting = GREETING\n');
  writeSettled(dir, 'src/Cyc/P.hs-boot', 'module Cyc.P where\n\nping :: Int -> Int\n');
  writeSettled(dir, 'src/Cyc/Q.hs', 'module Cyc.Q (pong) where\n\nimport {-# SOURCE #-} Cyc.P (ping)\n\npong :: Int -> Int\npong n = if n <= 0 then 0 else ping (n - 1)\n');
  writeSettled(dir, 'src/Cyc/P.hs', 'module Cyc.P (ping) where\n\nimport Cyc.Q (pong)\n\nping :: Int -> Int\nping n = 1 + pong n\n');
  writeSettled(dir, 'Makefile', [
    `F = ${FLAGS}`,
    'all: out/Lib/B.o out/Lib/T.o out/Lib/C.o out/Cyc/P.o',
    'out/Lib/A.o: src/Lib/A.hs\n\tghc -c $(F) $<',
    'out/Lib/B.o: src/Lib/B.hs out/Lib/A.o\n\tghc -c $(F) $<',
    'out/Lib/T.o: src/Lib/T.hs out/Lib/A.o\n\tghc -c $(F) $<',
    'out/Lib/C.o: src/Lib/C.hs inc/macros.h\n\tghc -c $(F) $<',
    'out/Cyc/P.o-boot: src/Cyc/P.hs-boot\n\tghc -c $(F) $<',
    'out/Cyc/Q.o: src/Cyc/Q.hs out/Cyc/P.o-boot\n\tghc -c $(F) $<',
    'out/Cyc/P.o: src/Cyc/P.hs out/Cyc/Q.o\n\tghc -c $(F) $<',
    '',
  ].join('\n'));
}

export async function make(dir: string, env: NodeJS.ProcessEnv): Promise<RunResult> {
  const r = await run('make', ['-j2'], { cwd: dir, env });
  assert.equal(r.code, 0, text(r));
  return r;
}

/** Every output file under dir/out, by relative path. */
export function outputs(dir: string): Map<string, string> {
  const m = new Map<string, string>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else m.set(relative(join(dir, 'out'), p), readFileSync(p).toString('base64'));
    }
  };
  if (existsSync(join(dir, 'out'))) walk(join(dir, 'out'));
  return m;
}

export function assertSame(got: Map<string, string>, want: Map<string, string>): void {
  assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort());
  for (const [k, v] of want) assert.ok(got.get(k) === v, `${k} differs from bare ghc's`);
}
