// Issue 17's acceptance 1, ahead of the pipeline: the Lua corpus (136 compiles, gcc and g++,
// PIC and not, Debian's -g -O2 -ffile-prefix-map flags) built bare with every compile command
// logged, then every compile sent through the remote Executor (src/exec/remote/create-remote-executor.ts) to
// Bazel's remote worker started in a mount namespace where gcc, g++, as, /usr/lib/gcc and
// /usr/include are hidden. Every object must be byte-identical to the bare build's. The
// pipeline does not send misses remotely yet: this drives the executor directly, which also
// proves from each compile's depfile that it read nothing outside its input root.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import test from 'node:test';
import { parseDepfile } from '../../src/adapters/gcc/parse-depfile.js';
import { createRemoteExecutionClient } from '../../src/exec/remote/create-remote-execution-client.js';
import { createRemoteExecutor } from '../../src/exec/remote/create-remote-executor.js';
import type { ExecutionTimings } from '../../src/exec/remote/types.js';
import { toolchainFiles } from '../../src/exec/toolchain-files.js';
import { installPaths } from '../../src/runtime/install-paths.js';
import { bazelWorkerJar, startBazelWorker, type BazelWorker } from '../helpers/bazel-remote-worker.js';
import { benchDir, luaCorpusRoot } from '../helpers/corpus.js';
import { HIDE_COMPILER } from '../helpers/hide-compiler.js';
import { run, text } from '../helpers/run.js';

const corpus = await luaCorpusRoot();
const jar = bazelWorkerJar();
const canHide = process.getuid?.() === 0;
const skip = 'missing' in corpus ? corpus.missing : 'missing' in jar ? jar.missing : !canHide ? 'needs root to hide the compiler (unshare -m)' : false;
if (skip && process.env.CI) throw new Error(`remote execution of the Lua corpus is required under CI: ${skip}`);

