// Issue 17, step 3: a C compile as a REAPI action that carries its own toolchain, run by Bazel's
// reference remote worker (test/helpers/bazel-remote-worker.ts). First on a worker that sees the
// host, then on one started in a mount namespace where gcc, as, /usr/lib/gcc and /usr/include
// are hidden: the driver, cc1, as and every header must come from the action's input root.
// Both objects must be byte-identical to bare `gcc -c` on the host. The per-action overheads
// (upload, queue, execute, download) are reported as diagnostics. With the toolchain in the
// executor's image (`toolchain = "image"`), the worker that sees the host stands in for an image
// that has this gcc: the root holds only the project's files, and the objects and depfile are
// bare gcc's; on the worker without gcc the same action fails.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { parseDepfile } from '../../../src/adapters/gcc/parse-depfile.js';
import { buildGccAction, type GccAction } from '../../../src/exec/remote/build-gcc-action.js';
import { buildInputRoot } from '../../../src/exec/remote/build-input-root.js';
import { buildRemoteAction } from '../../../src/exec/remote/build-remote-action.js';
import { createRemoteExecutionClient } from '../../../src/exec/remote/create-remote-execution-client.js';
import { createRemoteExecutor, type RemoteCompile } from '../../../src/exec/remote/create-remote-executor.js';
import type { ExecuteOutcome } from '../../../src/exec/remote/types.js';
import { toolchainFiles } from '../../../src/exec/toolchain-files.js';
import { systemIncludeDirs } from '../../../src/adapters/gcc/system-include-dirs.js';
import { decodeReapiMessage } from '../../../src/reapi/load-reapi-protos.js';
import type { DigestMemo } from '../../../src/exec/remote/mirror-host-files.js';
import { bazelWorkerJar, startBazelWorker, type BazelWorker } from '../../helpers/bazel-remote-worker.js';
import { canHide, HIDE_COMPILER } from '../../helpers/hide-compiler.js';

const found = bazelWorkerJar();
const gcc = onPath('gcc');
const skip = 'missing' in found ? (process.env.CI ? false : found.missing) : !gcc ? 'gcc is not installed' : false;

