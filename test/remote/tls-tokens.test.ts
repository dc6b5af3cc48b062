// A team cache behind TLS (a CA made for the test) and tokens, set up through the config
// file's [[remote]] tables as a team would: `reprise serve` with read-write and read tokens,
// reached over https (bazel-remote layout) and grpcs (REAPI). CI's token writes; a
// developer's read token hits, and its writes are refused and counted, never failing a build.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { reprise, stats } from '../helpers/reprise-cli.js';
import { startRepriseServe } from '../helpers/servers/reprise-serve.js';
import { makeTestCa } from '../helpers/test-ca.js';
import { assertObjects, bareObjects, machine, make, UNITS, type Machine } from '../helpers/two-machines.js';
import { createWorkspace } from '../helpers/workspace.js';

const srv = createWorkspace('reprise-tls-');
const machines: Machine[] = [];
test.after(() => {
  for (const m of machines) m.ws.cleanup();
  srv.cleanup();
});

/** A machine whose remote comes from its config file (REPRISE_REMOTE unset). */
function configured(remote: string): Machine {
  const m = machine('');
  machines.push(m);
  writeFileSync(m.ws.configFile, remote);
  return m;
}

for (const scheme of ['https', 'grpcs'] as const) {
  test(`${scheme}: TLS with the team's CA, a read-write token for CI and a read token for developers`, async (t) => {
    const expected = await bareObjects();
    const dir = join(srv.dir, scheme);
    const ca = await makeTestCa(srv.dir);
    writeFileSync(join(srv.dir, 'tokens'), 'read-write ci-secret-token\nread dev-secret-token\n');
    const serve = await startRepriseServe(dir, [
      scheme === 'https' ? '--http' : '--listen', '127.0.0.1:0',
      '--tls-cert', ca.certFile, '--tls-key', ca.keyFile, '--token-file', join(srv.dir, 'tokens'),
    ]);
    t.after(async () => void (await serve.stop()));
    const url = scheme === 'https' ? `https://${serve.http!}/cache` : `grpcs://${serve.grpc!}`;
    const table = (token: string, role: string): string => `[[remote]]\nurl = "${url}"\nrole = "${role}"\ntoken = "${token}"\nca = "${ca.caCert}"\ntimeout = "10s"\n`;

    const ci = configured(table('ci-secret-token', 'read-write'));
    const shown = await reprise(['config', 'show'], ci.env);
    assert.equal(shown.code, 0, shown.stderr.toString());
    assert.ok(!shown.stdout.toString().includes('ci-secret-token'), `the token is redacted:\n${shown.stdout.toString()}`);
    await make(ci);
    assert.equal((await reprise(['daemon', 'stop'], ci.env)).code, 0);
    const up = (await stats(ci.env)).remotes[url];
    assert.equal(up?.uploads, 2 * (UNITS + 1), JSON.stringify(up));

    // A developer's token reads; configured read-write by mistake, its uploads are refused.
    const dev = configured(table('dev-secret-token', 'read-write'));
    await make(dev);
    assert.equal((await stats(dev.env)).tools.cc?.['direct-hit'], UNITS + 1);
    assertObjects(dev, expected);
    writeFileSync(join(dev.checkout, 'u0.c'), '#include "common.h"\nint u0(int x) { return x * SCALE + 77; }\n');
    await new Promise((r) => setTimeout(r, 50));
    await make(dev);
    assert.equal((await reprise(['daemon', 'stop'], dev.env)).code, 0);
    const c = (await stats(dev.env)).remotes[url]!;
    assert.ok(c.refused >= 1 && c.uploads === 0 && c['breaker-opened'] === 0, JSON.stringify(c));

    // Without the CA the server's certificate is not trusted: every compile runs locally.
    const stranger = configured(`[[remote]]\nurl = "${url}"\nrole = "read"\ntoken = "dev-secret-token"\n`);
    await make(stranger);
    assertObjects(stranger, expected);
    const s = await stats(stranger.env);
    assert.equal(s.tools.cc?.miss, UNITS + 1);
    assert.ok((s.remotes[url]?.errors ?? 0) >= 1, JSON.stringify(s.remotes[url]));
  });
}
