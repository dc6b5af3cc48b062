// The CLI's small commands: env, shims install, stats, doctor, exec.
import assert from 'node:assert/strict';
import { lstatSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { installPaths } from '../../src/runtime/install-paths.js';
import { writeCSources } from '../helpers/c-sources.js';
import { reprise, stats } from '../helpers/reprise-cli.js';
import { run, text } from '../helpers/run.js';
import { createWorkspace } from '../helpers/workspace.js';

const ws = createWorkspace();
writeCSources(ws.dir);
test.after(() => ws.cleanup());

test('env prints a PATH line with the shim directory first', async () => {
  const r = await reprise(['env'], ws.env);
  assert.equal(r.stdout.toString(), `export PATH='${installPaths.shimDir}':"$PATH"\n`);
  const sh = await run('sh', ['-c', `${r.stdout.toString()} command -v gcc`], { env: ws.bareEnv });
  assert.equal(sh.stdout.toString().trim(), join(installPaths.shimDir, 'gcc'));
});

test('shims install makes links for every compiler name, plus extra names, and refuses to clobber files', async () => {
  const dir = join(ws.realDir, 'masq');
  const r = await reprise(['shims', 'install', dir, '--name', 'gcc-12', '--name', 'x86_64-linux-gnu-gcc'], ws.env);
  assert.equal(r.code, 0, text(r));
  for (const n of ['gcc', 'g++', 'cc', 'c++', 'clang', 'clang++', 'rustc', 'ghc', 'go', 'gcc-12', 'x86_64-linux-gnu-gcc']) {
    assert.ok(lstatSync(join(dir, n)).isSymbolicLink(), n);
    assert.equal(readlinkSync(join(dir, n)), installPaths.shimBinary);
  }
  assert.equal((await reprise(['shims', 'install', dir], ws.env)).code, 0, 'installing twice is fine');
  rmSync(join(dir, 'cc')); // unlink first: writing through the link would clobber the shim binary
  writeFileSync(join(dir, 'cc'), 'not a link');
  const clobber = await reprise(['shims', 'install', dir], ws.env);
  assert.equal(clobber.code, 1);
  assert.match(clobber.stderr.toString(), /not a symlink/);
  const bad = await reprise(['shims', 'install', dir, '--name', '../escape'], ws.env);
  assert.equal(bad.code, 1);
});

test('a versioned name in a masquerade directory reaches the daemon as a gcc-like compile', async () => {
  const dir = join(ws.realDir, 'masq2');
  await reprise(['shims', 'install', dir, '--name', 'gcc-12'], ws.env);
  const env = { ...ws.bareEnv, PATH: `${dir}:${ws.bareEnv.PATH}` };
  const r = await run('gcc-12', ['-c', 'ok.c', '-o', 'ok12.o'], { cwd: ws.dir, env });
  assert.equal(r.code, 0, text(r));
  assert.equal((await stats(ws.env)).tools['gcc-12']?.['daemon-run'], 1);
});

test('exec runs the command with the shims first on PATH and passes its exit status on', async () => {
  const r = await reprise(['exec', '--', 'sh', '-c', 'command -v cc; exit 7'], ws.env);
  assert.equal(r.code, 7);
  assert.equal(r.stdout.toString().trim(), join(installPaths.shimDir, 'cc'));
  assert.equal((await reprise(['exec', '--', 'no-such-command-here'], ws.env)).code, 127);
});

test('stats: the table, --json and --zero', async () => {
  await reprise(['exec', '--', 'gcc', '-c', 'ok.c', '-o', 'ok.o'], ws.env, ws.dir);
  const table = await reprise(['stats'], ws.env);
  assert.match(table.stdout.toString(), /^\s+gcc\s+\d+\s+\d+/m);
  assert.ok((await stats(ws.env)).tools.gcc!.calls >= 1);
  assert.equal((await reprise(['stats', '--zero'], ws.env)).code, 0);
  const zeroed = await stats(ws.env);
  assert.deepEqual(zeroed.tools, {});
});

test('stats without a daemon reads the saved counters and the pending fallbacks', async () => {
  await reprise(['daemon', 'stop'], ws.env);
  writeFileSync(join(ws.runtimeDir, 'fallbacks'), 'gcc no-daemon\ngcc no-daemon\ngarbage line here\ncc bad-frame\n');
  const s = await stats(ws.env);
  assert.equal(s.tools.gcc?.fallbacks, 2);
  assert.equal(s.fallbackReasons['no-daemon'], 2);
  assert.equal(s.fallbackReasons['bad-frame'], 1);
  const table = await reprise(['stats'], ws.env);
  assert.match(table.stdout.toString(), /daemon not running/);
});

test('doctor reports the shim, runtime dir and compilers; fails on a bad runtime dir', async () => {
  const ok = await reprise(['doctor'], ws.env);
  assert.equal(ok.code, 0, text(ok));
  assert.match(ok.stdout.toString(), /^ok\s+shim binary/m);
  assert.match(ok.stdout.toString(), /^ok\s+gcc: \/usr\/bin\/gcc/m);
  const bad = await reprise(['doctor'], { ...ws.env, REPRISE_RUNTIME_DIR: '/tmp' });
  assert.equal(bad.code, 1);
  assert.match(bad.stdout.toString(), /fail\s+runtime dir: .*mode 777/);
  const conf = await reprise(['doctor'], { ...ws.env, REPRISE_MAX_JOBS: 'lots' });
  assert.equal(conf.code, 1);
  assert.match(conf.stdout.toString(), /REPRISE_MAX_JOBS=lots/);
  assert.doesNotMatch(ok.stdout.toString(), /an overlay mount cannot name/);
  // A cache path an overlay option cannot hold: overlays fail for every fill there (host-view.ts).
  const odd = await reprise(['doctor'], { ...ws.env, REPRISE_CACHE_DIR: join(ws.realDir, 'cache:1') });
  assert.equal(odd.code, 0, text(odd));
  assert.match(odd.stdout.toString(), /^warn\s+cache dir .*cache:1: its path holds ":", which an overlay mount cannot name/m);
});
