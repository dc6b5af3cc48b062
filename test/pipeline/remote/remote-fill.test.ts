// Misses through the real shim and daemon sent to Bazel's remote worker (started in a mount
// namespace where gcc, as, /usr/lib/gcc and /usr/include are hidden, when root can do that) by
// REPRISE_EXECUTOR and REPRISE_EXECUTE: the policy (`local` sends nothing, `auto` sends nothing
// from a serial build while a local slot is free, and feeds an idle executor from a parallel one), an executor that is down (every miss falls back, counted, and the
// build is right), one that never answers (its timeout opens its breaker), the __has_include case that motivated the sandbox's rule (a header that exists
// on the host but that no compile reads must answer the same remotely), and where results go:
// an untrusted executor's are stored unsandboxed (local only), a trusted one's sandboxed.
// With `toolchain = "image"` a worker that sees the host stands in for an image that has gcc:
// the root carries only the project's files, the objects are bare gcc's, and the results stay
// local (image-unproven) even from a trusted executor; the worker without gcc is an image that
// lacks the compiler, whose failed actions fall back to local fills.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import test from 'node:test';
import type { StatsSnapshot } from '../../../src/stats/types.js';
import { bazelWorkerJar, startBazelWorker, type BazelWorker } from '../../helpers/bazel-remote-worker.js';
import { HIDE_COMPILER } from '../../helpers/hide-compiler.js';
import { reprise, stats } from '../../helpers/reprise-cli.js';
import { run, text } from '../../helpers/run.js';
import { freePort } from '../../helpers/servers/free-port.js';
import { createWorkspace, type Workspace } from '../../helpers/workspace.js';
import { writeSlowSource } from '../../helpers/slow-source.js';
import { storedResults } from '../../helpers/stored-results.js';
import { startRepriseServe } from '../../helpers/servers/reprise-serve.js';
import { waitFor } from '../../helpers/wait.js';

const jar = bazelWorkerJar();
const skip = 'missing' in jar ? jar.missing : false;
if (skip && process.env.CI) throw new Error(`remote execution tests are required under CI: ${skip}`);
const canHide = process.getuid?.() === 0;

const spaces: Workspace[] = [];
let worker: BazelWorker | undefined;
let imageWorker: BazelWorker | undefined;
test.after(async () => {
  await worker?.stop();
  await imageWorker?.stop();
  spaces.forEach((w) => w.cleanup());
});

const COMPILES = [
  ['-c', '-O2', '-Iinc', 'a.c', '-o', 'a.o'],
  ['-c', '-O2', '-Iinc', 'b.c', '-o', 'b.o'],
];

/** A project whose b.c asks __has_include about headers it never includes: one quoted beside it, one in a -I directory. */
function project(ws: Workspace): void {
  mkdirSync(join(ws.dir, 'inc'), { recursive: true });
  mkdirSync(join(ws.dir, 'opt'), { recursive: true });
  writeFileSync(join(ws.dir, 'inc', 'util.h'), 'static inline int twice(int x) { return 2 * x; }\n');
  writeFileSync(join(ws.dir, 'opt', 'feature.h'), '#error never included\n');
  writeFileSync(join(ws.dir, 'inc', 'extra.h'), '#error never included either\n');
  // Written now, not just before their compiles: a file changed within the compile's window is not stored.
  writeFileSync(join(ws.dir, 'w.c'), '#include <stdio.h>\n#include "util.h"\nint w(void) { int unused; return twice(1); }\n');
  writeFileSync(join(ws.dir, 'abs.c'), `#include "${join(ws.realDir, 'inc', 'util.h')}"\nint g(void) { return twice(3); }\n`);
  writeFileSync(join(ws.dir, 'a.c'), '#include <stdio.h>\n#include "util.h"\nint main(void) { printf("%d\\n", twice(21)); return 0; }\n');
  writeFileSync(join(ws.dir, 'b.c'), [
    '#include "util.h"',
    '#if __has_include("opt/feature.h")',
    'int feature = 1;',
    '#else',
    'int feature = 0;',
    '#endif',
    '#if __has_include(<extra.h>)',
    'int extra = 2;',
    '#else',
    'int extra = 3;',
    '#endif',
    'int f(int x) { return twice(x) + feature + extra; }',
    '',
  ].join('\n'));
}

