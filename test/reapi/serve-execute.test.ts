// Issue 17: `reprise serve --execute` (the REAPI Execution service) driven by reprise's own
// execution client (src/exec/remote/), as test/exec/remote/gcc-remote-worker.test.ts drives
// Bazel's worker: a gcc compile whose input root carries the toolchain comes back byte-identical
// to bare gcc, a second Execute is answered from the action cache, an input the server loses
// between FindMissingBlobs and Execute (deleted from its store by an interceptor on the wire) is
// a FAILED_PRECONDITION naming the blob that the client recovers from, and a failing compile is a
// result. Then the sandbox itself (store files read-only, no network, a private /tmp, the
// environment exactly as sent, outputs of every kind, a timeout, a command that cannot start),
// outputs of every kind, the queue (WaitExecution by name, an abandoned action dropped unrun), and shutdown with an
// action running. The server is the CLI, on loopback.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { parseDepfile } from '../../src/adapters/gcc/parse-depfile.js';
import { buildGccAction } from '../../src/exec/remote/build-gcc-action.js';
import { buildInputRoot } from '../../src/exec/remote/build-input-root.js';
import { buildRemoteAction } from '../../src/exec/remote/build-remote-action.js';
import { createRemoteExecutionClient } from '../../src/exec/remote/create-remote-execution-client.js';
import type { ExecuteOutcome, ExecutionTimings, InputFile } from '../../src/exec/remote/types.js';
import { toolchainFiles } from '../../src/exec/toolchain-files.js';
import type { Digest } from '../../src/hashing/types.js';
import type { DigestMemo } from '../../src/exec/remote/mirror-host-files.js';
import { decodeReapiMessage, encodeReapiMessage } from '../../src/reapi/load-reapi-protos.js';
import { createReapiClient, type ReapiCallError } from '../../src/reapi/create-reapi-client.js';
import { EXECUTION_STAGE, type ExecuteRequest, type Operation, type Outgoing, type WireActionResult, type WireDigest } from '../../src/reapi/types.js';
import { toWireDigest } from '../../src/reapi/wire-digest.js';
import { runExecuteOperation } from '../../src/exec/remote/run-execute-operation.js';
import { MAX_FILE_BINDS } from '../../src/reapi/serve/execute/plan-staging.js';
import { createReapiTestClient } from '../helpers/reapi-test-client.js';
import { startRepriseServe, type RepriseServeProcess } from '../helpers/servers/reprise-serve.js';

const gcc = onPath('gcc');
const bwrap = onPath('bwrap');
const skip = !gcc ? 'gcc is not installed' : !bwrap ? 'bubblewrap is not installed' : false;
if (skip && process.env.CI) throw new Error(`required under CI: ${skip}`);

const dir = mkdtempSync(join(tmpdir(), 'reprise-serve-exec-'));
const project = join(dir, 'proj');
const store = join(dir, 'store');
const servers: RepriseServeProcess[] = [];
test.after(async () => {
  for (const s of servers) await s.stop();
  rmSync(dir, { recursive: true, force: true });
});

function writeProject(): void {
  mkdirSync(join(project, 'inc'), { recursive: true });
  mkdirSync(join(project, 'out'), { recursive: true });
  writeFileSync(join(project, 'inc', 'util.h'), '#ifndef UTIL_H\n#define UTIL_H\nstatic inline int twice(int x) { return 2 * x; }\n#endif\n');
  writeFileSync(join(project, 'main.c'), '#include <stdio.h>\n#include "util.h"\nint main(void) { printf("%d\\n", twice(21)); return 0; }\n');
  writeFileSync(join(project, 'broken.c'), '#include "util.h"\nint f(void) { return twice(); }\n');
}

const memo: DigestMemo = new Map();

