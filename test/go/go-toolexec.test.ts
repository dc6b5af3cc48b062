// Go 1.19 (Debian's golang-go) reads no GOCACHEPROG: the go shim routes compile and asm
// through -toolexec. A module with assembly (asm -gensymabis, symabis, go_asm.h, a .h from
// an -I dir) and an embedded file: cold, then warm with a fresh empty GOCACHE, every step
// served from the store, binaries byte-identical to a bare go build; an edit misses only
// its package; a user's own -toolexec is left alone.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { go119ForTests, goEnv, writeGoProject } from '../helpers/go-toolchains.js';
import { goCounts, reprise, stats } from '../helpers/reprise-cli.js';
import { run, text } from '../helpers/run.js';
import { createWorkspace } from '../helpers/workspace.js';

const ws = createWorkspace('reprise-toolexec-');
test.after(() => ws.cleanup());
const { tc, skip } = go119ForTests(ws.realDir);
const proj = join(ws.dir, 'asmproj');
writeGoProject(proj);
mkdirSync(join(proj, 'add'), { recursive: true });
writeFileSync(join(proj, 'add', 'add.go'), `package add

import _ "embed"

//go:embed banner.txt
var Banner string

// Add is written in assembly.
func Add(a, b int64) int64
`);
writeFileSync(join(proj, 'add', 'banner.txt'), 'banner one\n');
writeFileSync(join(proj, 'add', 'consts.h'), '#define ZERO $0\n');
writeFileSync(join(proj, 'add', 'add_amd64.s'), `#include "textflag.h"
#include "consts.h"

TEXT ·Add(SB), NOSPLIT, ZERO-24
	MOVQ a+0(FP), AX
	ADDQ b+8(FP), AX
	MOVQ AX, ret+16(FP)
	RET
`);
writeFileSync(join(proj, 'main.go'), `package main

import (
	"fmt"

	"example.com/hello/add"
	"example.com/hello/greet"
)

func main() { fmt.Println(greet.Hello("go"), add.Add(2, 3), add.Banner) }
`);
let n = 0;
const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({ ...goEnv(ws.bareEnv, tc, join(ws.realDir, `gocache-${n++}`), join(ws.realDir, 'gopath')), ...extra });

async function build(name: string, bare = false, extra: Record<string, string> = {}): Promise<Buffer> {
  const out = join(ws.realDir, name);
  const args = ['build', '-o', out, '.'];
  const r = bare ? await run('go', args, { cwd: proj, env: env(extra) }) : await reprise(['exec', '--', 'go', ...args], env(extra), proj);
  assert.equal(r.code, 0, text(r));
  return readFileSync(out);
}

test('go 1.19 through -toolexec: cold, then warm from the store, byte-identical to bare', { skip, timeout: 300_000 }, async () => {
  const bare = await build('bare', true);
  const c0 = await goCounts(ws.env).catch(() => ({ hit: 0, miss: 0, uncacheable: 0 }));
  assert.ok(bare.equals(await build('cold')), 'cold binary differs');
  const c1 = await goCounts(ws.env);
  // compile of main, greet and add; asm -gensymabis and asm of add_amd64.s
  assert.equal(c1.miss - c0.miss, 5, JSON.stringify(c1));
  assert.equal(c1.uncacheable - c0.uncacheable, 0);
  assert.ok(bare.equals(await build('warm')), 'warm binary differs');
  const c2 = await goCounts(ws.env);
  assert.equal(c2.hit - c1.hit, 5);
  assert.equal(c2.miss, c1.miss);
});

test('an edit of an embedded file and of an included .h misses only their package', { skip, timeout: 300_000 }, async () => {
  writeFileSync(join(proj, 'add', 'banner.txt'), 'banner two\n');
  const c0 = await goCounts(ws.env);
  const bare = await build('bare2', true);
  assert.ok(bare.equals(await build('edited')));
  const c1 = await goCounts(ws.env);
  // add's compile misses, and main's (its importcfg names add's new archive); asm steps hit
  assert.equal(c1.miss - c0.miss, 2, JSON.stringify(c1));
  writeFileSync(join(proj, 'add', 'consts.h'), '#define ZERO $0\n// changed\n');
  const bare3 = await build('bare3', true);
  assert.ok(bare3.equals(await build('edited-h')));
  const c2 = await goCounts(ws.env);
  assert.ok(c2.miss - c1.miss >= 1, 'the asm step that includes consts.h misses');
});

test("a user's own -toolexec is used as it is", { skip, timeout: 300_000 }, async () => {
  const before = (await stats(ws.env)).passThroughReasons['user-toolexec'] ?? 0;
  await build('user', false, { GOFLAGS: '-toolexec=/usr/bin/env' });
  assert.equal(((await stats(ws.env)).passThroughReasons['user-toolexec'] ?? 0) - before, 1);
});

test('GOSSAFUNC: compile writes ssa.html beside its outputs, so those steps run as go runs them (go-debug-output) and the file is there as bare go leaves it', { skip, timeout: 300_000 }, async () => {
  const ssa = join(proj, 'ssa.html');
  rmSync(ssa, { force: true });
  const bare = await build('bare-ssa', true, { GOSSAFUNC: 'main' });
  assert.ok(existsSync(ssa), 'bare go wrote ssa.html');
  rmSync(ssa);
  const before = (await stats(ws.env)).uncacheableReasons['go-debug-output'] ?? 0;
  assert.ok(bare.equals(await build('ssa', false, { GOSSAFUNC: 'main' })));
  assert.ok(existsSync(ssa), 'ssa.html written through reprise too (before: lost in the fill)');
  assert.ok(((await stats(ws.env)).uncacheableReasons['go-debug-output'] ?? 0) - before >= 1);
  rmSync(ssa);
});