/** Compiles every file through the shim, then bare into *.bare.o; returns the objects that differ. */
async function buildAndCompare(ws: Workspace, env: NodeJS.ProcessEnv): Promise<string[]> {
  for (const args of COMPILES) {
    const r = await run('gcc', args, { cwd: ws.dir, env });
    assert.equal(r.code, 0, text(r));
  }
  const differ: string[] = [];
  for (const args of COMPILES) {
    const out = args[args.length - 1]!;
    const bare = out.replace(/\.o$/, '.bare.o');
    execFileSync('gcc', [...args.slice(0, -1), bare], { cwd: ws.dir, env: ws.bareEnv });
    if (!readFileSync(join(ws.dir, out)).equals(readFileSync(join(ws.dir, bare)))) differ.push(out);
  }
  return differ;
}

function space(): Workspace {
  const ws = createWorkspace('reprise-rexec-fill-');
  spaces.push(ws);
  project(ws);
  return ws;
}

async function startWorker(): Promise<string> {
  if (!worker) {
    const dir = space().dir;
    worker = await startBazelWorker((jar as { jar: string }).jar, join(dir, 'worker'), canHide ? ['unshare', '-m', 'sh', '-c', HIDE_COMPILER, 'sh', join(dir, 'empty')] : []);
  }
  return `grpc://127.0.0.1:${worker.port}`;
}

function executor(s: StatsSnapshot, url: string): NonNullable<StatsSnapshot['executors'][string]> | undefined {
  return s.executors[url];
}

test('REPRISE_EXECUTE=local sends nothing; auto sends nothing while a local slot is free', { skip }, async () => {
  const url = await startWorker();
  for (const policy of ['local', 'auto']) {
    const ws = space();
    const differ = await buildAndCompare(ws, { ...ws.env, REPRISE_EXECUTOR: url, REPRISE_EXECUTE: policy });
    assert.deepEqual(differ, []);
    const s = await stats(ws.env);
    assert.equal(s.tools.gcc?.miss, 2, JSON.stringify(s.tools));
    assert.equal(executor(s, url)?.['actions-sent'] ?? 0, 0, `${policy}: ${JSON.stringify(s.executors)}`);
  }
});

test('auto: with one local slot, calls that find it busy go remote without waiting for it; the first, alone, compiles here', { skip, timeout: 300_000 }, async () => {
  const url = await startWorker();
  const ws = space();
  const slow = writeSlowSource(ws.dir);
  const env = { ...ws.env, REPRISE_EXECUTOR: url, REPRISE_MAX_JOBS: '1' }; // REPRISE_EXECUTE defaults to auto
  // Warms the daemon up (a compile alone stays here), so the slow one decides at once.
  writeFileSync(join(ws.dir, 'alone.c'), 'int alone(void) { return 1; }\n');
  assert.equal((await run('gcc', ['-c', 'alone.c', '-o', 'alone.o'], { cwd: ws.dir, env })).code, 0);
  // The slow compile, alone, takes the only slot and compiles here; the two others find it busy.
  const first = run('gcc', ['-c', '-O2', slow, '-o', 'slow.o'], { cwd: ws.dir, env });
  await waitFor('the slow compile to hold the slot', async () => (await reprise(['daemon', 'status', '--json'], ws.env)).stdout.toString().includes('"jobsRunning":1'));
  await new Promise((r) => setTimeout(r, 300));
  const rest = COMPILES.map((args) => run('gcc', args, { cwd: ws.dir, env }));
  for (const r of [await first, ...(await Promise.all(rest))]) assert.equal(r.code, 0, text(r));
  const s = await stats(ws.env);
  assert.equal(s.tools.gcc?.miss, 4, JSON.stringify(s.tools));
  const e = executor(s, url);
  assert.ok(e && e.completed === 2 && e['actions-sent'] === 2, `the two that found the slot busy remote, the slow one local: ${JSON.stringify(s.executors)} ${JSON.stringify(s.executorFallbackReasons)}`);
  assert.equal(e['fallen-back'], 0);
  for (const args of COMPILES) {
    const out = args[args.length - 1]!;
    execFileSync('gcc', [...args.slice(0, -1), 'bare.o'], { cwd: ws.dir, env: ws.bareEnv });
    assert.ok(readFileSync(join(ws.dir, out)).equals(readFileSync(join(ws.dir, 'bare.o'))), out);
  }
});