/** `gcc ARGS` in the project as an action carrying its toolchain (inputs from gcc -M with the same flags). */
async function gccAction(args: string[], output: string): ReturnType<typeof buildGccAction> {
  const toolPath = gcc!;
  const cc1 = execFileSync(toolPath, ['-print-prog-name=cc1'], { encoding: 'utf8' }).trim();
  const programs = [cc1, onPath('as')!];
  const toolchain = await toolchainFiles({ toolPath, programs: programs.map((path) => ({ name: path, path })), env: process.env });
  const scan = args.filter((a, i) => a !== '-c' && a !== '-o' && args[i - 1] !== '-o');
  const inputs = parseDepfile(execFileSync(toolPath, [...scan, '-M', '-MF', '-'], { cwd: project, encoding: 'utf8' }));
  return buildGccAction({ toolPath, args, cwd: project, env: new Map([['LC_ALL', 'C']]), inputs, toolchain, programs, outputs: [output], algorithm: 'sha256', memo });
}

function bareObject(args: string[], output: string): Buffer {
  execFileSync(gcc!, args, { cwd: project });
  const bytes = readFileSync(join(project, output));
  rmSync(join(project, output));
  return bytes;
}

function timings(label: string, tm: ExecutionTimings): string {
  const ms = (x: number | undefined): string => (x === undefined ? '-' : x.toFixed(0));
  return `${label}: upload ${ms(tm.uploadMs)} ms (${tm.uploadedBlobs} blobs), execute ${ms(tm.executeMs)} ms (server: queue ${tm.queuedMs?.toFixed(1) ?? '-'}, fetch and stage ${ms(tm.inputFetchMs)}, run ${ms(tm.runMs)}, output upload ${ms(tm.outputUploadMs)} ms), download ${ms(tm.downloadMs)} ms`;
}

function show(r: ExecuteOutcome): string {
  return r.kind === 'rejected' ? `rejected (${r.reason}): ${r.detail}` : `exit ${r.result.exitCode}, cached ${r.result.cached}: ${r.result.stderr.toString()}`;
}

/** The store file of a blob (`reprise serve --dir`'s layout). */
function blobFile(data: Buffer | string): string {
  const hash = createHash('sha256').update(data).digest('hex');
  return join(store, 'sha256', 'cas', hash.slice(0, 2), hash.slice(2));
}

async function startServer(extra: string[] = []): Promise<RepriseServeProcess> {
  const s = await startRepriseServe(store, ['--listen', '127.0.0.1:0', '--execute', ...extra]);
  servers.push(s);
  return s;
}

