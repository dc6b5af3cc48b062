// A runtime directory the shim cannot use must never break or change a build.
import assert from 'node:assert/strict';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { run, text } from '../helpers/run.js';
import { projectOutputs, writeSmallProject } from '../helpers/small-project.js';
import { createWorkspace, stopDaemonAt } from '../helpers/workspace.js';
import { waitFor } from '../helpers/wait.js';

const ws = createWorkspace();
test.after(() => ws.cleanup());
const project = join(ws.dir, 'proj');
writeSmallProject(project);

const bare = await run('make', ['-j2', 'CC=gcc'], { cwd: project, env: ws.bareEnv });
assert.equal(bare.code, 0, text(bare));
const expected = projectOutputs(project);

async function buildWith(runtimeDir: string, wrap: string[] = []) {
  await run('make', ['clean'], { cwd: project, env: ws.bareEnv });
  const env = { ...ws.env, REPRISE_RUNTIME_DIR: runtimeDir, REPRISE_START_TIMEOUT_MS: '500' };
  const cmd = [...wrap, 'make', '-j2', 'CC=gcc'];
  const r = await run(cmd[0]!, cmd.slice(1), { cwd: project, env });
  assert.equal(r.code, 0, text(r));
  assert.deepEqual(projectOutputs(project), expected);
}

test('a read-only runtime directory (even for root): the build passes, outputs identical', async () => {
  const dir = join(ws.realDir, 'ro-run');
  mkdirSync(dir, { mode: 0o700 });
  // A read-only bind mount in a private mount namespace: EROFS whatever our privileges.
  await buildWith(dir, ['unshare', '--mount', '--propagation', 'private', 'sh', '-c',
    `mount --bind "${dir}" "${dir}" && mount -o remount,bind,ro "${dir}" && exec "$@"`, 'sh']);
  assert.ok(!existsSync(join(dir, 'daemon.sock')));
});

test('a runtime directory open to others is refused: the build passes, nothing is written there', async () => {
  const dir = join(ws.realDir, 'open-run');
  mkdirSync(dir);
  chmodSync(dir, 0o755);
  await buildWith(dir);
  assert.ok(!existsSync(join(dir, 'daemon.sock')));
  assert.ok(!existsSync(join(dir, 'fallbacks')));
});

test('a runtime directory owned by another user is refused', async () => {
  const dir = join(ws.realDir, 'foreign-run');
  mkdirSync(dir, { mode: 0o700 });
  chownSync(dir, 65534, 65534);
  await buildWith(dir);
  assert.ok(!existsSync(join(dir, 'daemon.sock')));
});

test('a runtime directory that is a symlink is refused', async () => {
  const target = join(ws.realDir, 'target-run');
  mkdirSync(target, { mode: 0o700 });
  const link = join(ws.realDir, 'link-run');
  symlinkSync(target, link);
  await buildWith(link);
  assert.ok(!existsSync(join(target, 'daemon.sock')));
});

test('no daemon can start (no launcher reachable in time): fallbacks are recorded and counted', async () => {
  const dir = join(ws.realDir, 'slow-run');
  mkdirSync(dir, { mode: 0o700 });
  // A start timeout of 0 ms gives up before any daemon can answer.
  await run('make', ['clean'], { cwd: project, env: ws.bareEnv });
  const env = { ...ws.env, REPRISE_RUNTIME_DIR: dir, REPRISE_START_TIMEOUT_MS: '0' };
  const r = await run('make', ['-j2', 'CC=gcc'], { cwd: project, env });
  // The shims gave up waiting, but the daemon they launched still starts: stop it once it has.
  await waitFor('the daemon launched in the background', () => existsSync(join(dir, 'daemon.pid')), 15_000);
  stopDaemonAt(dir);
  assert.equal(r.code, 0, text(r));
  assert.deepEqual(projectOutputs(project), expected);
  const lines = readFileSync(join(dir, 'fallbacks'), 'utf8').trim().split('\n');
  assert.ok(lines.length >= 1 && lines.every((l) => /^gcc [a-z-]+$/.test(l)), lines.join('\n'));
});
