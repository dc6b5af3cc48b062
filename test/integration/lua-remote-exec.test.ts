// Issue 17's acceptances 1 and 2 through the real pipeline: the Lua corpus (136 compiles through
// libtool, gcc and g++, PIC and not, Debian's -g -O2 -ffile-prefix-map flags) built with make
// through the shims and daemon, with REPRISE_EXECUTE=remote: every miss runs on an executor.
// 1. REPRISE_EXECUTOR names Bazel's remote worker started in a mount namespace where gcc, g++,
//    as, /usr/lib/gcc and /usr/include are hidden (the toolchain travels in the action, and the
//    inputs are what the traced pre-pass found on the host). Every miss completes there, and
//    `reprise trace` puts each on a lane of the executor's.
// 2. Three hosts, each a network namespace with its own address (test/helpers/netns-hosts.ts):
//    the build runs on A (its own checkout path, daemon and store), executing on B (`reprise
//    serve --execute`) and C (Bazel's worker, without gcc). C loses its link and every process
//    mid-build; the build passes, and the actions lost with C are counted as fallen back.
// Both builds' objects must be byte-identical to the bare build's (test/helpers/bare-lua.ts; they do not depend on
// the checkout's path: Debian's -ffile-prefix-map maps the build directory to `.`).
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import test from 'node:test';
import { adminRequest } from '../../src/client/admin-request.js';
import { installPaths } from '../../src/runtime/install-paths.js';
import { runtimePaths } from '../../src/runtime/runtime-paths.js';
import type { StatsSnapshot } from '../../src/stats/types.js';
import type { ChromeTrace, ChromeTraceEvent } from '../../src/trace/types.js';
import { bazelWorkerJar, startBazelWorker, type BazelWorker } from '../helpers/bazel-remote-worker.js';
import { benchDir, luaCorpusRoot } from '../helpers/corpus.js';
import { HIDE_COMPILER } from '../helpers/hide-compiler.js';
import { createNetHosts, netnsMissing, type NetHost, type NetHosts } from '../helpers/netns-hosts.js';
import { objectDigests } from '../helpers/object-digests.js';
import { bareLuaDigests } from '../helpers/bare-lua.js';
import { reprise, stats } from '../helpers/reprise-cli.js';
import { run, text } from '../helpers/run.js';
import { startRepriseServe, type RepriseServeProcess } from '../helpers/servers/reprise-serve.js';
import { createWorkspace, type Workspace } from '../helpers/workspace.js';

const corpus = await luaCorpusRoot();
const jar = bazelWorkerJar();
const canHide = process.getuid?.() === 0;
const skip = 'missing' in corpus ? corpus.missing : 'missing' in jar ? jar.missing : !canHide ? 'needs root to hide the compiler (unshare -m)' : false;
if (skip && process.env.CI) throw new Error(`remote execution of the Lua corpus is required under CI: ${skip}`);

const ws = createWorkspace('reprise-lua-rexec-');
const script = join(installPaths.root, 'test', 'fixtures', 'lua-build.sh');
let worker: BazelWorker | undefined;
let hostA: Workspace | undefined;
let serveB: RepriseServeProcess | undefined;
let workerC: BazelWorker | undefined;
let net: NetHosts | undefined;
test.after(async () => {
  await worker?.stop();
  await serveB?.stop();
  await workerC?.stop();
  net?.cleanup();
  hostA?.cleanup();
  ws.cleanup();
});

/** A fresh copy of the Lua sources under `root`, for lua-build.sh. */
async function luaCheckout(root: string, corpusRoot: string): Promise<void> {
  mkdirSync(join(root, 'src'), { recursive: true });
  assert.equal((await run('cp', ['-a', join(corpusRoot, 'src', 'lua5.4-5.4.4'), join(root, 'src')])).code, 0);
}

function sameObjects(remote: Map<string, string>, bareObjects: Map<string, string>, where: string): void {
  assert.deepEqual([...remote.keys()].sort(), [...bareObjects.keys()].sort());
  const differ = [...bareObjects].filter(([obj, digest]) => remote.get(obj) !== digest).map(([obj]) => obj);
  assert.deepEqual(differ, [], `objects compiled ${where} differ from the bare build's`);
}