test('auto: an action still queued on the executor when the local slot frees is taken back and compiled here (taken-back), with bare gcc\'s object', { skip, timeout: 300_000 }, async (t) => {
  const ws = space();
  // reprise serve streams the operation's stages (Bazel's worker does not, so nothing is taken back from it); one job: a second action queues.
  const serve = await startRepriseServe(join(ws.dir, 'serve'), ['--listen', '127.0.0.1:0', '--execute', '--jobs', '1']);
  t.after(async () => void (await serve.stop()));
  const url = `grpc://${serve.grpc!}`;
  // Written before the seeding: a source changed within its compile's window is not stored.
  const [local, first, second] = [writeSlowSource(ws.dir, 'local.c', 700), writeSlowSource(ws.dir, 'first.c', 1500), writeSlowSource(ws.dir, 'second.c', 100)];
  writeFileSync(join(ws.dir, 'alone.c'), 'int alone(void) { return 1; }\n');
  // The executor gets the toolchain first, from another daemon: the actions below then reach its queue at once.
  const seed = space();
  writeFileSync(join(seed.dir, 'alone.c'), 'int alone(void) { return 1; }\n');
  assert.equal((await run('gcc', ['-c', 'alone.c', '-o', 'alone.o'], { cwd: seed.dir, env: { ...seed.env, REPRISE_EXECUTOR: url, REPRISE_EXECUTE: 'remote' } })).code, 0);
  const env = { ...ws.env, REPRISE_EXECUTOR: url, REPRISE_MAX_JOBS: '1' }; // auto
  assert.equal((await run('gcc', ['-c', 'alone.c', '-o', 'alone.o'], { cwd: ws.dir, env })).code, 0);
  // The local one (about 2.3 s) ends while the first sent (5 s) still runs there and the second waits behind it.
  const compile = (src: string): ReturnType<typeof run> => run('gcc', ['-c', '-O2', src, '-o', src.replace(/\.c$/, '.o')], { cwd: ws.dir, env });
  const here = compile(local);
  await waitFor('the local compile to hold the slot', async () => (await reprise(['daemon', 'status', '--json'], ws.env)).stdout.toString().includes('"jobsRunning":1'));
  const sent = compile(first);
  // Its action reaches the executor first (a smaller one sent at once could overtake it there).
  await new Promise((r) => setTimeout(r, 1000));
  const queued = compile(second);
  for (const r of [await here, await sent, await queued]) assert.equal(r.code, 0, text(r));
  const s = await stats(ws.env);
  assert.deepEqual(s.executorFallbackReasons[url], { 'taken-back': 1 }, JSON.stringify(s.executors));
  assert.equal(executor(s, url)?.completed, 1);
  assert.equal(s.tools.gcc?.miss, 4, JSON.stringify(s.tools));
  execFileSync('gcc', ['-c', '-O2', second, '-o', 'bare.o'], { cwd: ws.dir, env: ws.bareEnv });
  assert.ok(readFileSync(join(ws.dir, 'second.o')).equals(readFileSync(join(ws.dir, 'bare.o'))), 'the one taken back');
});

