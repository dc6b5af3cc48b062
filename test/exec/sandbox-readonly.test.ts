// A sandboxed job's inputs are read-only and nosuid whether their source was read-only
// outside (the host, through bubblewrap's --ro-bind) or writable (the scratch directory):
// the spawner leaves out the remount only where the bind is read-only already.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { createSandbox } from '../../src/exec/create-sandbox.js';
import { findBwrap } from '../../src/exec/find-bwrap.js';
import { buildView } from '../../src/exec/sandbox-view.js';
import { installPaths } from '../../src/runtime/install-paths.js';

const base = realpathSync(mkdtempSync(join(tmpdir(), 'reprise-sandbox-ro-')));
const scratchDir = join(base, 'scratch');
mkdirSync(scratchDir);
const log = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };
const sandbox = createSandbox({ bwrap: findBwrap(), spawner: installPaths.spawner, scratchDir, log });
test.after(() => {
  sandbox.close();
  rmSync(base, { recursive: true, force: true });
});

test('inputs bound from read-only and from writable places are both read-only inside, and mounted nosuid', async () => {
  const status = await sandbox.status();
  assert.ok(status.ok, status.ok ? '' : status.why);
  const host = join(base, 'host.h'); // read-only in the outer view
  const scratch = join(scratchDir, 'scratch.h'); // writable in the outer view
  writeFileSync(host, 'host\n');
  writeFileSync(scratch, 'scratch\n');
  const view = buildView({ toolchain: ['/bin', '/usr/bin', '/lib', '/usr/lib', '/lib64'], inputs: [host, scratch], outputs: [], dirs: [], tmpfs: ['/tmp'] });
  const err: Buffer[] = [];
  const out: Buffer[] = [];
  const script = `for f in ${host} ${scratch}; do echo x >> "$f" && echo "wrote $f"; done; grep -E ' (${base}/host.h|${scratchDir}/scratch.h) ' /proc/self/mounts`;
  const r = await sandbox.executor.run({
    toolPath: '/bin/sh', argv0: '/bin/sh', args: ['-c', script], cwd: '/', env: new Map([['PATH', '/usr/bin:/bin']]), umask: 0o022, view: view.ops,
    signal: AbortSignal.timeout(20_000), onStarted: () => undefined, onStdout: (d) => out.push(d), onStderr: (d) => err.push(d),
  });
  assert.equal(r.kind, 'exited');
  const stdout = Buffer.concat(out).toString();
  assert.doesNotMatch(stdout, /wrote/, 'a write to an input went through');
  assert.match(Buffer.concat(err).toString(), /Read-only file system/);
  const mounts = stdout.split('\n').filter((l) => l !== '');
  assert.equal(mounts.length, 2, stdout);
  for (const m of mounts) assert.match(m.split(' ')[3]!, /^ro,nosuid,nodev/, m);
  assert.equal(readFileSync(host, 'utf8'), 'host\n');
  assert.equal(readFileSync(scratch, 'utf8'), 'scratch\n');
});