test('the Lua corpus built with every miss executed on a worker without gcc gives the bare build\'s objects', { skip, timeout: 900_000 }, async (t) => {
  if ('missing' in corpus || 'missing' in jar) return;
  const root = join(ws.dir, 'lua');
  await luaCheckout(root, corpus.root);
  worker = await startBazelWorker(jar.jar, join(ws.dir, 'worker'), ['unshare', '-m', 'sh', '-c', HIDE_COMPILER, 'sh', join(ws.dir, 'empty')]);
  const url = `grpc://127.0.0.1:${worker.port}`;
  const traceOut = join(ws.dir, 'trace');
  const env = { ...ws.bareEnv, BENCH_DIR: benchDir, REPRISE_CLI: join(installPaths.root, 'bin', 'reprise.js'), JOBS: '2', LUA_CONFIGURED_FROM: corpus.root, REPRISE_EXECUTOR: url, REPRISE_EXECUTE: 'remote', TRACE_OUT: traceOut };

  const started = performance.now();
  const built = await run(script, [root, 'trace'], { env });
  assert.equal(built.code, 0, text(built));
  const wall = performance.now() - started;
  const src = join(root, 'work', 'lua5.4', 'src');
  const remote = objectDigests(src);
  assert.equal((await reprise(['daemon', 'stop'], env)).code, 0);
  const s = await stats(env);
  const e = s.executors[url];
  assert.ok(e, JSON.stringify(s.executors));
  const misses = Object.values(s.tools).reduce((n, c) => n + c.miss, 0);
  t.diagnostic(`${misses} misses, ${(wall / 1000).toFixed(1)} s wall through the shims, 2 at a time`);
  t.diagnostic(`executor: ${JSON.stringify(e)}; fallen back: ${JSON.stringify(s.executorFallbackReasons[url] ?? {})}`);
  t.diagnostic(`per action: upload ${(e['upload-ms'] / e['actions-sent']).toFixed(0)} ms, execute ${(e['execute-ms'] / e['actions-sent']).toFixed(0)} ms, download ${(e['download-ms'] / e['actions-sent']).toFixed(0)} ms; ${(e['upload-bytes'] / 1e6).toFixed(1)} MB uploaded in all`);
  assert.ok(misses >= 130, JSON.stringify(s.tools));
  assert.equal(e['fallen-back'], 0, JSON.stringify(s.executorFallbackReasons));
  assert.equal(e.completed, misses, 'every miss was compiled on the executor');
  assert.equal(e['actions-run'], misses);
  // `reprise trace` gives the executor lanes of its own, and every miss sits on one of them.
  const trace = JSON.parse(readFileSync(join(traceOut, 'trace.json'), 'utf8')) as ChromeTrace;
  const laneName = new Map(trace.traceEvents.flatMap((x) => (x.ph === 'M' && x.name === 'thread_name' ? [[x.tid, x.args.name ?? '']] : [])));
  const missed = trace.traceEvents.filter((x): x is Extract<ChromeTraceEvent, { ph: 'X' }> => x.ph === 'X' && x.cat === 'miss');
  assert.equal(missed.length, misses);
  assert.deepEqual(missed.filter((x) => x.args.executor !== url || !laneName.get(x.tid)?.startsWith(`${url} `)).map((x) => x.name), [], 'misses off the executor\'s lanes');
  await worker.stop();

  sameObjects(remote, await bareLuaDigests(corpus.root, ws.bareEnv), 'remotely');
});

const noNetns = skip || netnsMissing() || false;
if (noNetns && process.env.CI) throw new Error(`the three-host build is required under CI: ${noNetns}`);
/** Per action, upload to result, on both executors: an action lost with C costs its build this long at most. */
const EXECUTOR_TIMEOUT_S = 15;

