// A running daemon and its edited config file: daemon.* settings apply live (watched with
// chokidar, no request needed), others make `reprise doctor` say the daemon runs with older
// settings, and a bad edit is reported there without taking the daemon down.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import test from 'node:test';
import type { DaemonStatus } from '../../src/daemon/handlers/handle-admin.js';
import { writeCSources } from '../helpers/c-sources.js';
import { reprise, stats, toolCount } from '../helpers/reprise-cli.js';
import { run, text } from '../helpers/run.js';
import { isAlive, waitFor } from '../helpers/wait.js';
import { createWorkspace } from '../helpers/workspace.js';

const ws = createWorkspace();
writeCSources(ws.dir);
test.after(() => ws.cleanup());
const daemonPid = (): number => Number(readFileSync(join(ws.runtimeDir, 'daemon.pid'), 'utf8'));

async function status(env = ws.env): Promise<DaemonStatus> {
  const r = await reprise(['daemon', 'status', '--json'], env);
  assert.equal(r.code, 0, text(r));
  return JSON.parse(r.stdout.toString()) as DaemonStatus;
}

async function start(env = ws.env): Promise<number> {
  const r = await reprise(['daemon', 'start'], env);
  assert.equal(r.code, 0, text(r));
  return daemonPid();
}

/** A client that connects and leaves at once: the daemon notes it at log level debug only. */
async function leaveAtOnce(): Promise<void> {
  await new Promise<void>((resolve) => {
    const s = connect(join(ws.runtimeDir, 'daemon.sock'), () => s.end());
    s.on('close', () => resolve());
    s.on('error', () => resolve());
  });
}

async function stop(pid: number): Promise<void> {
  await reprise(['daemon', 'stop'], ws.env);
  await waitFor('the daemon to exit', () => !isAlive(pid));
}

test('an edited setting the daemon cannot apply live: doctor says it runs with older settings; a bad edit is reported, the daemon lives on', async () => {
  writeFileSync(ws.configFile, '[cache]\nmax_size = "1G"\n');
  const pid = await start();
  const before = await status();
  assert.deepEqual(before.config?.pending, []);
  assert.equal(before.config?.file, ws.configFile);
  const fresh = await reprise(['doctor'], ws.env);
  assert.match(fresh.stdout.toString(), /^ok\s+the daemon runs with the config file's current settings$/m, text(fresh));

  // A comment or a reordering is no change of settings.
  writeFileSync(ws.configFile, '# the cache\n[cache]\nmax_size = 1073741824\n');
  assert.deepEqual((await status()).config?.pending, []);

  writeFileSync(ws.configFile, '[cache]\nmax_size = "2G"\nverify_rate = 0.5\n');
  const stale = await status();
  assert.deepEqual(stale.config?.pending, ['cache.max_size', 'cache.verify_rate']);
  assert.equal(stale.config?.loadedAt, before.config?.loadedAt);
  const doctor = await reprise(['doctor'], ws.env);
  assert.equal(doctor.code, 0, text(doctor));
  const says = doctor.stdout.toString();
  assert.match(says, new RegExp(`^warn\\s+the daemon runs with older settings from ${before.config?.loadedAt}; restart it with \`reprise daemon stop\` \\(${ws.configFile} now sets cache\\.max_size, cache\\.verify_rate differently\\)$`, 'm'), says);
  assert.match((await reprise(['daemon', 'status'], ws.env)).stdout.toString(), /runs with older settings from .* \(cache\.max_size, cache\.verify_rate\)/);

  // A broken edit: the daemon keeps serving on what it has and says why the file cannot be used.
  writeFileSync(ws.configFile, '[cache]\nmax_size = "2G"\nverify_rate = "often"\n');
  const broken = await status();
  assert.match(broken.config?.error ?? '', /config\.toml:3: cache\.verify_rate = "often": expected a number from 0 to 1/);
  assert.ok(isAlive(pid));
  const doctorBroken = await reprise(['doctor'], ws.env);
  assert.equal(doctorBroken.code, 1, 'the CLI cannot read the file either');
  assert.match(doctorBroken.stdout.toString(), /^warn\s+the config file .*config\.toml changed at \S+ and cannot be used: .*cache\.verify_rate = "often".*; the daemon keeps its settings from /m);
  const gcc = await run('gcc', ['-c', 'ok.c', '-o', 'ok.o'], { cwd: ws.dir, env: ws.env });
  assert.equal(gcc.code, 0, text(gcc));
  assert.equal(toolCount(await stats(ws.env), 'gcc', 'fallbacks'), 0, 'the daemon served the compile');
  assert.equal((await status()).pid, pid, 'still the same daemon');

  // Fixed back to what the daemon runs with: current again. `daemon stop` never needed the file.
  writeFileSync(ws.configFile, '[cache]\nmax_size = "1G"\n');
  const current = await status();
  assert.deepEqual(current.config?.pending, []);
  assert.equal(current.config?.error, undefined);
  await stop(pid);
});

test('the daemon\'s own REPRISE_* variables still win over an edited file', async () => {
  writeFileSync(ws.configFile, '[cache]\nmax_size = "1G"\n');
  const env = { ...ws.env, REPRISE_MAX_SIZE: '3G' };
  const pid = await start(env);
  writeFileSync(ws.configFile, '[cache]\nmax_size = "2G"\n');
  assert.deepEqual((await status()).config?.pending, [], 'max_size comes from the environment, whatever the file says');
  await stop(pid);
});

test('daemon.* settings apply live, by the watch alone: a shorter idle_timeout makes an idle daemon exit', async () => {
  writeFileSync(ws.configFile, '[daemon]\nidle_timeout = "10m"\nmax_jobs = 1\nlog_level = "debug"\n');
  const pid = await start();
  assert.equal((await status()).maxJobs, 1);
  writeFileSync(ws.configFile, '[daemon]\nidle_timeout = "1s"\nmax_jobs = 2\nlog_level = "debug"\n');
  // No request from here on: only chokidar can tell the daemon.
  await waitFor('the daemon to apply idle_timeout = 1s and exit', () => !isAlive(pid), 15_000, 100);
  const log = readFileSync(join(ws.runtimeDir, 'daemon.log'), 'utf8');
  assert.match(log, /config file changed: applied daemon\.idle_timeout, daemon\.max_jobs/);
  assert.match(log, /draining: idle timeout/);
});

test('a daemon whose file is current reports the live change in doctor and status', async () => {
  writeFileSync(ws.configFile, '[daemon]\nlog_level = "info"\nqueue_timeout = "30s"\n');
  const pid = await start();
  const logFile = join(ws.runtimeDir, 'daemon.log');
  const debugLines = (): number => readFileSync(logFile, 'utf8').split('\n').filter((l) => l.includes(` ${pid} debug client left before its request`)).length;
  await leaveAtOnce();
  writeFileSync(ws.configFile, '[daemon]\nlog_level = "debug"\nqueue_timeout = "5s"\n');
  const s = await status();
  assert.deepEqual(s.config?.pending, []);
  assert.deepEqual(s.config?.applied?.keys, ['daemon.queue_timeout', 'daemon.log_level']);
  const doctor = await reprise(['doctor'], ws.env);
  assert.match(doctor.stdout.toString(), /^ok\s+the daemon applied daemon\.queue_timeout, daemon\.log_level from the edited config file at /m);
  assert.equal(debugLines(), 0, 'not logged at info');
  await leaveAtOnce();
  await waitFor('a debug line once log_level is debug', () => debugLines() >= 1);
  await stop(pid);
});