test('gcc on reprise serve --execute: byte-identical, then cached, a lost input recovered, a failing compile a result', { skip, timeout: 180_000 }, async (t) => {
  writeProject();
  const server = await startServer();
  assert.match(server.output(), /executing \d+ actions at once/);
  // Fault injection on the wire: just before the next Execute leaves, delete a blob from the server's store.
  let deleteBeforeExecute: string | undefined;
  const executeStatuses: number[] = [];
  const missingSubjects: string[] = [];
  const interceptor: grpc.Interceptor = (options, nextCall) => {
    const execute = options.method_definition.path.endsWith('/Execute');
    return new grpc.InterceptingCall(nextCall(options), {
      sendMessage(message, next) {
        if (execute && deleteBeforeExecute) {
          rmSync(deleteBeforeExecute);
          deleteBeforeExecute = undefined;
        }
        next(message);
      },
      start(metadata, _listener, next) {
        next(metadata, {
          onReceiveMessage(message: Operation, nextMessage: (m: Operation) => void) {
            if (execute && message.done && message.response) {
              const r = decodeReapiMessage('build.bazel.remote.execution.v2.ExecuteResponse', message.response.value);
              executeStatuses.push(r.status?.code ?? 0);
              for (const d of r.status?.details ?? []) {
                if (d.type_url.endsWith('/google.rpc.PreconditionFailure')) missingSubjects.push(...decodeReapiMessage('google.rpc.PreconditionFailure', d.value).violations.map((v) => `${v.type} ${v.subject}`));
              }
            }
            nextMessage(message);
          },
        });
      },
    });
  };
  const client = createRemoteExecutionClient({ target: server.grpc!, timeoutMs: 120_000, interceptors: [interceptor] });
  try {
    const args = ['-c', '-g', '-O2', '-Iinc', 'main.c', '-o', 'out/main.o'];
    const expected = bareObject(args, 'out/main.o');
    const built = await gccAction(args, 'out/main.o');
    const first = await client.execute(built.action, { signal: AbortSignal.timeout(120_000) });
    assert.ok(first.kind === 'completed' && first.result.exitCode === 0, show(first));
    assert.equal(first.result.cached, false);
    assert.ok(first.result.outputs.get('out/main.o')?.data.equals(expected), 'the object is byte-identical to bare gcc -c');
    const tm = first.result.timings;
    assert.ok(first.result.worker !== '' && tm.queuedMs !== undefined && tm.runMs !== undefined && tm.inputFetchMs !== undefined, `ExecutedActionMetadata: ${JSON.stringify(tm)}`);
    t.diagnostic(timings('first (toolchain sent, blobs checked, executable twins made)', tm));
    assert.equal(tm.downloadBytes, 0, 'small outputs come inline in the ExecuteResponse: nothing read from the CAS');
    // Staging left nothing behind, and the store's cc1 was linked, not written.
    assert.deepEqual(readdirSync(join(store, 'exec', 'run')), []);

    const again = await client.execute(built.action, { signal: AbortSignal.timeout(60_000) });
    assert.ok(again.kind === 'completed' && again.result.cached, show(again));
    assert.ok(again.result.outputs.get('out/main.o')?.data.equals(expected));
    assert.ok(again.result.timings.downloadBytes >= expected.length, 'the action cache keeps the lean result: outputs are read from the CAS');

    // The server loses util.h after FindMissingBlobs: FAILED_PRECONDITION naming it, the client uploads it again.
    const header = readFileSync(join(project, 'inc', 'util.h'));
    deleteBeforeExecute = blobFile(header);
    assert.ok(existsSync(deleteBeforeExecute));
    const lost = await client.execute(built.action, { signal: AbortSignal.timeout(120_000), skipCacheLookup: true });
    assert.ok(lost.kind === 'completed' && lost.result.exitCode === 0 && !lost.result.cached, show(lost));
    assert.equal(lost.result.timings.attempts, 2);
    assert.deepEqual(executeStatuses.slice(-2), [grpc.status.FAILED_PRECONDITION, grpc.status.OK]);
    assert.deepEqual(missingSubjects, [`MISSING blobs/${createHash('sha256').update(header).digest('hex')}/${header.length}`]);
    assert.ok(lost.result.outputs.get('out/main.o')?.data.equals(expected));
    t.diagnostic(timings('again, not from the cache (two attempts)', lost.result.timings));

    // A compile error is a result, and it is not cached.
    const broken = await gccAction(['-c', '-Iinc', 'broken.c', '-o', 'out/broken.o'], 'out/broken.o');
    for (let i = 0; i < 2; i++) {
      const r = await client.execute(broken.action, { signal: AbortSignal.timeout(120_000) });
      assert.ok(r.kind === 'completed' && r.result.exitCode !== 0 && !r.result.cached, show(r));
      assert.match(r.result.stderr.toString(), /too few arguments/);
      assert.ok(!r.result.outputs.has('out/broken.o'));
    }
  } finally {
    client.close();
  }
});

/** An action of `/bin/sh -c SCRIPT` over the given files (host tools by absolute path, as Bazel's actions name them). */
function shAction(script: string, files: Array<{ path: string; data: string; exec?: boolean }>, outputs: string[], opts: { env?: Map<string, string>; timeoutMs?: number; cwd?: string } = {}): ReturnType<typeof buildRemoteAction> {
  const inputs: InputFile[] = files.map((f) => {
    const data = Buffer.from(f.data);
    return { path: f.path, digest: { hash: createHash('sha256').update(data).digest('hex'), size: data.length }, isExecutable: f.exec ?? false, source: { kind: 'bytes', data } };
  });
  return buildRemoteAction(buildInputRoot(inputs, 'sha256'), {
    arguments: ['/bin/sh', '-c', script],
    env: opts.env ?? new Map([['PATH', '/usr/bin:/bin']]),
    outputFiles: outputs,
    workingDirectory: opts.cwd ?? '',
    platform: [],
  }, { algorithm: 'sha256', ...(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }) });
}