test('three hosts: a build on A executes on B (reprise serve --execute) and C (Bazel\'s worker); C dies mid-build and nothing is lost', { skip: noNetns, timeout: 900_000 }, async (t) => {
  if ('missing' in corpus || 'missing' in jar) return;
  net = createNetHosts(3);
  const [a, b, c] = net.hosts as [NetHost, NetHost, NetHost];
  const dirB = join(ws.dir, 'host-b');
  const dirC = join(ws.dir, 'host-c');
  mkdirSync(dirC, { recursive: true });
  // B: the team server executing in its sandbox, listening on B's address only. C: Bazel's worker (it binds every address of C's namespace) without gcc.
  [serveB, workerC] = await Promise.all([
    startRepriseServe(dirB, ['--listen', `${b.ip}:0`, '--execute'], b.wrap),
    startBazelWorker(jar.jar, join(dirC, 'worker'), c.wrap(['unshare', '-m', 'sh', '-c', HIDE_COMPILER, 'sh', join(dirC, 'empty')])),
  ]);
  assert.ok(serveB.grpc?.startsWith(`${b.ip}:`), serveB.output());
  const urlB = `grpc://${serveB.grpc}`;
  const urlC = `grpc://${c.ip}:${workerC.port}`;

  // A: its own checkout path, runtime dir, store and config; the executors from its config file (B trusted: it runs actions in a sandbox).
  hostA = createWorkspace('reprise-host-a-');
  const root = join(hostA.dir, 'lua');
  await luaCheckout(root, corpus.root);
  writeFileSync(hostA.configFile, [
    '[[executor]]', `url = "${urlB}"`, 'trusted = true', `timeout = "${EXECUTOR_TIMEOUT_S}s"`, '',
    '[[executor]]', `url = "${urlC}"`, `timeout = "${EXECUTOR_TIMEOUT_S}s"`, '',
  ].join('\n'));
  const env: NodeJS.ProcessEnv = { ...hostA.bareEnv, BENCH_DIR: benchDir, REPRISE_CLI: join(installPaths.root, 'bin', 'reprise.js'), JOBS: '2', LUA_CONFIGURED_FROM: corpus.root, REPRISE_EXECUTE: 'remote' };
  delete env.REPRISE_EXECUTOR; // it would replace the config file's executors
  const paths = runtimePaths(hostA.runtimeDir);
  const live = async (): Promise<StatsSnapshot | undefined> => {
    const r = await adminRequest(paths.socket, 'stats');
    return r.kind === 'reply' && r.ok ? (r.value as StatsSnapshot) : undefined;
  };

  // The build on A: lua-build.sh's `reprise exec` starts A's daemon inside A's namespace (no daemon runs for A's runtime dir yet).
  const started = performance.now();
  const [file, ...args] = a.wrap([script, root, 'reprise']);
  let done = false;
  const building = run(file!, args, { env }).finally(() => (done = true));

  // Once C has completed a few actions and has one in flight, C goes away: its link first (A gets no FIN or RST, as from a machine that lost power), then every process in it.
  let daemonInA = false;
  let killedAt: number | undefined;
  let atKill: StatsSnapshot['executors'][string] | undefined;
  let lostAfterMs: number | undefined;
  while (!done) {
    await sleep(100);
    const s = await live();
    if (!s) continue;
    if (!daemonInA) {
      const pid = Number(readFileSync(paths.pid, 'utf8'));
      assert.ok(a.pids().includes(pid), `A's daemon (pid ${pid}) runs in A's namespace`);
      daemonInA = true;
    }
    const ec = s.executors[urlC];
    if (!ec) continue;
    if (killedAt === undefined) {
      const inFlight = ec['actions-sent'] - ec['actions-run'] - ec['fallen-back'];
      if (ec.completed >= 4 && inFlight > 0) {
        c.unplug();
        killedAt = performance.now();
        const killed = c.kill();
        atKill = ec;
        t.diagnostic(`C unplugged and ${killed} processes killed ${((killedAt - started) / 1000).toFixed(1)} s into the build, with ${ec.completed} actions completed there and ${inFlight} in flight`);
      }
    } else if (lostAfterMs === undefined && ec['fallen-back'] > atKill!['fallen-back']) {
      lostAfterMs = performance.now() - killedAt;
    }
  }
  const built = await building;
  const wall = performance.now() - started;
  assert.equal(built.code, 0, text(built));
  assert.ok(daemonInA, 'the daemon answered during the build');
  assert.ok(killedAt !== undefined, 'C was killed mid-build (it completed 4 actions and had one in flight before the build ended)');
  assert.deepEqual(c.pids(), [], 'nothing runs on C any more');
  const remote = objectDigests(join(root, 'work', 'lua5.4', 'src'));

  const s = await stats(env);
  assert.equal((await reprise(['daemon', 'stop'], env)).code, 0);
  const eb = s.executors[urlB];
  const ec = s.executors[urlC];
  assert.ok(eb && ec, JSON.stringify(s.executors));
  const misses = Object.values(s.tools).reduce((n, x) => n + x.miss, 0);
  const reasonsC = s.executorFallbackReasons[urlC] ?? {};
  t.diagnostic(`${misses} misses, ${(wall / 1000).toFixed(1)} s wall on A through the shims, 2 at a time; C's in-flight actions fell back ${lostAfterMs === undefined ? '(not seen while polling)' : `${(lostAfterMs / 1000).toFixed(1)} s`} after it died (timeout ${EXECUTOR_TIMEOUT_S} s)`);
  t.diagnostic(`B: ${JSON.stringify(eb)}; fallen back: ${JSON.stringify(s.executorFallbackReasons[urlB] ?? {})}`);
  t.diagnostic(`C: ${JSON.stringify(ec)}; fallen back: ${JSON.stringify(reasonsC)}`);
  assert.ok(misses >= 130, JSON.stringify(s.tools));
  assert.ok(eb.completed > 0 && ec.completed >= atKill!.completed && ec.completed > 0, 'both executors completed actions');
  assert.equal(eb['fallen-back'], 0, JSON.stringify(s.executorFallbackReasons));
  // Every action lost with C was counted as fallen back there, for C's outage, and was then run on B: every miss completed remotely.
  assert.ok(ec['fallen-back'] >= 1, JSON.stringify(reasonsC));
  assert.equal(Object.values(reasonsC).reduce((n, x) => n + x, 0), ec['fallen-back']);
  assert.deepEqual(Object.keys(reasonsC).filter((r) => r !== 'timeout' && r !== 'unavailable'), [], JSON.stringify(reasonsC));
  // At most the two compiles make runs at once were on C when it went; after that its breaker and probes, not misses, found it still gone.
  assert.ok(ec['fallen-back'] <= 2, JSON.stringify(reasonsC));
  assert.equal(ec['actions-sent'], ec['actions-run'] + ec['fallen-back'], 'every action sent to C ran there or fell back');
  assert.equal(eb.completed + ec.completed, misses, 'every miss was compiled on B or C');

  sameObjects(remote, await bareLuaDigests(corpus.root, ws.bareEnv), 'on B and C');
});