test('auto: compiles side by side feed an executor with room even while local slots are free; a compile alone stays here', { skip, timeout: 300_000 }, async () => {
  const url = await startWorker();
  const ws = space();
  const slow = writeSlowSource(ws.dir);
  const env = { ...ws.env, REPRISE_EXECUTOR: url, REPRISE_MAX_JOBS: '4' }; // REPRISE_EXECUTE defaults to auto
  // A compile alone stays here (and warms the daemon up, so the next one decides at once).
  writeFileSync(join(ws.dir, 'alone.c'), 'int alone(void) { return 1; }\n');
  const alone = await run('gcc', ['-c', 'alone.c', '-o', 'alone.o'], { cwd: ws.dir, env });
  assert.equal(alone.code, 0, text(alone));
  assert.equal(executor(await stats(ws.env), url)?.['actions-sent'] ?? 0, 0, 'a compile alone is not sent');
  // The slow compile starts alone (local); the two others come while it runs: no call waits for a slot, but the executor has none of ours.
  const first = run('gcc', ['-c', '-O2', slow, '-o', 'slow.o'], { cwd: ws.dir, env });
  await new Promise((r) => setTimeout(r, 1000));
  const rest = COMPILES.map((args) => run('gcc', args, { cwd: ws.dir, env }));
  for (const r of [await first, ...(await Promise.all(rest))]) assert.equal(r.code, 0, text(r));
  const s = await stats(ws.env);
  assert.equal(s.tools.gcc?.miss, 4, JSON.stringify(s.tools));
  const e = executor(s, url);
  assert.ok(e && e.completed === 2 && e['actions-sent'] === 2, `the two side by side remote, the one alone local: ${JSON.stringify(s.executors)} ${JSON.stringify(s.executorFallbackReasons)}`);
  for (const args of COMPILES) {
    const out = args[args.length - 1]!;
    execFileSync('gcc', [...args.slice(0, -1), 'bare.o'], { cwd: ws.dir, env: ws.bareEnv });
    assert.ok(readFileSync(join(ws.dir, out)).equals(readFileSync(join(ws.dir, 'bare.o'))), out);
  }
});

test('an executor that is down: every miss falls back to the local fill, counted, and the objects are the bare ones', { skip }, async () => {
  const ws = space();
  const url = `grpc://127.0.0.1:${await freePort()}`;
  const differ = await buildAndCompare(ws, { ...ws.env, REPRISE_EXECUTOR: url, REPRISE_EXECUTE: 'remote' });
  assert.deepEqual(differ, []);
  const s = await stats(ws.env);
  assert.equal(s.tools.gcc?.miss, 2, JSON.stringify(s));
  // The first miss finds it unreachable; the next skips it for a while (its breaker) instead of trying again.
  assert.equal(executor(s, url)?.['actions-sent'], 1, JSON.stringify(s.executors));
  assert.equal(executor(s, url)?.['fallen-back'], 2);
  assert.equal(executor(s, url)?.completed, 0);
  assert.deepEqual(s.executorFallbackReasons[url], { unavailable: 1, 'executor-down': 1 });
  assert.match((await reprise(['stats'], ws.env)).stdout.toString(), new RegExp(`executor ${url}: 1 sent, 0 completed, 0 failed, 2 fallen back \\((unavailable 1, executor-down 1|executor-down 1, unavailable 1)\\)`));
});

test('clang, its own compiler: its misses are not sent with the toolchain (not-sendable), and the object is bare clang\'s', { skip }, async () => {
  const url = await startWorker();
  const ws = space();
  const args = ['-c', '-O2', '-Iinc', 'a.c', '-o', 'a.o'];
  const r = await run('clang', args, { cwd: ws.dir, env: { ...ws.env, REPRISE_EXECUTOR: url, REPRISE_EXECUTE: 'remote' } });
  assert.equal(r.code, 0, text(r));
  execFileSync('clang', [...args.slice(0, -1), 'a.bare.o'], { cwd: ws.dir, env: ws.bareEnv });
  assert.ok(readFileSync(join(ws.dir, 'a.o')).equals(readFileSync(join(ws.dir, 'a.bare.o'))));
  const s = await stats(ws.env);
  assert.equal(s.tools.clang?.miss, 1, JSON.stringify(s.tools));
  // Sent, it failed or was refused there (its resource directory is found from its own location) after uploading 260-320 MB.
  assert.equal(executor(s, url)?.['actions-sent'] ?? 0, 0, JSON.stringify(s.executors));
  assert.deepEqual(s.executorFallbackReasons[url], { 'not-sendable': 1 });
});