test('the sandbox: store files read-only, no network, private /tmp, the environment as sent, a timeout, a command that cannot start', { skip, timeout: 120_000 }, async (t) => {
  const server = await startServer();
  const client = createRemoteExecutionClient({ target: server.grpc!, timeoutMs: 60_000 });
  const run = (a: ReturnType<typeof buildRemoteAction>): Promise<ExecuteOutcome> => client.execute(a, { signal: AbortSignal.timeout(60_000), skipCacheLookup: true });
  try {
    const secret = 'input bytes that must not change\n';
    // The staging directory lives under the test's /tmp directory, so only these markers tell the private /tmp from the host's.
    const hostMarker = join(tmpdir(), `reprise-host-marker-${process.pid}`);
    const actionMarker = join(tmpdir(), `reprise-action-marker-${process.pid}`);
    writeFileSync(hostMarker, '');
    t.after(() => rmSync(hostMarker, { force: true }));
    const tool = '#!/bin/sh\necho tool ran "$@"\n';
    const script = [
      'set -u',
      '(echo changed > src/in.txt) 2>/dev/null && echo WROTE-INPUT',
      'chmod 777 src/in.txt 2>/dev/null && echo CHMODDED-INPUT',
      'rm -f src/in.txt 2>/dev/null; test -e src/in.txt || echo REMOVED-INPUT',
      'ln src/in.txt linked 2>/dev/null && echo LINKED-INPUT',
      `test -e ${hostMarker} && echo HOST-TMP-VISIBLE`,
      `echo from-action > ${actionMarker}`,
      '(exec 3<>/dev/tcp/127.0.0.1/22) 2>/dev/null && echo NETWORK',
      'ip link 2>/dev/null | grep -c "state UP" | grep -qv "^0" && echo NETWORK-UP',
      'env | sort > out/env.txt',
      './bin/tool.sh a b > out/tool.txt',
      'echo to-stderr >&2',
      'exit 0',
    ].join('\n');
    const a = shAction(script, [{ path: 'src/in.txt', data: secret }, { path: 'bin/tool.sh', data: tool, exec: true }], ['out/env.txt', 'out/tool.txt'], { env: new Map([['PATH', '/usr/bin:/bin'], ['ONLY_THIS', 'value with spaces']]) });
    const r = await run(a);
    assert.ok(r.kind === 'completed' && r.result.exitCode === 0, show(r));
    assert.equal(r.result.stdout.toString(), '', 'the action could do what it must not');
    assert.equal(r.result.stderr.toString(), 'to-stderr\n');
    const env = r.result.outputs.get('out/env.txt')?.data.toString() ?? '';
    assert.match(env, /^ONLY_THIS=value with spaces$/m);
    assert.doesNotMatch(env, /^(HOME|USER|REPRISE\w*)=/m, 'nothing of the server\'s environment');
    assert.equal(r.result.outputs.get('out/tool.txt')?.data.toString(), 'tool ran a b\n', 'an executable input runs');
    assert.equal(readFileSync(blobFile(secret), 'utf8'), secret, 'the store file is unchanged');
    assert.ok(!existsSync(actionMarker), 'the action\'s /tmp is its own');

    // Inputs outside the working directory (a toolchain's place) are bound as whole directories: just as safe.
    const outside = shAction([
      '(echo changed > ../tools/in.txt) 2>/dev/null && echo WROTE-INPUT',
      '(echo new > ../tools/new.txt) 2>/dev/null && echo CREATED-BESIDE-INPUT',
      'cat ../tools/in.txt > out.txt',
    ].join('\n'), [{ path: 'tools/in.txt', data: secret }, { path: 'w/placeholder', data: '' }], ['out.txt'], { cwd: 'w' });
    const o = await run(outside);
    assert.ok(o.kind === 'completed' && o.result.exitCode === 0, show(o));
    assert.equal(o.result.stdout.toString(), '');
    assert.equal(o.result.outputs.get('out.txt')?.data.toString(), secret);
    assert.equal(readFileSync(blobFile(secret), 'utf8'), secret);

    // A closed directory seen again is bound from the staged-directory cache (a toolchain's): each action still sees exactly
    // its own input root. usr2/lib is the same in every action (cached from the second), usr2/include differs (staged
    // each time, with the cached lib bound inside it); nothing an action tries to write there reaches the next one.
    const listing = [
      '(echo x > ../usr2/lib/new.txt) 2>/dev/null && echo CREATED-IN-CACHED',
      '(echo x > ../usr2/lib/x.txt) 2>/dev/null && echo WROTE-CACHED',
      'rm -f ../usr2/lib/x.txt 2>/dev/null; test -e ../usr2/lib/x.txt || echo REMOVED-CACHED',
      '(echo x > ../usr2/include/new.h) 2>/dev/null && echo CREATED-IN-STAGED',
      'find ../usr2 | sort > list.txt',
    ].join('\n');
    const toolchainLike = (header: string): ReturnType<typeof shAction> => shAction(listing, [
      { path: 'usr2/lib/x.txt', data: 'library\n' },
      { path: 'usr2/lib/sub/y.txt', data: 'nested\n' },
      { path: `usr2/include/${header}`, data: `${header}\n` },
      { path: 'w/placeholder', data: '' },
    ], ['list.txt'], { cwd: 'w' });
    for (const header of ['one.h', 'two.h', 'one.h', 'three.h']) {
      const r2 = await run(toolchainLike(header));
      assert.ok(r2.kind === 'completed' && r2.result.exitCode === 0, show(r2));
      assert.equal(r2.result.stdout.toString(), '', `${header}: the action could change its inputs`);
      assert.equal(r2.result.outputs.get('list.txt')?.data.toString(), ['../usr2', '../usr2/include', `../usr2/include/${header}`, '../usr2/lib', '../usr2/lib/sub', '../usr2/lib/sub/y.txt', '../usr2/lib/x.txt', ''].join('\n'), `${header}: exactly the declared inputs`);
    }
    assert.ok(readdirSync(join(store, 'exec', 'dirs')).length > 0, 'directories seen twice were cached');

    // Roots of many files in the working directory, each file bound read-only on its own: 1500 with long names make
    // bubblewrap's options too long for its command line (the spawner's way), so they go through a pipe (Node's spawn);
    // 3000 would pass bubblewrap's 9000 arguments, so past MAX_FILE_BINDS files are copies with no bind of their own.
    const longName = 'n'.repeat(120);
    for (const n of [1500, 3000]) {
      const many = Array.from({ length: n }, (_, i) => ({ path: `many/d${i % 7}/${longName}-${i}.txt`, data: `${i}\n` }));
      const last = `many/d${(n - 1) % 7}/${longName}-${n - 1}.txt`;
      const big = await run(shAction(`find many -type f | wc -l > count.txt; cat ${last} >> count.txt; (echo changed > ${last}) 2>/dev/null && echo WROTE-INPUT; exit 0`, many, ['count.txt']));
      assert.ok(big.kind === 'completed' && big.result.exitCode === 0, show(big));
      assert.equal(big.result.outputs.get('count.txt')?.data.toString(), `${n}\n${n - 1}\n`, `${n} files`);
      // A bound file cannot be written; a copy may be, but it is the action's own, not the store's.
      if (n <= MAX_FILE_BINDS) assert.equal(big.result.stdout.toString(), '', `${n} files: an input was written`);
      assert.equal(readFileSync(blobFile(`${n - 1}\n`), 'utf8'), `${n - 1}\n`, `${n} files: the store file is unchanged`);
    }

    // Action.timeout: killed, DEADLINE_EXCEEDED (the client rejects it and would compile locally).
    const t0 = Date.now();
    const slow = await run(shAction('sleep 30', [], [], { timeoutMs: 1000 }));
    assert.ok(slow.kind === 'rejected' && /DEADLINE_EXCEEDED/.test(slow.detail), show(slow));
    assert.ok(Date.now() - t0 < 15_000);
    // A command that cannot start is a status in the ExecuteResponse (INVALID_ARGUMENT): the client counts it as refused.
    const missingTool = buildRemoteAction(buildInputRoot([], 'sha256'), { arguments: ['./no-such-tool'], env: new Map(), outputFiles: [], workingDirectory: '', platform: [] }, { algorithm: 'sha256' });
    const notStarted = await run(missingTool);
    assert.ok(notStarted.kind === 'rejected' && notStarted.reason === 'refused' && /INVALID_ARGUMENT.*cannot start/.test(notStarted.detail), show(notStarted));
    // The server is still serving.
    assert.equal((await run(shAction('exit 3', [], []))).kind, 'completed');
  } finally {
    client.close();
  }
});

