// reprise's own daemons sharing `reprise serve --http` as their team cache (REPRISE_REMOTE,
// the bazel-remote layout), with tokens carried as a URL's password: CI's machine fills it
// with a read-write token, a second machine with a read token and an empty local store gets
// every compile from it, and its objects are the bare compiler's.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { reprise, stats } from '../helpers/reprise-cli.js';
import { startRepriseServe } from '../helpers/servers/reprise-serve.js';
import { assertObjects, bareObjects, machine, make, UNITS, type Machine } from '../helpers/two-machines.js';

const base = mkdtempSync(join(tmpdir(), 'reprise-serve-daemons-'));
const machines: Machine[] = [];
test.after(() => {
  for (const m of machines) m.ws.cleanup();
  rmSync(base, { recursive: true, force: true });
});

test('two reprise daemons share reprise serve: CI writes with a read-write token, the second machine reads every compile', async (t) => {
  const expected = await bareObjects();
  writeFileSync(join(base, 'tokens'), 'read-write ci-7a61\nread dev-02f9\n');
  const server = await startRepriseServe(join(base, 'store'), ['--http', '127.0.0.1:0', '--token-file', join(base, 'tokens')]);
  t.after(() => server.stop());

  const ci = machine(`http://ci:ci-7a61@${server.http}/reprise`);
  machines.push(ci);
  await make(ci);
  assert.equal((await reprise(['daemon', 'stop'], ci.env)).code, 0); // drains the uploads
  const up = Object.values((await stats(ci.env)).remotes);
  assert.equal(up.length, 1);
  assert.equal(up[0]!.uploads, 2 * (UNITS + 1), JSON.stringify(up[0]));
  assert.equal(up[0]!['upload-failed'], 0);

  const dev = machine(`http://dev:dev-02f9@${server.http}/reprise`, { REPRISE_REMOTE_ROLE: 'read' });
  machines.push(dev);
  await make(dev);
  const s = await stats(dev.env);
  assert.equal(s.tools.cc?.['direct-hit'], UNITS + 1, JSON.stringify(s.tools));
  assert.equal(s.tools.cc?.miss ?? 0, 0);
  assert.equal(Object.values(s.remotes)[0]?.hits, 2 * (UNITS + 1), JSON.stringify(s.remotes));
  assertObjects(dev, expected);
});
