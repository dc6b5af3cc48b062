// A tool that dies of a signal makes the shim die of the same signal, on both paths.
// The "compiler" here is a test double: no real compiler dies of a signal on demand.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { stats, toolCount } from '../helpers/reprise-cli.js';
import { run } from '../helpers/run.js';
import { createWorkspace } from '../helpers/workspace.js';

const ws = createWorkspace();
test.after(() => ws.cleanup());
const fakeDir = join(ws.realDir, 'fake-bin');
mkdirSync(fakeDir);
writeFileSync(join(fakeDir, 'cc'), '#!/bin/sh\necho "out $*"; echo "err" >&2\ncase "$*" in *die*) kill -TERM $$ ;; *exit3*) exit 3 ;; esac\nexit 0\n');
chmodSync(join(fakeDir, 'cc'), 0o755);
const env = { ...ws.env, PATH: ws.env.PATH!.replace(':', `:${fakeDir}:`) };

for (const disable of ['', '1']) {
  const label = disable ? 'run directly' : 'run by the daemon';
  test(`${label}: exit status and signal death are passed on`, async () => {
    const e = { ...env, REPRISE_DISABLE: disable };
    const died = await run('cc', ['-c', 'die.c'], { cwd: ws.dir, env: e });
    assert.equal(died.signal, 'SIGTERM');
    assert.equal(died.stdout.toString(), 'out -c die.c\n');
    const three = await run('cc', ['-c', 'exit3.c'], { cwd: ws.dir, env: e });
    assert.equal(three.code, 3);
    assert.equal(three.stderr.toString(), 'err\n');
  });
}

test('the signal cases above went through the daemon when enabled', async () => {
  const s = await stats(ws.env);
  assert.equal(toolCount(s, 'cc', 'daemon-run'), 2);
  assert.equal(toolCount(s, 'cc', 'tool-failed'), 2);
});

test('a compiler that cannot be executed is declined (spawn-failed), and the shim reports the exec error', async () => {
  const badDir = join(ws.realDir, 'bad-bin');
  mkdirSync(badDir);
  writeFileSync(join(badDir, 'gcc'), '#!/nonexistent/interpreter\n');
  chmodSync(join(badDir, 'gcc'), 0o755);
  const e = { ...ws.env, PATH: `${ws.env.PATH!.split(':')[0]}:${badDir}:/usr/bin:/bin` };
  writeFileSync(join(ws.dir, 'x.c'), 'int x;\n');
  const r = await run('gcc', ['-c', 'x.c', '-o', 'x.o'], { cwd: ws.dir, env: e });
  assert.equal(r.code, 127);
  assert.match(r.stderr.toString(), /cannot run .*bad-bin\/gcc/);
  const s = await stats(ws.env);
  assert.equal(s.passThroughReasons['spawn-failed'], 1);
  assert.equal(s.daemon['executor-lost'], 0);
  assert.equal(s.tools.gcc?.fallbacks ?? 0, 0);
});