test('shutdown: SIGTERM kills a running action and fails a queued one, and the server exits cleanly', { skip, timeout: 60_000 }, async () => {
  const server = await startServer(['--jobs', '1']);
  const client = createRemoteExecutionClient({ target: server.grpc!, timeoutMs: 60_000, maxAttempts: 1 });
  try {
    const running = client.execute(shAction('sleep 40; echo one', [], []), { signal: AbortSignal.timeout(60_000) });
    const queued = client.execute(shAction('sleep 40; echo two', [], []), { signal: AbortSignal.timeout(60_000) });
    await new Promise((r) => setTimeout(r, 1500));
    const t0 = Date.now();
    assert.equal(await server.stop(), 0, server.output());
    assert.ok(Date.now() - t0 < 8000, 'the running action was killed, not waited for');
    for (const r of await Promise.all([running, queued])) assert.ok(r.kind === 'rejected' && /UNAVAILABLE|shutting down/.test(r.detail), show(r));
    assert.deepEqual(readdirSync(join(store, 'exec', 'run')), []);
  } finally {
    client.close();
  }
});

test('the queue: WaitExecution picks an operation up by name; one nobody waits for leaves the queue without running; identical Executes share one run', { skip, timeout: 60_000 }, async () => {
  const server = await startServer(['--jobs', '1']);
  const rc = createReapiClient({ target: server.grpc!, credentials: grpc.credentials.createInsecure(), metadata: new grpc.Metadata(), maxInFlight: 8 });
  const up = createReapiTestClient(server.grpc!);
  try {
    const blocker = shAction('sleep 3', [], []); // holds the only slot
    const resumed = shAction('echo resumed', [], []);
    const dropped = shAction('echo dropped', [], []);
    for (const a of [blocker, resumed, dropped]) {
      const blobs = [[a.digest, a.action], [a.commandDigest, a.command], ...[...a.inputRoot.directories.values()].map((d) => [d.digest, d.data])] as Array<[Digest, Buffer]>;
      await up.unary('BatchUpdateBlobs', { requests: blobs.map(([d, data]) => ({ digest: toWireDigest(d), data })) });
    }
    const request = (a: typeof blocker): Outgoing<ExecuteRequest> => ({ actionDigest: toWireDigest(a.digest), skipCacheLookup: true });
    const blockerDone = runExecuteOperation(rc, request(blocker), AbortSignal.timeout(30_000));
    // Execute, and hang up after the first message (QUEUED, behind the blocker).
    const hangUp = async (a: typeof blocker): Promise<{ name: string; stage: number }> => {
      const ac = new AbortController();
      let first: Operation | undefined;
      await rc.serverStream('Execute', request(a), ac.signal, (op) => {
        first = op;
        ac.abort();
      }).catch(() => undefined);
      assert.ok(first);
      return { name: first.name, stage: stageOf(first) };
    };
    const r1 = await hangUp(resumed);
    const r2 = await hangUp(dropped);
    assert.equal(r1.stage, EXECUTION_STAGE.QUEUED);
    assert.equal(r2.stage, EXECUTION_STAGE.QUEUED);
    const ops: Operation[] = [];
    await rc.serverStream('WaitExecution', { name: r1.name }, AbortSignal.timeout(30_000), (op) => void ops.push(op));
    assert.deepEqual(ops.map(stageOf), [EXECUTION_STAGE.QUEUED, EXECUTION_STAGE.EXECUTING, EXECUTION_STAGE.COMPLETED]);
    const last = ops.at(-1)!;
    assert.ok(last.done && last.response);
    const response = decodeReapiMessage('build.bazel.remote.execution.v2.ExecuteResponse', last.response.value);
    assert.equal(response.result?.exitCode, 0);
    assert.equal(response.result?.stdoutRaw.toString(), 'resumed\n');
    assert.equal((await blockerDone).result?.exitCode, 0);
    // The dropped one waited ABANDON_GRACE_MS for a WaitExecution, then left the queue: never run, never cached.
    await assert.rejects(rc.serverStream('WaitExecution', { name: r2.name }, AbortSignal.timeout(10_000), () => undefined), (e: ReapiCallError) => e.code === grpc.status.NOT_FOUND);
    const acFile = (d: Digest): string => join(store, 'sha256', 'ac', d.hash.slice(0, 2), d.hash.slice(2));
    assert.ok(existsSync(acFile(resumed.digest)));
    assert.ok(!existsSync(acFile(dropped.digest)), 'the dropped action did not run');
    assert.match(server.output(), /nobody waits for it any more/);

    // Two Executes of one action in flight at once (no skip_cache_lookup): one operation, one run.
    const merged = shAction('sleep 1; echo merged', [], []);
    await up.unary('BatchUpdateBlobs', { requests: [[merged.digest, merged.action], [merged.commandDigest, merged.command]].map(([d, data]) => ({ digest: toWireDigest(d as Digest), data: data as Buffer })) });
    const names = [new Set<string>(), new Set<string>()];
    const both = await Promise.all(names.map((seen) => runExecuteOperation(rc, { actionDigest: toWireDigest(merged.digest) }, AbortSignal.timeout(30_000), { onOperation: (op) => void seen.add(op.name) })));
    for (const r of both) assert.ok(r.result?.stdoutRaw.toString() === 'merged\n' && !r.cachedResult, JSON.stringify(r.status));
    assert.deepEqual([...names[0]!], [...names[1]!], 'the second Execute followed the first one\'s operation');
  } finally {
    rc.close();
    up.close();
  }
});

