// The ghc adapter's reading of command lines, module headers and output names (pure).
import assert from 'node:assert/strict';
import test from 'node:test';
import { parseGhcArgs } from '../../src/adapters/ghc/parse-ghc-args.js';
import { moduleHeader } from '../../src/adapters/ghc/module-header.js';
import { ghcOutputs } from '../../src/adapters/ghc/ghc-outputs.js';
import type { GhcJob } from '../../src/adapters/ghc/types.js';

const job = (args: string[]): GhcJob => {
  const p = parseGhcArgs(args);
  assert.equal(p.kind, 'compile', JSON.stringify(p));
  return (p as { job: GhcJob }).job;
};
const reason = (args: string[]): string | undefined => {
  const p = parseGhcArgs(args);
  return p.kind === 'uncacheable' ? p.reason : p.kind;
};

test('probes are not compiles; modes other than -c are counted', () => {
  for (const a of [['--numeric-version'], ['--info'], ['--print-libdir'], ['--supported-extensions'], []]) assert.equal(parseGhcArgs(a).kind, 'not-a-compile');
  assert.equal(reason(['--make', 'A', 'B']), 'make');
  assert.equal(reason(['Main.hs', '-o', 'main']), 'make', 'ghc with sources and no -c builds with --make');
  assert.equal(reason(['-shared', '-o', 'libx.so', 'a.dyn_o', 'b.dyn_o']), 'links');
  assert.equal(reason(['--make', 'Main.hs', 'cbits.c']), 'ghc-make', 'C sources in a --make build: run as it is');
  const make = parseGhcArgs(['--make', '-odir', 'o', '-o', 'prog', 'A.B', 'Main.hs', '-Wall']);
  assert.ok(make.kind === 'make');
  assert.deepEqual(make.job.flags, ['-odir', 'o', '-Wall'], 'module jobs get neither the targets nor the program name');
  assert.deepEqual(make.job.targets, ['A.B', 'Main.hs']);
  assert.equal(reason(['-c', 'A.hs', 'B.hs']), 'multiple-sources');
  assert.equal(reason(['-c', 'x.c']), 'non-haskell-source');
  assert.equal(reason(['-c', 'A.lhs']), 'literate-source');
  assert.equal(reason(['-c', '-M', 'A.hs']), 'unsupported-mode');
  assert.equal(reason(['-c', '-fwrite-ide-info', 'A.hs']), 'extra-outputs');
  assert.equal(reason(['-c', '-odirout', 'A.hs']), 'output-flag-form');
  assert.equal(reason(['-c', '-ohi', 'a.hi', '-dynamic-too', 'A.hs']), 'output-flag-form');
  assert.equal(reason(['-c', '@args']), 'response-file');
  assert.equal(reason(['-c', 'A.hs', '-odir']), 'missing-argument');
});

test('values of options are not sources; +RTS ... -RTS is ghc\'s own', () => {
  const j = job(['-c', '-package-db', '/x/db', '-package-id', 'base', '+RTS', '-A64m', 'odd', '-RTS', '-i./src', 'src/A.hs']);
  assert.equal(j.source, 'src/A.hs');
  assert.equal(j.boot, false);
});

test('module headers past comments and pragmas; Main without one; CPP first is unknown', () => {
  assert.equal(moduleHeader('{-# LANGUAGE CPP #-}\n-- | doc\n{- nested {- c -} -}\nmodule Hledger.Data.Amount (\n x) where\n'), 'Hledger.Data.Amount');
  assert.equal(moduleHeader('module A.B where'), 'A.B');
  assert.equal(moduleHeader('main = print 1\n'), 'Main');
  assert.equal(moduleHeader('#!/usr/bin/env runghc\nmain = pure ()\n'), 'Main');
  assert.equal(moduleHeader('{-# LANGUAGE CPP #-}\n#if X\nmodule A where\n#endif\n'), 'cpp');
  assert.equal(moduleHeader('{- never ends'), undefined);
  assert.equal(moduleHeader('--> x\n'), 'Main', 'an operator, not a comment: no header');
});

test('output names as ghc 9.0 writes them', () => {
  const names = (args: string[], mod: string, stub = false) => ghcOutputs(job(args), mod, stub).map((o) => `${o.role}:${o.path}`);
  assert.deepEqual(names(['-c', 'src/Lib/A.hs'], 'Lib.A'), ['obj:src/Lib/A.o', 'hi:src/Lib/A.hi']);
  assert.deepEqual(names(['-c', '-odir', 'o', '-hidir', 'h', 'src/prog.hs'], 'Main'), ['obj:o/Main.o', 'hi:h/Main.hi']);
  assert.deepEqual(names(['-c', '-outputdir', 'b', '-dynamic-too', '-dynosuf', 'dyn_o', '-dynhisuf', 'dyn_hi', 'A/B.hs'], 'A.B'), ['obj:b/A/B.o', 'hi:b/A/B.hi', 'dyn-obj:b/A/B.dyn_o', 'dyn-hi:b/A/B.dyn_hi']);
  assert.deepEqual(names(['-c', '-o', 's/B.o', '-dynamic-too', 'B.hs'], 'B'), ['obj:s/B.o', 'hi:B.hi', 'dyn-obj:s/B.dyn_o', 'dyn-hi:B.dyn_hi']);
  assert.deepEqual(names(['-c', '-outputdir', 'b', '-dynamic-too', 'P.hs-boot'], 'P'), ['obj:b/P.o-boot', 'hi:b/P.hi-boot', 'dyn-obj:b/P.dyn_o', 'dyn-hi:b/P.dyn_hi-boot']);
  assert.deepEqual(names(['-c', '-osuf', 'p_o', '-hisuf', 'p_hi', '-odir', 'o', '-hidir', 'o', 'F.hs'], 'F', true), ['obj:o/F.p_o', 'hi:o/F.p_hi', 'stub:F_stub.h']);
  assert.deepEqual(names(['-c', '-stubdir', 'st', 'src/F.hs'], 'Lib.F', true), ['obj:src/F.o', 'hi:src/F.hi', 'stub:st/Lib/F_stub.h']);
});