const dir = mkdtempSync(join(tmpdir(), 'reprise-lua-rexec-'));
let worker: BazelWorker | undefined;
test.after(async () => {
  await worker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A compiler wrapper that logs argv and cwd (NUL-separated, one file per call) and execs the real one. */
function loggingWrappers(logDir: string): string {
  const bin = join(dir, 'log-bin');
  mkdirSync(bin, { recursive: true });
  for (const tool of ['gcc', 'g++']) {
    const real = execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
    const path = join(bin, tool);
    writeFileSync(path, `#!/bin/sh\nprintf '%s\\0' ${JSON.stringify(real)} "$PWD" "$@" > ${JSON.stringify(logDir)}/$$.call\nexec ${JSON.stringify(real)} "$@"\n`);
    chmodSync(path, 0o755);
  }
  return bin;
}

interface Compile {
  driver: string;
  cwd: string;
  args: string[];
  output: string;
}

function loggedCompiles(logDir: string, workSrc: string): Compile[] {
  const out: Compile[] = [];
  for (const name of readdirSync(logDir)) {
    const [driver, cwd, ...args] = readFileSync(join(logDir, name), 'utf8').split('\0').slice(0, -1);
    if (cwd !== workSrc || !args.includes('-c')) continue;
    const o = args.indexOf('-o');
    if (o < 0) continue;
    out.push({ driver: driver!, cwd, args, output: args[o + 1]! });
  }
  return out.sort((a, b) => a.output.localeCompare(b.output));
}

test('every Lua compile, run on a worker without gcc, gives the bare build\'s object', { skip, timeout: 900_000 }, async (t) => {
  if ('missing' in corpus || 'missing' in jar) return;
  // A root of our own (the shared one belongs to other tests), with the prepared sources.
  const root = join(dir, 'bench-root');
  mkdirSync(join(root, 'src'), { recursive: true });
  cpSync(join(corpus.root, 'src', 'lua5.4-5.4.4'), join(root, 'src', 'lua5.4-5.4.4'), { recursive: true, verbatimSymlinks: true });
  const logDir = join(dir, 'calls');
  mkdirSync(logDir);
  const bin = loggingWrappers(logDir);
  const env = { ...process.env, LC_ALL: 'C', BENCH_DIR: benchDir, JOBS: '2', PATH: `${bin}:${process.env.PATH ?? ''}` };
  const built = await run(join(installPaths.root, 'test', 'fixtures', 'lua-build.sh'), [root, 'bare'], { env });
  assert.equal(built.code, 0, text(built));
  const workSrc = join(root, 'work', 'lua5.4', 'src');
  const compiles = loggedCompiles(logDir, workSrc);
  assert.ok(compiles.length >= 130, `${compiles.length} compiles logged`);

  worker = await startBazelWorker(jar.jar, join(dir, 'worker'), ['unshare', '-m', 'sh', '-c', HIDE_COMPILER, 'sh', join(dir, 'empty')]);
  const executor = createRemoteExecutor('bazel-worker', createRemoteExecutionClient({ target: `127.0.0.1:${worker.port}`, timeoutMs: 300_000, maxInFlight: 8 }));
  const toolchains = new Map<string, Promise<{ programs: string[]; toolchain: string[] }>>();
  const toolchainOf = (driver: string): Promise<{ programs: string[]; toolchain: string[] }> => {
    let known = toolchains.get(driver);
    if (!known) {
      known = (async () => {
        const programs = ['cc1', 'cc1plus'].map((p) => execFileSync(driver, [`-print-prog-name=${p}`], { encoding: 'utf8' }).trim()).filter((p) => p.startsWith('/') && existsSync(p));
        programs.push(execFileSync('sh', ['-c', 'command -v as'], { encoding: 'utf8' }).trim());
        return { programs, toolchain: await toolchainFiles({ toolPath: driver, programs: programs.map((path) => ({ name: basename(path), path })), env: process.env }) };
      })();
      toolchains.set(driver, known);
    }
    return known;
  };

  const totals: ExecutionTimings = { uploadMs: 0, uploadBytes: 0, uploadedBlobs: 0, executeMs: 0, downloadMs: 0, downloadBytes: 0, attempts: 0 };
  const mismatches: string[] = [];
  let identical = 0;
  const started = performance.now();
  const queue = [...compiles];
  const runOne = async (c: Compile): Promise<void> => {
    const { programs, toolchain } = await toolchainOf(c.driver);
    const o = c.args.indexOf('-o');
    const scan = c.args.filter((a, i) => a !== '-c' && i !== o && i !== o + 1);
    const inputs = parseDepfile(execFileSync(c.driver, [...scan, '-M', '-MF', '-'], { cwd: c.cwd, encoding: 'utf8' }));
    const job = { toolPath: c.driver, args: c.args, cwd: c.cwd, env: new Map([['LC_ALL', 'C']]), inputs, toolchain, programs, outputs: [c.output] };
    const r = await executor.execute(job, { signal: AbortSignal.timeout(300_000) });
    if (r.kind === 'rejected') return void mismatches.push(`${c.output}: rejected (${r.reason}): ${r.detail}`);
    for (const k of ['uploadMs', 'uploadBytes', 'uploadedBlobs', 'executeMs', 'downloadMs', 'downloadBytes', 'attempts'] as const) totals[k] += r.result.timings[k];
    const got = r.result.outputs.get(resolve(c.cwd, c.output));
    if (r.result.exitCode !== 0 || !got) return void mismatches.push(`${c.output}: exit ${r.result.exitCode}: ${r.result.stderr.toString().slice(0, 400)}`);
    if (got.data.equals(readFileSync(resolve(c.cwd, c.output)))) identical++;
    else mismatches.push(`${c.output}: differs from the bare build's`);
  };
  await Promise.all(
    [1, 2].map(async () => {
      for (let c = queue.shift(); c; c = queue.shift()) await runOne(c);
    }),
  );
  const counts = executor.counters().counts;
  await executor.close();
  const wall = performance.now() - started;
  const n = compiles.length;
  t.diagnostic(`${n} compiles (${compiles.filter((c) => c.driver.endsWith('g++')).length} by g++) on a worker without gcc, 2 at a time: ${(wall / 1000).toFixed(1)} s wall`);
  t.diagnostic(`per action: upload ${(totals.uploadMs / n).toFixed(0)} ms, execute ${(totals.executeMs / n).toFixed(0)} ms, download ${(totals.downloadMs / n).toFixed(0)} ms; uploaded ${(totals.uploadBytes / 1e6).toFixed(1)} MB in ${totals.uploadedBlobs} blobs in all, downloaded ${(totals.downloadBytes / 1e6).toFixed(2)} MB`);
  t.diagnostic(`executor counters: ${JSON.stringify(counts)}`);
  assert.deepEqual(mismatches, []);
  assert.equal(identical, n);
  assert.equal(counts['actions-run'], n, 'every compile ran remotely, and read only its input root');
});
