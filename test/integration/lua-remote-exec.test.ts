// Issue 17's acceptance 1 through the real pipeline: the Lua corpus (136 compiles through
// libtool, gcc and g++, PIC and not, Debian's -g -O2 -ffile-prefix-map flags) built with make
// through the shims and daemon, with REPRISE_EXECUTOR naming Bazel's remote worker started in a
// mount namespace where gcc, g++, as, /usr/lib/gcc and /usr/include are hidden, and
// REPRISE_EXECUTE=remote: every miss runs there (the toolchain travels in the action, and the
// inputs are what the traced pre-pass found on the host). Every object must be byte-identical to
// a bare build's, and the stats must show the compiles completed remotely, none fallen back.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { installPaths } from '../../src/runtime/install-paths.js';
import { bazelWorkerJar, startBazelWorker, type BazelWorker } from '../helpers/bazel-remote-worker.js';
import { benchDir, luaCorpusRoot } from '../helpers/corpus.js';
import { HIDE_COMPILER } from '../helpers/hide-compiler.js';
import { objectDigests } from '../helpers/object-digests.js';
import { reprise, stats } from '../helpers/reprise-cli.js';
import { run, text } from '../helpers/run.js';
import { createWorkspace } from '../helpers/workspace.js';

const corpus = await luaCorpusRoot();
const jar = bazelWorkerJar();
const canHide = process.getuid?.() === 0;
const skip = 'missing' in corpus ? corpus.missing : 'missing' in jar ? jar.missing : !canHide ? 'needs root to hide the compiler (unshare -m)' : false;
if (skip && process.env.CI) throw new Error(`remote execution of the Lua corpus is required under CI: ${skip}`);

const ws = createWorkspace('reprise-lua-rexec-');
let worker: BazelWorker | undefined;
test.after(async () => {
  await worker?.stop();
  ws.cleanup();
});

test('the Lua corpus built with every miss executed on a worker without gcc gives the bare build\'s objects', { skip, timeout: 900_000 }, async (t) => {
  if ('missing' in corpus || 'missing' in jar) return;
  const root = join(ws.dir, 'lua');
  mkdirSync(join(root, 'src'), { recursive: true });
  assert.equal((await run('cp', ['-a', join(corpus.root, 'src', 'lua5.4-5.4.4'), join(root, 'src')])).code, 0);
  worker = await startBazelWorker(jar.jar, join(ws.dir, 'worker'), ['unshare', '-m', 'sh', '-c', HIDE_COMPILER, 'sh', join(ws.dir, 'empty')]);
  const url = `grpc://127.0.0.1:${worker.port}`;
  const env = { ...ws.bareEnv, BENCH_DIR: benchDir, REPRISE_CLI: join(installPaths.root, 'bin', 'reprise.js'), JOBS: '2', REPRISE_EXECUTOR: url, REPRISE_EXECUTE: 'remote' };
  const script = join(installPaths.root, 'test', 'fixtures', 'lua-build.sh');

  const started = performance.now();
  const built = await run(script, [root, 'reprise'], { env });
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

  const bareBuilt = await run(script, [root, 'bare'], { env: { ...env, REPRISE_EXECUTOR: '' } });
  assert.equal(bareBuilt.code, 0, text(bareBuilt));
  const bare = objectDigests(src);
  assert.ok(bare.size >= 130);
  assert.deepEqual([...remote.keys()].sort(), [...bare.keys()].sort());
  const differ = [...bare].filter(([obj, digest]) => remote.get(obj) !== digest).map(([obj]) => obj);
  assert.deepEqual(differ, [], 'objects compiled remotely differ from the bare build\'s');
});
