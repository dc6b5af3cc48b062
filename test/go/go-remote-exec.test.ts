// Go 1.19's compile and asm steps (through -toolexec) executed on `reprise serve --execute`
// with REPRISE_EXECUTE=remote: the input root is exactly each step's keyed inputs at the host's
// paths (the tool under /usr/lib/go-1.19 bound over the executor's directory, $WORK's files
// in its private /tmp), and the binary is bare go build's, byte for byte. Trusted, the results
// are stored sandboxed: a warm build with an empty GOCACHE is served from the store without
// the executor. Untrusted, they are kept unsandboxed under the executor's name. An executor that
// is down costs a fall-back, never the build.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { go119ForTests, goEnv, writeGoProject } from '../helpers/go-toolchains.js';
import { goCounts, reprise, stats, toolCount } from '../helpers/reprise-cli.js';
import { run, text } from '../helpers/run.js';
import { freePort } from '../helpers/servers/free-port.js';
import { canHide } from '../helpers/hide-compiler.js';
import { startRepriseServe, type RepriseServeProcess } from '../helpers/servers/reprise-serve.js';
import { createWorkspace } from '../helpers/workspace.js';

const ws = createWorkspace('reprise-go-rexec-');
let serve: RepriseServeProcess | undefined;
test.after(async () => {
  await serve?.stop();
  ws.cleanup();
});
const { tc, skip } = go119ForTests(ws.realDir);
const proj = join(ws.realDir, 'proj');
writeGoProject(proj);
mkdirSync(join(proj, 'add'), { recursive: true });
writeFileSync(join(proj, 'add', 'add.go'), 'package add\n\n// Add is written in assembly.\nfunc Add(a, b int64) int64\n');
writeFileSync(join(proj, 'add', 'add_amd64.s'), '#include "textflag.h"\n\nTEXT ·Add(SB), NOSPLIT, $0-24\n\tMOVQ a+0(FP), AX\n\tADDQ b+8(FP), AX\n\tMOVQ AX, ret+16(FP)\n\tRET\n');
writeFileSync(join(proj, 'main.go'), `package main

import (
	"fmt"

	"example.com/hello/add"
	"example.com/hello/greet"
)

func main() { fmt.Println(greet.Hello("go"), add.Add(2, 3)) }
`);

let n = 0;
const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({ ...goEnv(ws.bareEnv, tc, join(ws.realDir, `gocache-${n++}`), join(ws.realDir, 'gopath')), ...extra });

/** A new executor table takes a daemon restart. */
async function configure(toml: string): Promise<void> {
  writeFileSync(ws.configFile, toml);
  assert.equal((await reprise(['daemon', 'stop'], ws.env)).code, 0);
}

async function build(name: string, how: 'bare' | 'reprise', where = proj, extra: Record<string, string> = {}): Promise<Buffer> {
  const out = join(ws.realDir, name);
  const args = ['build', '-o', out, '.'];
  const r = how === 'bare' ? await run('go', args, { cwd: where, env: env(extra) }) : await reprise(['exec', '--', 'go', ...args], env(extra), where);
  assert.equal(r.code, 0, text(r));
  return readFileSync(out);
}

test('go 1.19 compile and asm steps on reprise serve --execute: bare go build\'s binary; trusted results serve a warm build', { skip, timeout: 600_000 }, async () => {
  const bare = await build('bare', 'bare');
  serve = await startRepriseServe(join(ws.dir, 'serve'), ['--listen', '127.0.0.1:0', '--execute']);
  const url = `grpc://${serve.grpc!}`;
  writeFileSync(ws.configFile, `[[executor]]\nurl = "${url}"\ntrusted = true\ntimeout = "2m"\n`);
  const extra = { REPRISE_EXECUTE: 'remote' };
  assert.ok(bare.equals(await build('cold', 'reprise', proj, extra)), 'the binary built on the executor differs from bare go build\'s');
  const s = await stats(ws.env);
  const ex = s.executors[url];
  const sent = ex?.completed ?? 0;
  // The module's own steps at least (compile of main, greet and add; asm -gensymabis and asm of add_amd64.s); std's packages
  // are compiled in directories under /usr/lib/go-1.19/src, reached through Debian's symlink to /usr/share, and are not sent.
  assert.ok(sent >= 5, `completed remotely: ${sent}: ${JSON.stringify(s.executorFallbackReasons)}\n${serve.output()}`);
  assert.equal(toolCount(s, 'go', 'uncacheable'), 0, JSON.stringify(s.uncacheableReasons));
  const reasons = s.executorFallbackReasons[url] ?? {};
  assert.deepEqual(Object.keys(reasons).filter((r) => r !== 'not-sendable'), [], JSON.stringify(reasons));

  // Stored sandboxed: a fresh GOCACHE is served from the store, the executor not asked again.
  const c1 = await goCounts(ws.env);
  assert.ok(bare.equals(await build('warm', 'reprise', proj, extra)), 'warm binary differs');
  const c2 = await goCounts(ws.env);
  assert.equal(c2.miss, c1.miss, 'no step missed');
  assert.ok(c2.hit - c1.hit >= sent, `${c2.hit - c1.hit} hits`);
  assert.equal((await stats(ws.env)).executors[url]?.completed, sent);
});

