// Signed results: a reader with trusted keys uses only entries one of them signed. Unsigned
// and wrongly signed entries are refused and counted (remote-unsigned, remote-bad-signature),
// and the build compiles locally; a salt disowns what was written before it.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { reprise, stats } from '../helpers/reprise-cli.js';
import { nginxMissing, startNginx } from '../helpers/servers/nginx-webdav.js';
import { assertObjects, bareObjects, machine, make, UNITS, type Machine } from '../helpers/two-machines.js';
import { createWorkspace } from '../helpers/workspace.js';

const skip = nginxMissing() ?? false;
if (skip && process.env.CI) throw new Error(`required under CI: ${skip}`);

const srv = createWorkspace('reprise-signed-');
const machines: Machine[] = [];
test.after(() => {
  for (const m of machines) m.ws.cleanup();
  srv.cleanup();
});

function keyPair(name: string): { privateFile: string; publicPem: string; publicRaw: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const privateFile = join(srv.dir, `${name}.pem`);
  writeFileSync(privateFile, privateKey.export({ format: 'pem', type: 'pkcs8' }));
  const publicPem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
  const publicRaw = (publicKey.export({ format: 'der', type: 'spki' }) as Buffer).subarray(12).toString('base64');
  return { privateFile, publicPem, publicRaw };
}

async function fill(url: string, extra: NodeJS.ProcessEnv): Promise<void> {
  const m = machine(url, extra);
  machines.push(m);
  await make(m);
  assert.equal((await reprise(['daemon', 'stop'], m.env)).code, 0);
  assert.equal((await stats(m.env)).remotes[url]?.uploads, 2 * (UNITS + 1));
}

async function read(url: string, extra: NodeJS.ProcessEnv): Promise<{ hits: number; counters: Record<string, number> }> {
  const m = machine(url, { ...extra, REPRISE_REMOTE_ROLE: 'read' });
  machines.push(m);
  await make(m);
  assertObjects(m, expected);
  const s = await stats(m.env);
  return { hits: s.tools.cc?.['direct-hit'] ?? 0, counters: s.remotes[url] ?? {} };
}

let expected: Buffer[];

test('only results signed by a trusted key are used', { skip }, async (t) => {
  expected = await bareObjects();
  const nginx = await startNginx(join(srv.dir, 'nginx'));
  t.after(() => nginx.stop());
  const ci = keyPair('ci');
  const other = keyPair('other');

  await fill(nginx.url, {});
  const unsigned = await read(nginx.url, { REPRISE_TRUSTED_KEYS: ci.publicRaw });
  assert.equal(unsigned.hits, 0);
  assert.ok(unsigned.counters['remote-unsigned']! >= UNITS + 1, JSON.stringify(unsigned.counters));

  // Each writer trusts its own key only, so it refuses what is there and fills anew.
  await fill(nginx.url, { REPRISE_SIGNING_KEY: other.privateFile, REPRISE_TRUSTED_KEYS: other.publicRaw });
  const wrong = await read(nginx.url, { REPRISE_TRUSTED_KEYS: ci.publicPem });
  assert.equal(wrong.hits, 0);
  assert.ok(wrong.counters['remote-bad-signature']! >= UNITS + 1, JSON.stringify(wrong.counters));

  await fill(nginx.url, { REPRISE_SIGNING_KEY: ci.privateFile, REPRISE_TRUSTED_KEYS: ci.publicRaw });
  const good = await read(nginx.url, { REPRISE_TRUSTED_KEYS: `${other.publicRaw},${ci.publicPem}` });
  assert.equal(good.hits, UNITS + 1, JSON.stringify(good.counters));

  // A new salt disowns every entry written before it.
  const salted = await read(nginx.url, { REPRISE_TRUSTED_KEYS: ci.publicRaw, REPRISE_REMOTE_SALT: 'after-the-incident' });
  assert.equal(salted.hits, 0);
  assert.equal(salted.counters.hits, 0);
});

test('a bad trusted key is a config error that names the setting', { skip }, async () => {
  const m = machine('http://127.0.0.1:9/cache', { REPRISE_TRUSTED_KEYS: 'not-a-key' });
  machines.push(m);
  const r = await reprise(['daemon', 'start'], m.env);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr.toString() + r.stdout.toString(), /REPRISE_TRUSTED_KEYS/);
});