test('an executor that comes back: after its cool-down ([[executor]] cooldown) a probe finds it, and the next miss runs there', { skip, timeout: 120_000 }, async (t) => {
  const ws = space();
  const port = await freePort();
  const url = `grpc://127.0.0.1:${port}`;
  writeFileSync(ws.configFile, `[daemon]\nexecute = "remote"\n\n[[executor]]\nurl = "${url}"\ncooldown = "1s"\n`);
  const compile = async (args: string[]): Promise<void> => {
    const r = await run('gcc', args, { cwd: ws.dir, env: ws.env });
    assert.equal(r.code, 0, text(r));
  };
  await compile(COMPILES[0]!); // nobody listens: unavailable, and skipped for a second
  const serve = await startRepriseServe(join(ws.dir, 'serve'), ['--listen', `127.0.0.1:${port}`, '--execute']);
  t.after(async () => void (await serve.stop()));
  await new Promise((r) => setTimeout(r, 1200));
  await compile(COMPILES[1]!); // past the cool-down: a probe asks, and this miss does not wait for it
  await new Promise((r) => setTimeout(r, 1500));
  await compile(['-c', '-O2', '-Iinc', 'w.c', '-o', 'w.o']);
  const s = await stats(ws.env);
  assert.deepEqual(s.executorFallbackReasons[url], { unavailable: 1, 'executor-down': 1 });
  assert.equal(executor(s, url)?.completed, 1, `${JSON.stringify(s.executors)}: the probe found it back, the third miss ran there`);
  execFileSync('gcc', ['-c', '-O2', '-Iinc', 'w.c', '-o', 'w.bare.o'], { cwd: ws.dir, env: ws.bareEnv });
  assert.ok(readFileSync(join(ws.dir, 'w.o')).equals(readFileSync(join(ws.dir, 'w.bare.o'))));
});

test('an executor that accepts connections and never answers (unplugged mid-call): the miss waits its timeout, then it is skipped', { skip }, async () => {
  const ws = space();
  // A TCP listener that never speaks: calls to it hang as they do to a machine that lost its link or its power.
  const held: Socket[] = [];
  const silent = createServer((sock) => void held.push(sock));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const url = `grpc://127.0.0.1:${(silent.address() as AddressInfo).port}`;
  try {
    writeFileSync(ws.configFile, `[[executor]]\nurl = "${url}"\ntimeout = "1s"\n`);
    const differ = await buildAndCompare(ws, { ...ws.env, REPRISE_EXECUTE: 'remote' });
    assert.deepEqual(differ, []);
    const s = await stats(ws.env);
    assert.equal(s.tools.gcc?.miss, 2, JSON.stringify(s));
    // The executor's own deadline is a timeout (not the caller giving up), so its breaker opens and the second miss does not wait.
    assert.deepEqual(s.executorFallbackReasons[url], { timeout: 1, 'executor-down': 1 });
    assert.equal(executor(s, url)?.['actions-sent'], 1, JSON.stringify(s.executors));
  } finally {
    held.forEach((sock) => sock.destroy());
    silent.close();
  }
});