test('outputs of every kind: output_directories as Trees (symlinks kept), output_paths, a symlink that points at a host file', { skip, timeout: 60_000 }, async () => {
  const server = await startServer();
  const rc = createReapiClient({ target: server.grpc!, credentials: grpc.credentials.createInsecure(), metadata: new grpc.Metadata(), maxInFlight: 8 });
  const up = createReapiTestClient(server.grpc!);
  const sha = (b: Buffer): Digest => ({ hash: createHash('sha256').update(b).digest('hex'), size: b.length });
  /** Uploads a Command over the empty input root and its Action, executes it, and answers the result. */
  const execute = async (command: Parameters<typeof encodeReapiMessage<'build.bazel.remote.execution.v2.Command'>>[1]): Promise<WireActionResult> => {
    const c = encodeReapiMessage('build.bazel.remote.execution.v2.Command', command);
    const a = encodeReapiMessage('build.bazel.remote.execution.v2.Action', { commandDigest: toWireDigest(sha(c)), inputRootDigest: toWireDigest(sha(Buffer.alloc(0))) });
    await up.unary('BatchUpdateBlobs', { requests: [c, a].map((data) => ({ digest: toWireDigest(sha(data)), data })) });
    const r = await runExecuteOperation(rc, { actionDigest: toWireDigest(sha(a)), skipCacheLookup: true }, AbortSignal.timeout(30_000));
    assert.equal(r.status?.code ?? 0, 0, r.status?.message);
    assert.ok(r.result);
    return r.result;
  };
  const blob = async (d: WireDigest | null): Promise<Buffer> => (await up.unary('BatchReadBlobs', { digests: [d!] })).responses[0]!.data;
  try {
    const script = 'mkdir -p out/tree/sub && echo leaf > out/tree/sub/leaf.txt && ln -s leaf.txt out/tree/sub/link && echo top > out/tree/top.txt && chmod +x out/tree/top.txt && ln -s /etc/passwd out/secret && echo f > out/file.txt';
    const r = await execute({ arguments: ['/bin/sh', '-c', script], outputFiles: ['out/file.txt', 'out/secret', 'out/absent.txt'], outputDirectories: ['out/tree'] });
    assert.deepEqual(r.outputFiles.map((f) => f.path), ['out/file.txt']);
    assert.deepEqual(r.outputFileSymlinks.map((l) => [l.path, l.target]), [['out/secret', '/etc/passwd']], 'a symlink is reported as one, never read');
    assert.equal(r.outputDirectories.length, 1);
    const tree = decodeReapiMessage('build.bazel.remote.execution.v2.Tree', await blob(r.outputDirectories[0]!.treeDigest));
    assert.deepEqual(tree.root?.files.map((f) => [f.name, f.isExecutable]), [['top.txt', true]]);
    assert.deepEqual(tree.root?.directories.map((d) => d.name), ['sub']);
    assert.equal(tree.children.length, 1);
    const sub = tree.children[0]!;
    assert.equal(sha(encodeReapiMessage('build.bazel.remote.execution.v2.Directory', sub)).hash, tree.root?.directories[0]?.digest?.hash, 'children are named by their digest');
    assert.deepEqual(sub.symlinks.map((l) => [l.name, l.target]), [['link', 'leaf.txt']]);
    assert.equal((await blob(sub.files[0]!.digest)).toString(), 'leaf\n');

    // REAPI 2.1 output_paths: files, directories and symlinks alike.
    const p = await execute({ arguments: ['/bin/sh', '-c', 'mkdir -p d && echo x > d/x && echo y > y && ln -s y z'], outputPaths: ['d', 'y', 'z'] });
    assert.deepEqual(p.outputFiles.map((f) => f.path), ['y']);
    assert.deepEqual(p.outputDirectories.map((d) => d.path), ['d']);
    assert.deepEqual(p.outputSymlinks.map((l) => [l.path, l.target]), [['z', 'y']]);
  } finally {
    rc.close();
    up.close();
  }
});

test('Capabilities says exec_enabled; with tokens, Execute needs a read-write token', { skip, timeout: 30_000 }, async () => {
  const tokens = join(dir, 'tokens');
  writeFileSync(tokens, 'read-write ci-token\nread dev-token\n');
  const server = await startServer(['--token-file', tokens]);
  const reader = createReapiTestClient(server.grpc!, { token: 'dev-token' });
  try {
    const caps = await reader.unary('GetCapabilities', {});
    assert.equal(caps.executionCapabilities?.execEnabled, true);
    assert.equal(caps.executionCapabilities?.digestFunction, 1);
    const denied = await reader.serverStream('Execute', { actionDigest: toWireDigest(shAction('exit 0', [], []).digest) }).then(() => undefined, (e: grpc.ServiceError) => e.code);
    assert.equal(denied, grpc.status.PERMISSION_DENIED);
  } finally {
    reader.close();
  }
});

function stageOf(op: Operation): number {
  return op.metadata ? decodeReapiMessage('build.bazel.remote.execution.v2.ExecuteOperationMetadata', op.metadata.value).stage : EXECUTION_STAGE.UNKNOWN;
}

function onPath(tool: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}
