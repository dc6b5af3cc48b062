// The Lua corpus (about 136 compiles through libtool, make -j2) built bare and through
// `reprise exec`, with and without the daemon killed halfway, and warm under `reprise verify`
// (every hit compiled again in the sandbox): objects must be identical, no mismatch.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { installPaths } from '../../src/runtime/install-paths.js';
import { benchDir, luaCorpusRoot } from '../helpers/corpus.js';
import { stats } from '../helpers/reprise-cli.js';
import { run, text } from '../helpers/run.js';
import { isAlive, waitFor } from '../helpers/wait.js';
import { createWorkspace } from '../helpers/workspace.js';
import { objectDigests } from '../helpers/object-digests.js';

const corpus = await luaCorpusRoot();
const skip = 'missing' in corpus ? corpus.missing : false;
if (skip && process.env.CI) throw new Error(`the Lua corpus is required under CI: ${skip}`);

const ws = createWorkspace();
test.after(() => ws.cleanup());
const script = join(installPaths.root, 'test', 'fixtures', 'lua-build.sh');
const root = 'root' in corpus ? corpus.root : '';
const workSrc = join(root, 'work', 'lua5.4', 'src');
const env = { ...ws.bareEnv, BENCH_DIR: benchDir, REPRISE_CLI: join(installPaths.root, 'bin', 'reprise.js'), JOBS: '2' };

function countObjects(): number {
  try {
    return [...readdirSync(workSrc), ...readdirSync(join(workSrc, '.libs'))].filter((f) => f.endsWith('.o')).length;
  } catch {
    return 0;
  }
}

let bare: Map<string, string>;

test('bare build of the Lua corpus', { skip }, async () => {
  const r = await run(script, [root, 'bare'], { env });
  assert.equal(r.code, 0, text(r));
  bare = objectDigests(workSrc);
  assert.ok(bare.size >= 130, `${bare.size} objects`);
});

test('reprise exec -- make -j2: byte-identical objects, compiles run by the daemon', { skip }, async () => {
  const r = await run(script, [root, 'reprise'], { env });
  assert.equal(r.code, 0, text(r));
  assert.deepEqual(objectDigests(workSrc), bare);
  const s = await stats(ws.env);
  const ran = (s.tools.gcc?.['daemon-run'] ?? 0) + (s.tools['g++']?.['daemon-run'] ?? 0);
  assert.ok(ran >= 130, `daemon ran ${ran} compiles`);
  assert.equal(s.daemon['bad-frame'], 0);
});

test('the same build with the daemon killed (kill -9) halfway still succeeds, identical', { skip }, async () => {
  const pid = Number(readFileSync(join(ws.runtimeDir, 'daemon.pid'), 'utf8'));
  rmSync(join(root, 'work', 'lua5.4'), { recursive: true, force: true }); // so we count only new objects
  const build = run(script, [root, 'reprise'], { env });
  await waitFor('half the objects', () => countObjects() >= 60, 120_000, 50);
  process.kill(pid, 'SIGKILL');
  const r = await build;
  assert.equal(r.code, 0, text(r));
  assert.ok(!isAlive(pid));
  assert.deepEqual(objectDigests(workSrc), bare);
  // The next compile after the kill started a new daemon that served the rest.
  const newPid = Number(readFileSync(join(ws.runtimeDir, 'daemon.pid'), 'utf8'));
  assert.notEqual(newPid, pid);
  assert.ok(isAlive(newPid));
});

test('a warm build under reprise verify: every hit compiled again in the sandbox, zero mismatches', { skip }, async () => {
  const r = await run(script, [root, 'verify'], { env });
  assert.equal(r.code, 0, text(r));
  const m = /^reprise verify: (\d+) hits, (\d+) compiled again and compared: 0 mismatches$/m.exec(r.stdout.toString());
  assert.ok(m, text(r));
  assert.ok(Number(m[1]) >= 130, `${m[1]} hits`);
  assert.equal(m[2], m[1], 'every hit verified');
  assert.deepEqual(objectDigests(workSrc), bare);
});