test('remote fills: __has_include answers as on the host, untrusted results are stored unsandboxed, trusted ones sandboxed', { skip, timeout: 300_000 }, async () => {
  const url = await startWorker();
  const untrusted = space();
  const env = { ...untrusted.env, REPRISE_EXECUTOR: url, REPRISE_EXECUTE: 'remote' };
  assert.deepEqual(await buildAndCompare(untrusted, env), [], 'the remote objects are the bare compiler\'s (b.o: both __has_include answers are the host\'s)');
  const s = await stats(untrusted.env);
  assert.equal(executor(s, url)?.completed, 2, `${JSON.stringify(s.executors)} ${JSON.stringify(s.executorFallbackReasons)}`);
  assert.equal(executor(s, url)?.['fallen-back'], 0);
  assert.ok((executor(s, url)?.['upload-bytes'] ?? 0) > 0);
  assert.equal(s.tools.gcc?.miss, 2);
  const results = storedResults(untrusted);
  assert.equal(results.length, 2);
  for (const r of results) assert.deepEqual({ sandboxed: r.sandboxed, executor: r.executor }, { sandboxed: false, executor: url });
  // Served here again while that executor is configured.
  rmSync(join(untrusted.dir, 'b.o'));
  const again = await run('gcc', COMPILES[1]!, { cwd: untrusted.dir, env });
  assert.equal(again.code, 0, text(again));
  assert.ok(readFileSync(join(untrusted.dir, 'b.o')).equals(readFileSync(join(untrusted.dir, 'b.bare.o'))));
  assert.equal((await stats(untrusted.env)).tools.gcc?.['direct-hit'], 1);

  // The caller's own depfile (w.c's) comes back as the host's compiler writes it (paths and line wrapping), as do warnings.
  const withDeps = ['-c', '-Wall', '-Iinc', '-MD', '-MF', 'deps/w.d', 'w.c', '-o', 'w.o'];
  mkdirSync(join(untrusted.dir, 'deps'));
  const remoteRun = await run('gcc', withDeps, { cwd: untrusted.dir, env });
  assert.equal(remoteRun.code, 0, text(remoteRun));
  const remoteDeps = readFileSync(join(untrusted.dir, 'deps', 'w.d'));
  const bareRun = await run('gcc', withDeps, { cwd: untrusted.dir, env: untrusted.bareEnv });
  assert.equal(bareRun.code, 0, text(bareRun));
  assert.equal(remoteDeps.toString(), readFileSync(join(untrusted.dir, 'deps', 'w.d')).toString());
  assert.equal(remoteRun.stderr.toString(), bareRun.stderr.toString(), 'the warning, as the host gives it');
  assert.match(remoteRun.stderr.toString(), /unused variable/);
  const afterW = await stats(untrusted.env);
  assert.equal(executor(afterW, url)?.completed, 3);
  assert.equal(afterW.tools.gcc?.miss, 3, JSON.stringify(afterW.uncacheableReasons));

  // An absolute #include (abs.c) reads the executor's own disk (here the same /tmp): its depfile says so, and the miss compiles here.
  const abs = await run('gcc', ['-c', '-O2', 'abs.c', '-o', 'abs.o'], { cwd: untrusted.dir, env });
  assert.equal(abs.code, 0, text(abs));
  const afterAbs = await stats(untrusted.env);
  assert.equal(afterAbs.executorFallbackReasons[url]?.['read-outside-root'], 1, JSON.stringify(afterAbs.executorFallbackReasons));
  assert.equal(afterAbs.tools.gcc?.miss, 4, `filled and stored locally: ${JSON.stringify(afterAbs.tools.gcc)} ${JSON.stringify(afterAbs.uncacheableReasons)}`);

  // A trusted executor (config file): sandboxed results.
  const trusted = space();
  writeFileSync(trusted.configFile, `[daemon]\nexecute = "remote"\n\n[[executor]]\nurl = "${url}"\ntrusted = true\ntimeout = "2m"\n`);
  assert.deepEqual(await buildAndCompare(trusted, trusted.env), []);
  assert.equal(executor(await stats(trusted.env), url)?.completed, 2);
  for (const r of storedResults(trusted)) assert.deepEqual({ sandboxed: r.sandboxed, executor: r.executor }, { sandboxed: true, executor: url });

  // A compile that fails remotely is compiled locally: the caller gets the host's messages and exit code.
  writeFileSync(join(untrusted.dir, 'bad.c'), 'int f(void) { return undeclared; }\n');
  const bad = await run('gcc', ['-c', 'bad.c', '-o', 'bad.o'], { cwd: untrusted.dir, env });
  const bareBad = await run('gcc', ['-c', 'bad.c', '-o', 'bad.o'], { cwd: untrusted.dir, env: untrusted.bareEnv });
  assert.equal(bad.code, bareBad.code);
  assert.equal(bad.stderr.toString(), bareBad.stderr.toString());
  assert.equal((await stats(untrusted.env)).executorFallbackReasons[url]?.['remote-exit-nonzero'], 1);
});