test('untrusted: the executor\'s results are kept under its name and serve while it is configured', { skip, timeout: 300_000 }, async () => {
  const url = `grpc://${serve!.grpc!}`;
  writeFileSync(join(proj, 'greet', 'extra.go'), 'package greet\n\n// Extra is new.\nfunc Extra() int { return 7 }\n');
  const bare = await build('bare-untrusted', 'bare');
  await configure(`[[executor]]\nurl = "${url}"\ntimeout = "2m"\n`);
  const before = (await stats(ws.env)).executors[url]?.completed ?? 0;
  assert.ok(bare.equals(await build('untrusted', 'reprise', proj, { REPRISE_EXECUTE: 'remote' })));
  assert.ok(((await stats(ws.env)).executors[url]?.completed ?? 0) > before, 'the edited package was sent');
  const c1 = await goCounts(ws.env);
  assert.ok(bare.equals(await build('untrusted-warm', 'reprise', proj, { REPRISE_EXECUTE: 'remote' })));
  const c2 = await goCounts(ws.env);
  assert.equal(c2.miss, c1.miss, 'served from the store while the executor is configured');
  // Without that executor configured its results are not served here: the steps it ran run again.
  await configure('');
  assert.ok(bare.equals(await build('untrusted-gone', 'reprise')));
  const c3 = await goCounts(ws.env);
  assert.ok(c3.miss > c2.miss, 'the untrusted executor\'s results were served without it');
});

test('GOPATH mode: a dependency is compiled in the directory go build runs in, its sources elsewhere: it runs there too', { skip, timeout: 300_000 }, async (t) => {
  // go 1.19 runs a GOPATH dependency's compile in the build's own directory with absolute source
  // paths, so the step's root holds nothing there; here that directory is also under a top-level
  // directory (the user's home) the root has nothing else in, as restic's was.
  const base = join(homedir(), '.cache', 'reprise-test');
  mkdirSync(base, { recursive: true });
  const home = mkdtempSync(join(base, 'go-rexec-'));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  const depPath = join(ws.realDir, 'gp-dep');
  mkdirSync(join(depPath, 'src', 'example.org', 'dep'), { recursive: true });
  writeFileSync(join(depPath, 'src', 'example.org', 'dep', 'dep.go'), 'package dep\n\n// Name is a dependency\'s.\nfunc Name() string { return "dep" }\n');
  const app = join(home, 'src', 'example.org', 'app');
  mkdirSync(app, { recursive: true });
  writeFileSync(join(app, 'main.go'), 'package main\n\nimport (\n\t"fmt"\n\n\t"example.org/dep"\n)\n\nfunc main() { fmt.Println(dep.Name()) }\n');
  const mode = { GOPATH: `${home}:${depPath}`, GO111MODULE: 'off' };
  const bare = await build('bare-gopath', 'bare', app, mode);
  const url = `grpc://${serve!.grpc!}`;
  await configure(`[[executor]]\nurl = "${url}"\ntrusted = true\ntimeout = "2m"\n`);
  const before = await stats(ws.env);
  assert.ok(bare.equals(await build('gopath', 'reprise', app, { ...mode, REPRISE_EXECUTE: 'remote' })));
  const after = await stats(ws.env);
  assert.equal((after.executors[url]?.completed ?? 0) - (before.executors[url]?.completed ?? 0), 2, `${JSON.stringify(after.executorFallbackReasons)}\n${serve!.output()}`);
});

test('an executor that is down: the steps fall back, counted, and the binary is bare go build\'s', { skip, timeout: 300_000 }, async () => {
  const down = `grpc://127.0.0.1:${await freePort()}`;
  await configure(`[[executor]]\nurl = "${down}"\ntrusted = true\ntimeout = "20s"\n`);
  writeFileSync(join(proj, 'greet', 'extra.go'), 'package greet\n\n// Extra is newest.\nfunc Extra() int { return 9 }\n');
  const bare2 = await build('bare-down', 'bare');
  assert.ok(bare2.equals(await build('down', 'reprise', proj, { REPRISE_EXECUTE: 'remote' })));
  const s = await stats(ws.env);
  const fell = Object.values(s.executorFallbackReasons[down] ?? {}).reduce((a, b) => a + b, 0);
  assert.ok(fell >= 1, JSON.stringify(s.executorFallbackReasons));
});


test('an executor without Go installed: the tools travel in the action, and the binary is bare go build\'s', { skip: skip || (canHide ? false : 'needs root and unshare'), timeout: 300_000 }, async () => {
  // Go's directory is an empty read-only tmpfs in the executor's mount namespace: the step's tool is placed over its nearest directory there.
  const hide = 'set -e; mount --make-rprivate /; mount -t tmpfs -o ro,size=4k hidden /usr/lib/go-1.19; if [ -e /usr/lib/go-1.19/bin/go ] || go version >/dev/null 2>&1; then echo "go is still there" >&2; exit 1; fi; exec "$@"';
  const bareServe = await startRepriseServe(join(ws.dir, 'serve-no-go'), ['--listen', '127.0.0.1:0', '--execute'], (cmd) => ['unshare', '-m', 'sh', '-c', hide, 'sh', ...cmd]);
  try {
    const url = `grpc://${bareServe.grpc!}`;
    await configure(`[[executor]]\nurl = "${url}"\ntrusted = true\ntimeout = "2m"\n`);
    writeFileSync(join(proj, 'greet', 'extra.go'), 'package greet\n\n// Extra is the executor\'s without Go.\nfunc Extra() int { return 11 }\n');
    const bare = await build('bare-no-go', 'bare');
    assert.ok(bare.equals(await build('no-go', 'reprise', proj, { REPRISE_EXECUTE: 'remote' })), 'the binary built on an executor without Go differs from bare go build\'s');
    const s = await stats(ws.env);
    assert.ok((s.executors[url]?.completed ?? 0) >= 2, `${JSON.stringify(s.executors[url])} ${JSON.stringify(s.executorFallbackReasons)}\n${bareServe.output()}`);
    assert.deepEqual(Object.keys(s.executorFallbackReasons[url] ?? {}).filter((r) => r !== 'not-sendable'), [], JSON.stringify(s.executorFallbackReasons));
  } finally {
    await bareServe.stop();
  }
});