const dir = mkdtempSync(join(tmpdir(), 'reprise-rexec-'));
const project = join(dir, 'proj');
const workers: BazelWorker[] = [];
test.after(async () => {
  for (const w of workers) await w.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Plain, with debug information (the executor's directory mapped back), and as Debian builds (-ffile-prefix-map of the build directory). */
const VARIANTS: Record<string, (project: string) => string[]> = {
  '-O2': () => ['-c', '-O2', '-Wall', '-Iinc', 'main.c', '-o', 'out/main.o'],
  '-g': () => ['-c', '-g', '-Iinc', 'main.c', '-o', 'out/main.o'],
  'Debian flags': (p) => ['-c', '-g', '-O2', `-ffile-prefix-map=${p}=.`, '-fstack-protector-strong', '-Wformat', '-D_FORTIFY_SOURCE=2', '-fPIC', '-DPIC', '-Iinc', 'main.c', '-o', 'out/main.o'],
};
const memo: DigestMemo = new Map();

function writeProject(): void {
  mkdirSync(join(project, 'inc'), { recursive: true });
  mkdirSync(join(project, 'out'), { recursive: true });
  writeFileSync(join(project, 'inc', 'util.h'), '#ifndef UTIL_H\n#define UTIL_H\nstatic inline int twice(int x) { return 2 * x; }\n#endif\n');
  writeFileSync(join(project, 'main.c'), '#include <stdio.h>\n#include "util.h"\nint main(void) { printf("%d\\n", twice(21)); return 0; }\n');
  writeFileSync(join(project, 'broken.c'), '#include "util.h"\nint f(void) { return twice(); }\n');
}

/** `gcc ARGS` in the project as a remote compile: inputs from gcc -M with the same flags, the toolchain as the sandbox shows it. */
async function compileSpec(args: string[], source: string, outputs: string[]): Promise<RemoteCompile> {
  const toolPath = gcc!;
  const cc1 = execFileSync(toolPath, ['-print-prog-name=cc1'], { encoding: 'utf8' }).trim();
  const as = onPath('as')!;
  const programs = [cc1, as];
  const toolchain = await toolchainFiles({ toolPath, programs: programs.map((path) => ({ name: path, path })), env: process.env });
  const scan = args.filter((a, i) => a !== '-c' && a !== '-o' && args[i - 1] !== '-o' && a !== '-MD' && a !== '-MF' && args[i - 1] !== '-MF' && a !== '-H');
  const dep = execFileSync(toolPath, [...scan, '-M', '-MF', '-'], { cwd: project, encoding: 'utf8' });
  const inputs = parseDepfile(dep);
  assert.ok(inputs.includes(source) && inputs.includes('inc/util.h'), inputs.join(' '));
  return { toolPath, args, cwd: project, env: new Map([['LC_ALL', 'C']]), inputs, toolchain, programs, outputs };
}

async function gccAction(args: string[], source: string, output: string): Promise<GccAction> {
  return buildGccAction({ ...(await compileSpec(args, source, [output])), algorithm: 'sha256', memo });
}

/** A platform property naming the "image" (not container-image: with it Bazel's worker runs the command under docker, which is not installed here). */
const IMAGE = { name: 'Pool', value: 'gcc-12' };

/**
 * The -g compile with the toolchain in the image: a root of the project's two files only, the
 * driver by its host path, the configured platform property. On an "image" with gcc (`hasGcc`)
 * the object and the -MD depfile are bare gcc's (the depfile's /usr/include reads are the
 * image's, which the read proof accepts); without gcc the action fails.
 */
async function imageOn(worker: BazelWorker, hasGcc: boolean, t: test.TestContext): Promise<void> {
  const args = VARIANTS['-g']!(project);
  const spec = { ...(await compileSpec(args, 'main.c', ['out/main.o'])), systemDirs: await systemIncludeDirs(gcc!, 'c', [], process.env) };
  const built = await buildGccAction({ ...spec, algorithm: 'sha256', memo, toolchainIn: 'image', platform: [IMAGE] });
  const sent = [...built.action.inputRoot.files.values()].map((f) => (f.source.kind === 'file' ? f.source.path : '(bytes)')).sort();
  assert.deepEqual(sent, [join(project, 'inc', 'util.h'), join(project, 'main.c')], 'only the project\'s files travel');
  const command = decodeReapiMessage('build.bazel.remote.execution.v2.Command', built.action.command);
  assert.deepEqual(command.arguments.filter((_, i) => i !== 2).slice(0, 4), ['/bin/sh', '-c', gcc!, '-c'], 'the driver by its host path, no --sysroot');
  assert.deepEqual(command.platform?.properties, [IMAGE]);
  const client = createRemoteExecutionClient({ target: `127.0.0.1:${worker.port}`, timeoutMs: 120_000 });
  try {
    const r = await client.execute(built.action, { signal: AbortSignal.timeout(120_000), skipCacheLookup: true });
    t.diagnostic(describe(`image mode, ${hasGcc ? 'with' : 'without'} gcc`, r));
    assert.ok(r.kind === 'completed', describe('image', r));
    if (!hasGcc) {
      assert.notEqual(r.result.exitCode, 0, 'an image without the compiler fails the action');
      return;
    }
    assert.equal(r.result.exitCode, 0, r.result.stderr.toString());
    assert.ok(r.result.outputs.get('out/main.o')?.data.equals(bareObject(args)), 'byte-identical to bare gcc');
  } finally {
    client.close();
  }
  // Through the Executor: the caller's depfile names the image's headers as the host's compile does.
  const depArgs = ['-c', '-O2', '-MD', '-MF', 'out/main.d', '-Iinc', 'main.c', '-o', 'out/main.o'];
  assert.equal(spawnSync(gcc!, depArgs, { cwd: project }).status, 0);
  const expected = { object: readFileSync(join(project, 'out', 'main.o')), depfile: readFileSync(join(project, 'out', 'main.d'), 'utf8') };
  assert.match(expected.depfile, /\/usr\/include\/stdio\.h/);
  const executor = createRemoteExecutor(`grpc://127.0.0.1:${worker.port}`, createRemoteExecutionClient({ target: `127.0.0.1:${worker.port}`, timeoutMs: 120_000 }), { toolchainIn: 'image' });
  try {
    const job = { ...(await compileSpec(depArgs, 'main.c', ['out/main.o', 'out/main.d'])), systemDirs: spec.systemDirs, depfiles: ['out/main.d'] };
    const r = await executor.execute(job, { signal: AbortSignal.timeout(120_000) });
    assert.ok(r.kind === 'completed' && r.result.exitCode === 0, JSON.stringify(r));
    assert.ok(r.result.outputs.get(join(project, 'out', 'main.o'))?.data.equals(expected.object));
    assert.equal(r.result.outputs.get(join(project, 'out', 'main.d'))?.data.toString(), expected.depfile);
    assert.equal(r.result.timings.uploadBytes < 10_000, true, `${r.result.timings.uploadBytes} bytes uploaded`);
  } finally {
    await executor.close();
  }
}

function bareObject(args: string[]): Buffer {
  execFileSync(gcc!, args, { cwd: project });
  const bytes = readFileSync(join(project, 'out', 'main.o'));
  rmSync(join(project, 'out', 'main.o'));
  return bytes;
}

function describe(label: string, r: ExecuteOutcome): string {
  if (r.kind === 'rejected') return `${label}: rejected (${r.reason}): ${r.detail}`;
  const t = r.result.timings;
  const server = [t.queuedMs, t.inputFetchMs, t.runMs, t.outputUploadMs].map((x) => (x === undefined ? '-' : x.toFixed(0))).join('/');
  return `${label}: upload ${t.uploadMs.toFixed(0)} ms (${t.uploadedBlobs} blobs, ${(t.uploadBytes / 1e6).toFixed(1)} MB), execute ${t.executeMs.toFixed(0)} ms (server queue/fetch/run/upload ${server} ms), download ${t.downloadMs.toFixed(0)} ms (${t.downloadBytes} B), attempts ${t.attempts}`;
}

async function compileOn(worker: BazelWorker, label: string, t: test.TestContext): Promise<void> {
  const client = createRemoteExecutionClient({ target: `127.0.0.1:${worker.port}`, timeoutMs: 120_000 });
  try {
    for (const [variant, argsIn] of Object.entries(VARIANTS)) {
      const args = argsIn(project);
      const expected = bareObject(args);
      const built = await gccAction(args, 'main.c', 'out/main.o');
      const root = built.action.inputRoot;
      t.diagnostic(`${label}, ${variant}: action ${built.action.digest.hash.slice(0, 12)}, input root ${root.fileCount} files (${root.files.size} blobs, ${(root.totalBytes / 1e6).toFixed(1)} MB), ${root.directories.size} directories`);
      for (const run of ['cold', 'warm']) {
        const r = await client.execute(built.action, { signal: AbortSignal.timeout(120_000), skipCacheLookup: true });
        t.diagnostic(describe(`${label}, ${variant}, ${run}`, r));
        assert.equal(r.kind, 'completed', describe(label, r));
        if (r.kind !== 'completed') return;
        assert.equal(r.result.exitCode, 0, r.result.stderr.toString());
        const object = r.result.outputs.get('out/main.o');
        assert.ok(object, 'the object came back');
        assert.ok(object.data.equals(expected), `${label}, ${variant}: the remote object is byte-identical to bare gcc`);
      }
    }
    // The worker's fixed cost per action, for comparison: an empty input root, /bin/sh -c 'exit 0'.
    const trivial = buildRemoteAction(buildInputRoot([], 'sha256'), { arguments: ['/bin/sh', '-c', 'exit 0'], env: new Map(), outputFiles: [], workingDirectory: '', platform: [] }, { algorithm: 'sha256' });
    for (let i = 0; i < 2; i++) t.diagnostic(describe(`${label} trivial action`, await client.execute(trivial, { signal: AbortSignal.timeout(60_000), skipCacheLookup: true })));
    // A compile error is a result: exit code and gcc's message, no object.
    const broken = await gccAction(['-c', '-Iinc', 'broken.c', '-o', 'out/broken.o'], 'broken.c', 'out/broken.o');
    const r = await client.execute(broken.action, { signal: AbortSignal.timeout(120_000) });
    assert.ok(r.kind === 'completed', describe(`${label} broken`, r));
    assert.notEqual(r.result.exitCode, 0);
    assert.match(r.result.stderr.toString(), /too few arguments/);
    assert.ok(!r.result.outputs.has('out/broken.o'));
  } finally {
    client.close();
  }
  // A depfile and gcc's -H list name the executor's root (/…/work/build-…/usr/include/stdio.h);
  // through the Executor they name /usr/include/stdio.h again, as the bare compile does.
  const depArgs = ['-c', '-O2', '-H', '-MD', '-MF', 'out/main.d', '-Iinc', 'main.c', '-o', 'out/main.o'];
  const bare = spawnSync(gcc!, depArgs, { cwd: project });
  assert.equal(bare.status, 0);
  const expected = { object: readFileSync(join(project, 'out', 'main.o')), depfile: readFileSync(join(project, 'out', 'main.d')) };
  rmSync(join(project, 'out', 'main.o'));
  rmSync(join(project, 'out', 'main.d'));
  const executor = createRemoteExecutor(`grpc://127.0.0.1:${worker.port}`, createRemoteExecutionClient({ target: `127.0.0.1:${worker.port}`, timeoutMs: 120_000 }));
  try {
    const job = { ...(await compileSpec(depArgs, 'main.c', ['out/main.o', 'out/main.d'])), depfiles: ['out/main.d'] };
    const streamed: Buffer[] = [];
    const r = await executor.execute(job, { signal: AbortSignal.timeout(120_000), onStream: (_, d) => streamed.push(d) });
    assert.ok(r.kind === 'completed' && r.result.exitCode === 0, JSON.stringify(r));
    assert.ok(r.result.outputs.get(join(project, 'out', 'main.o'))?.data.equals(expected.object));
    assert.equal(r.result.outputs.get(join(project, 'out', 'main.d'))?.data.toString(), expected.depfile.toString());
    assert.match(bare.stderr.toString(), /^\. \/usr\/include\/stdio\.h$/m);
    assert.equal(Buffer.concat(streamed).toString(), bare.stderr.toString(), 'the -H listing names the host paths');
    assert.equal(executor.counters().counts['actions-run'], 1);
    // An absolute #include escapes the input root: the worker reads its own disk (here the same
    // file, but the key cannot cover it), and the depfile the executor adds shows it.
    const outside = join(dir, 'outside.h');
    writeFileSync(outside, '#define OUTSIDE 1\n');
    writeFileSync(join(project, 'abs.c'), `#include "${outside}"\n#include "util.h"\nint g(void) { return twice(OUTSIDE); }\n`);
    const escaped = await executor.execute(await compileSpec(['-c', '-Iinc', 'abs.c', '-o', 'out/abs.o'], 'abs.c', ['out/abs.o']), { signal: AbortSignal.timeout(120_000) });
    assert.ok(escaped.kind === 'rejected' && escaped.reason === 'read-outside-root' && escaped.detail.includes(outside), JSON.stringify(escaped));
  } finally {
    await executor.close();
  }
}

test('a C compile runs on Bazel\'s remote worker, byte-identical to bare gcc -c', { skip }, async (t) => {
  if ('missing' in found) assert.fail(found.missing);
  writeProject();
  const worker = await startBazelWorker(found.jar, join(dir, 'worker'));
  workers.push(worker);
  await compileOn(worker, 'host-visible worker', t);
  await imageOn(worker, true, t);
});

test('the same compile on a worker that has no gcc, as or /usr/include: the toolchain comes from the action', { skip: skip || (canHide ? false : 'needs root and unshare to hide the compiler') }, async (t) => {
  if ('missing' in found) assert.fail(found.missing);
  writeProject();
  const worker = await startBazelWorker(found.jar, join(dir, 'hidden-worker'), ['unshare', '-m', 'sh', '-c', HIDE_COMPILER, 'sh', join(dir, 'empty')]);
  workers.push(worker);
  await compileOn(worker, 'worker without gcc', t);
  await imageOn(worker, false, t);
});

function onPath(tool: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}