test('absolute paths in the arguments, as CMake gives them: __FILE__, debug information and the depfile come back as bare gcc writes them', { skip, timeout: 300_000 }, async () => {
  const url = await startWorker();
  const ws = space();
  const root = join(ws.realDir, 'cm');
  mkdirSync(join(root, 'src'), { recursive: true });
  mkdirSync(join(root, 'inc'), { recursive: true });
  mkdirSync(join(root, 'build', 'out'), { recursive: true });
  writeFileSync(join(root, 'inc', 'where.h'), 'static inline const char *header_file(void) { return __FILE__; }\n');
  writeFileSync(join(root, 'src', 'f.c'), '#include "where.h"\nconst char *source_file = __FILE__;\nconst char *f(void) { return header_file(); }\n');
  const obj = join(root, 'build', 'out', 'f.o');
  const dep = join(root, 'build', 'out', 'f.d');
  const args = ['-g', '-O2', `-I${join(root, 'inc')}`, '-MD', '-MT', obj, '-MF', dep, '-o', obj, '-c', join(root, 'src', 'f.c')];
  const cwd = join(root, 'build');
  const r = await run('gcc', args, { cwd, env: { ...ws.env, REPRISE_EXECUTOR: url, REPRISE_EXECUTE: 'remote' } });
  assert.equal(r.code, 0, text(r));
  const s = await stats(ws.env);
  assert.equal(executor(s, url)?.completed, 1, `${JSON.stringify(s.executors)} ${JSON.stringify(s.executorFallbackReasons)}`);
  const remoteObj = readFileSync(obj);
  const remoteDep = readFileSync(dep, 'utf8');
  assert.ok(remoteObj.includes(Buffer.from(join(root, 'src', 'f.c'))), 'the source as the host names it');
  const bare = await run('gcc', args, { cwd, env: ws.bareEnv });
  assert.equal(bare.code, 0, text(bare));
  assert.ok(remoteObj.equals(readFileSync(obj)), "the object is bare gcc's");
  assert.equal(remoteDep, readFileSync(dep, 'utf8'), "the depfile is bare gcc's");
});

test('toolchain = "image": only the project travels, the objects are bare gcc\'s, results stay local; an image without gcc falls back', { skip, timeout: 300_000 }, async () => {
  const hosted = space();
  imageWorker = await startBazelWorker((jar as { jar: string }).jar, join(hosted.dir, 'worker'));
  const url = `grpc://127.0.0.1:${imageWorker.port}`;
  // Trusted, yet the image's compiler is not proven to be this host's. (Not container-image: Bazel's worker would run the command under docker.)
  const table = (u: string): string => `[daemon]\nexecute = "remote"\n\n[[executor]]\nurl = "${u}"\ntoolchain = "image"\ntrusted = true\nplatform = { Pool = "gcc-12" }\n`;
  writeFileSync(hosted.configFile, table(url));
  assert.deepEqual(await buildAndCompare(hosted, hosted.env), [], 'the objects are bare gcc\'s (b.o: both __has_include answers are the host\'s)');
  const s = await stats(hosted.env);
  const e = executor(s, url);
  assert.ok(e, JSON.stringify(s.executors));
  assert.equal(e.completed, 2, JSON.stringify(s.executorFallbackReasons));
  assert.equal(e['image-unproven'], 2);
  assert.equal(s.tools.gcc?.miss, 2);
  // The sources and project headers (a few hundred bytes) and the action's messages: no toolchain, no system header.
  assert.ok(e['upload-bytes'] > 0 && e['upload-bytes'] < 20_000, `${e['upload-bytes']} bytes uploaded`);
  for (const r of storedResults(hosted)) assert.deepEqual({ sandboxed: r.sandboxed, executor: r.executor }, { sandboxed: false, executor: url });
  assert.match((await reprise(['stats'], hosted.env)).stdout.toString(), new RegExp(`executor ${url}: 2 sent, 2 completed \\(2 by its image's toolchain: kept on this machine\\)`));

  // The worker without gcc is an image that lacks the compiler: the actions fail there, and the calls get local fills.
  if (!canHide) return;
  const lacking = space();
  const hiddenUrl = await startWorker();
  writeFileSync(lacking.configFile, table(hiddenUrl));
  assert.deepEqual(await buildAndCompare(lacking, lacking.env), []);
  const l = await stats(lacking.env);
  assert.equal(executor(l, hiddenUrl)?.completed, 0, JSON.stringify(l.executors));
  assert.deepEqual(l.executorFallbackReasons[hiddenUrl], { 'remote-exit-nonzero': 2 });
  assert.equal(l.tools.gcc?.miss, 2);
  for (const r of storedResults(lacking)) assert.equal(r.sandboxed, true, 'filled here, in the sandbox');
});
