// The config file through the real CLI: parsed, overridden by REPRISE_* variables, shown with
// sources and secrets redacted, and refused with the file, line, key and what is allowed.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import type { ConfigDescription, ConfigEntry } from '../../src/config/describe-config.js';
import { findKeyLines } from '../../src/config/find-key-lines.js';
import { writeCSources } from '../helpers/c-sources.js';
import { reprise } from '../helpers/reprise-cli.js';
import { run, text } from '../helpers/run.js';
import { createWorkspace } from '../helpers/workspace.js';

const ws = createWorkspace();
writeCSources(ws.dir);
test.after(() => ws.cleanup());

async function show(env: NodeJS.ProcessEnv): Promise<ConfigDescription> {
  const r = await reprise(['config', 'show', '--json'], env);
  assert.equal(r.code, 0, text(r));
  return JSON.parse(r.stdout.toString()) as ConfigDescription;
}

function entry(d: ConfigDescription, key: string): ConfigEntry {
  const e = d.settings.find((s) => s.key === key);
  assert.ok(e, `no ${key} in ${d.settings.map((s) => s.key).join(' ')}`);
  return e;
}

test('the file sets values, REPRISE_* variables override it, and each value says where it came from', async () => {
  writeFileSync(ws.configFile, [
    '# the team settings', //                 1
    '[cache]', //                             2
    'max_size = "10G"', //                    3
    'base_dir = "~/src"', //                  4
    'verify_rate = 0.01', //                  5
    'sandbox = false', //                     6
    '', //                                    7
    '[daemon]', //                            8
    'idle_timeout = "15m"', //                9
    'max_jobs = 3', //                        10
    'queue_timeout = 45', //                  11
    '', //                                    12
    '[[remote]]', //                          13
    'url = "grpc://localhost:8980"', //       14
    'role = "read"', //                       15
    'timeout = "750ms"', //                   16
    'instance = "main"', //                   17
    'ca = "team-ca.pem"', //                  18
    '', //                                    19
    '[trust]', //                             20
    'salt = "v2"', //                         21
  ].join('\n'));
  const env = { ...ws.env, HOME: '/home/someone', REPRISE_MAX_SIZE: '2G', REPRISE_MAX_JOBS: '5' };
  const d = await show(env);
  assert.deepEqual(d.file, { path: ws.configFile, explicit: true, exists: true, digest: d.file.digest });
  assert.match(d.file.digest ?? '', /^[0-9a-f]{64}$/);
  const at = (line: number) => ({ kind: 'file', path: ws.configFile, key: '', line });
  const check = (key: string, value: unknown, source: object): void => {
    const e = entry(d, key);
    assert.deepEqual(e.value, value, key);
    assert.deepEqual(e.source.kind === 'file' ? { ...e.source, key: '' } : e.source, source, key);
  };
  check('cache.max_size', '2G', { kind: 'env', name: 'REPRISE_MAX_SIZE' });
  check('cache.base_dir', '/home/someone/src', at(4));
  check('cache.verify_rate', 0.01, at(5));
  check('cache.sandbox', false, at(6));
  check('cache.tickets', true, { kind: 'default' });
  check('cache.dir', ws.cacheDir, { kind: 'env', name: 'REPRISE_CACHE_DIR' });
  // No digest set: a cache with a remote names blobs by SHA-256.
  check('cache.digest', 'sha256', { kind: 'default', note: 'sha256 because a remote is configured' });
  check('daemon.idle_timeout', '15m', at(9));
  check('daemon.max_jobs', 5, { kind: 'env', name: 'REPRISE_MAX_JOBS' });
  check('daemon.queue_timeout', '45s', at(11));
  check('remote[1]', undefined, at(13));
  check('remote[1].url', 'grpc://localhost:8980', at(14));
  check('remote[1].role', 'read', at(15));
  check('remote[1].timeout', '750ms', at(16));
  check('remote[1].cooldown', '30s', { kind: 'default' });
  check('remote[1].instance', 'main', at(17));
  check('remote[1].ca', join(ws.configFile, '..', 'team-ca.pem'), at(18)); // relative to the file
  check('trust.salt', 'v2', at(21));

  // REPRISE_REMOTE replaces the file's remotes; REPRISE_REMOTE_ROLE applies to every remote.
  const viaEnv = await show({ ...env, REPRISE_REMOTE: 'http://127.0.0.1:9090/cache', REPRISE_REMOTE_ROLE: 'read-write', REPRISE_DIGEST: 'blake3' });
  assert.equal(viaEnv.settings.filter((s) => /^remote\[\d+\]$/.test(s.key)).length, 1);
  assert.deepEqual(entry(viaEnv, 'remote[1].url'), { key: 'remote[1].url', value: 'http://127.0.0.1:9090/cache', source: { kind: 'env', name: 'REPRISE_REMOTE' } });
  assert.deepEqual(entry(viaEnv, 'remote[1].role').source, { kind: 'env', name: 'REPRISE_REMOTE_ROLE' });
  assert.equal(entry(viaEnv, 'remote[1].timeout').value, '5s', 'a remote from REPRISE_REMOTE has the defaults, not the file\'s remote\'s');
  assert.deepEqual(entry(viaEnv, 'cache.digest'), { key: 'cache.digest', value: 'blake3', source: { kind: 'env', name: 'REPRISE_DIGEST' } });

  // The text form: a TOML file with each line's source.
  const t = await reprise(['config', 'show'], env);
  assert.equal(t.code, 0, text(t));
  const out = t.stdout.toString();
  assert.match(out, /^max_size = "2G" +# env REPRISE_MAX_SIZE$/m);
  assert.match(out, /^idle_timeout = "15m" +# file:9$/m);
  assert.match(out, /^tickets = true +# default$/m);
  assert.match(out, /^\[\[remote\]\] +# file:13$/m);
  assert.match(out, /^# signing_key \(unset\) +# default$/m);
});

test('XDG_CONFIG_HOME is where the file is looked for without REPRISE_CONFIG; no file is no error', async () => {
  const xdg = join(ws.realDir, 'xdg');
  const env: NodeJS.ProcessEnv = { ...ws.env, XDG_CONFIG_HOME: xdg };
  delete env.REPRISE_CONFIG;
  const none = await show(env);
  assert.deepEqual(none.file, { path: join(xdg, 'reprise', 'config.toml'), explicit: false, exists: false });
  assert.deepEqual(entry(none, 'daemon.log_level').source, { kind: 'default' });
  mkdirSync(join(xdg, 'reprise'), { recursive: true });
  writeFileSync(join(xdg, 'reprise', 'config.toml'), '[daemon]\nlog_level = "debug"\n');
  const found = await show(env);
  assert.equal(found.file.exists, true);
  assert.deepEqual(entry(found, 'daemon.log_level'), { key: 'daemon.log_level', value: 'debug', source: { kind: 'file', path: join(xdg, 'reprise', 'config.toml'), key: 'daemon.log_level', line: 2 } });
});

test('unknown keys and tables, bad values and bad TOML: exit 2, naming the file, line, key and what is allowed', async () => {
  const cases: Array<[string, RegExp]> = [
    ['[cache]\nmaxsize = "5G"\n', /:2: unknown key cache\.maxsize \(allowed in \[cache\]: dir, max_size, digest, base_dir, sandbox, verify_rate, tickets, enabled\)/],
    ['[cache]\n\nmax_size = "5 gigs"\n', /:3: cache\.max_size = "5 gigs": expected a size such as "5G", "500M"/],
    ['[cach]\nmax_size = "5G"\n', /:1: unknown table \[cach\] \(allowed: \[cache\], \[daemon\], \[\[remote\]\], \[\[executor\]\], \[trust\]\)/],
    ['max_size = "5G"\n', /:1: unknown key max_size \(allowed: \[cache\], \[daemon\], \[\[remote\]\], \[\[executor\]\], \[trust\]; max_size belongs in \[cache\]\)/],
    ['[daemon]\nidle_timeout = "ten minutes"\n', /:2: daemon\.idle_timeout = "ten minutes": expected a duration from 0 to 8760h, such as "500ms", "5s", "10m"/],
    ['[daemon]\nmax_jobs = 0\n', /:2: daemon\.max_jobs = 0: expected a whole number from 1 to 1024/],
    ['[daemon]\nlog_level = "loud"\n', /:2: daemon\.log_level = "loud": expected one of "error", "warn", "info", "debug"/],
    ['[cache]\ndigest = "md5"\n', /:2: cache\.digest = "md5": expected one of "blake3", "sha256"/],
    ['[cache]\nsandbox = "off"\n', /:2: cache\.sandbox = "off": expected true or false/],
    ['[[remote]]\nurl = "http://x"\nrole = "write"\n', /:3: remote\[1\]\.role = "write": expected one of "read", "read-write"/],
    ['[[remote]]\nurl = "http://x"\n\n[[remote]]\nurl = "http://y"\nretries = 3\n', /:6: unknown key remote\[2\]\.retries \(allowed in \[\[remote\]\]: url, role, timeout, cooldown, headers, token, username, password, ca, instance, max_connections, upload_queue\)/],
    ['[[remote]]\nrole = "read"\n', /:1: remote\[1\] has no url/],
    ['[[remote]]\nurl = "ftp://x"\n', /:2: remote\[1\]\.url: ftp:\/\/ is not a remote scheme/],
    ['[remote]\nurl = "http://x"\n', /:1: remote must be \[\[remote\]\] tables/],
    ['[trust]\npublic_keys = ["not-a-key"]\n', /:2: trust\.public_keys: expected an ed25519 public key/],
    ['[cache]\nmax_size = 5G\n', /:2:13: not valid TOML: /],
    ['[daemon]\nexecute = "elsewhere"\n', /:2: daemon\.execute = "elsewhere": expected one of "local", "remote", "auto"/],
    ['[[executor]]\nurl = "grpc://h:1"\nretries = 3\n', /:3: unknown key executor\[1\]\.retries \(allowed in \[\[executor\]\]: url, instance, ca, token_file, timeout, cooldown, max_in_flight, trusted, platform, toolchain\)/],
    ['[[executor]]\nurl = "grpc://h:1"\ntoolchain = "host"\n', /:3: executor\[1\]\.toolchain = "host": expected one of "action", "image"/],
    ['[[executor]]\nurl = "http://h:1"\n', /:2: executor\[1\]\.url: http:\/\/ is not an executor scheme \(expected grpc:\/\/ or grpcs:\/\/\)/],
    ['[[executor]]\nurl = "grpc://h"\n', /:2: executor\[1\]\.url: grpc:\/\/h names no port/],
    ['[[executor]]\nurl = "grpc://h:1"\ntrusted = "yes"\n', /:3: executor\[1\]\.trusted = "yes": expected true or false/],
    ['[[executor]]\ntrusted = true\n', /:1: executor\[1\] has no url/],
  ];
  for (const [file, expected] of cases) {
    writeFileSync(ws.configFile, file);
    const r = await reprise(['config', 'show'], ws.env);
    assert.equal(r.code, 2, `${file}\n${text(r)}`);
    const err = r.stderr.toString();
    assert.ok(err.startsWith(`reprise: ${ws.configFile}:`), err);
    assert.match(err, expected, file);
  }
  // Every command reads the file: a compile's daemon would refuse it the same way, and doctor says which file to fix.
  writeFileSync(ws.configFile, '[cache]\nmax_size = "lots"\n');
  const doctor = await reprise(['doctor'], ws.env);
  assert.equal(doctor.code, 1);
  assert.match(doctor.stdout.toString(), /^fail\s+configuration: .*config\.toml:2: cache\.max_size = "lots"/m);
  assert.match(doctor.stdout.toString(), new RegExp(`fix: fix ${ws.configFile}`));
  // A daemon cannot start on it: `daemon start` says why, and so does the log of a daemon a shim started.
  const start = await reprise(['daemon', 'start'], ws.env);
  assert.equal(start.code, 2, text(start));
  assert.match(start.stderr.toString(), /config\.toml:2: cache\.max_size = "lots"/);
  const gcc = await run('gcc', ['-c', 'ok.c', '-o', 'ok.o'], { cwd: ws.dir, env: ws.env });
  assert.equal(gcc.code, 0, text(gcc));
  assert.match(readFileSync(join(ws.runtimeDir, 'daemon.log'), 'utf8'), / error cannot start: .*config\.toml:2: cache\.max_size = "lots"/);
  // REPRISE_CONFIG must be absolute: the daemon runs in /.
  const relative = await reprise(['config', 'show'], { ...ws.env, REPRISE_CONFIG: 'config.toml' });
  assert.equal(relative.code, 2);
  assert.match(relative.stderr.toString(), /^reprise: REPRISE_CONFIG=config\.toml: expected an absolute path$/m);
  // A bad variable is still named as before, over a good file.
  writeFileSync(ws.configFile, '[daemon]\nmax_jobs = 2\n');
  const env = await reprise(['config', 'show'], { ...ws.env, REPRISE_MAX_JOBS: 'lots' });
  assert.equal(env.code, 2);
  assert.match(env.stderr.toString(), /^reprise: REPRISE_MAX_JOBS=lots: expected a whole number$/m);
});

test('executors: [[executor]] tables, REPRISE_EXECUTOR replacing them, and REPRISE_EXECUTE whose default follows them', async () => {
  writeFileSync(ws.configFile, [
    '[[executor]]', //                        1
    'url = "grpcs://build.example.com:8980"', // 2
    'instance = "main"', //                   3
    'token_file = "exec.token"', //           4
    'timeout = "30s"', //                     5
    'max_in_flight = 4', //                   6
    'trusted = true', //                      7
    'platform = { container-image = "docker://gcc:12" }', // 8
    'toolchain = "image"', //                 9
    'cooldown = "5m"', //                     10
  ].join('\n'));
  const d = await show(ws.env);
  assert.deepEqual(entry(d, 'executor[1].url'), { key: 'executor[1].url', value: 'grpcs://build.example.com:8980', source: { kind: 'file', path: ws.configFile, key: 'executor[1].url', line: 2 } });
  assert.equal(entry(d, 'executor[1].token_file').value, join(ws.configFile, '..', 'exec.token'));
  assert.equal(entry(d, 'executor[1].timeout').value, '30s');
  assert.equal(entry(d, 'executor[1].max_in_flight').value, 4);
  assert.equal(entry(d, 'executor[1].trusted').value, true);
  assert.deepEqual(entry(d, 'executor[1].platform').value, { 'container-image': 'docker://gcc:12' });
  assert.equal(entry(d, 'executor[1].toolchain').value, 'image');
  assert.equal(entry(d, 'executor[1].cooldown').value, '5m');
  assert.deepEqual(entry(d, 'daemon.execute'), { key: 'daemon.execute', value: 'auto', source: { kind: 'default', note: 'auto because an executor is configured' } });
  const text1 = await reprise(['config', 'show'], ws.env);
  assert.match(text1.stdout.toString(), /^\[\[executor\]\] +# file:1$/m);
  // The variables replace the file's executors, and name the policy.
  const e = await show({ ...ws.env, REPRISE_EXECUTOR: 'grpc://127.0.0.1:9001, grpc://10.0.0.2:8980', REPRISE_EXECUTE: 'remote' });
  assert.deepEqual(d.settings.filter((s) => /^executor\[\d\]$/.test(s.key)).length, 1);
  assert.equal(entry(e, 'executor[1].url').value, 'grpc://127.0.0.1:9001');
  assert.equal(entry(e, 'executor[2].url').value, 'grpc://10.0.0.2:8980');
  assert.equal(entry(e, 'executor[1].trusted').value, false);
  assert.equal(entry(e, 'executor[1].toolchain').value, 'action', 'the toolchain travels in the action by default');
  assert.equal(entry(e, 'executor[1].cooldown').value, '30s');
  assert.deepEqual(entry(e, 'executor[2].url').source, { kind: 'env', name: 'REPRISE_EXECUTOR' });
  assert.deepEqual(entry(e, 'daemon.execute'), { key: 'daemon.execute', value: 'remote', source: { kind: 'env', name: 'REPRISE_EXECUTE' } });
  // doctor checks the files an executor names (the daemon reads the token when it starts).
  const doctor = await reprise(['doctor'], ws.env);
  assert.match(doctor.stdout.toString(), /^fail\s+executor\[1\]\.token_file .*exec\.token: ENOENT/m, doctor.stdout.toString());
  // No executor: local.
  writeFileSync(ws.configFile, '');
  assert.equal(entry(await show(ws.env), 'daemon.execute').value, 'local');
  for (const [name, value, expected] of [
    ['REPRISE_EXECUTE', 'sometimes', /^reprise: REPRISE_EXECUTE=sometimes: expected one of local, remote, auto$/m],
    ['REPRISE_EXECUTOR', 'http://h:1', /^reprise: REPRISE_EXECUTOR: http:\/\/ is not an executor scheme/m],
    ['REPRISE_EXECUTOR', 'grpc://u:secret@h:1', /^reprise: REPRISE_EXECUTOR: grpc:\/\/<redacted>@h:1 has credentials in it/m],
  ] as const) {
    const r = await reprise(['config', 'show'], { ...ws.env, [name]: value });
    assert.equal(r.code, 2, text(r));
    assert.match(r.stderr.toString(), expected);
    assert.ok(!r.stderr.toString().includes('secret'));
  }
});

test('config show redacts tokens, passwords, credentials in URLs and secret headers, in text and JSON', async () => {
  writeFileSync(ws.configFile, [
    '[[remote]]',
    'url = "https://alice:hunter2@cache.example.com/ci?token=q-secret&team=core"',
    'token = "tok-secret"',
    'headers = { "X-Team" = "platform", Authorization = "Bearer hdr-secret", "X-Api-Key" = "key-secret" }',
    '',
    '[[remote]]',
    'url = "redis://cache.example.com:6379"',
    'username = "bob"',
    'password = "pw-secret"',
  ].join('\n'));
  const env = { ...ws.env, REPRISE_REMOTE_SALT: 'salty' };
  const both = [await reprise(['config', 'show'], env), await reprise(['config', 'show', '--json'], env)];
  for (const r of both) {
    assert.equal(r.code, 0, text(r));
    const out = r.stdout.toString();
    for (const secret of ['hunter2', 'q-secret', 'tok-secret', 'hdr-secret', 'key-secret', 'pw-secret']) assert.ok(!out.includes(secret), `${secret} shown:\n${out}`);
    for (const shown of ['alice', 'bob', 'platform', 'team=core', 'cache.example.com/ci']) assert.ok(out.includes(shown), `${shown} hidden:\n${out}`);
  }
  const d = JSON.parse(both[1]!.stdout.toString()) as ConfigDescription;
  assert.equal(entry(d, 'remote[1].url').value, 'https://cache.example.com/ci?token=<redacted>&team=core', 'credentials leave the URL for username and password');
  assert.equal(entry(d, 'remote[1].token').value, '<redacted>');
  assert.deepEqual(entry(d, 'remote[1].headers').value, { 'X-Team': 'platform', Authorization: '<redacted>', 'X-Api-Key': '<redacted>' });
  assert.deepEqual(entry(d, 'remote[1].username'), { key: 'remote[1].username', value: 'alice', source: { kind: 'file', path: ws.configFile, key: 'remote[1].url', line: 2 } });
  assert.equal(entry(d, 'remote[2].password').value, '<redacted>');
  assert.deepEqual(entry(d, 'trust.salt').source, { kind: 'env', name: 'REPRISE_REMOTE_SALT' });
  // A credential in a URL that does not parse is not echoed in the error either.
  writeFileSync(ws.configFile, '[[remote]]\nurl = "http//alice:hunter2@cache"\n');
  const bad = await reprise(['config', 'show'], ws.env);
  assert.equal(bad.code, 2);
  assert.ok(!bad.stderr.toString().includes('hunter2'), bad.stderr.toString());
});

test('key lines: tables, arrays of tables, sub-tables, dotted keys, multi-line strings', () => {
  const lines = findKeyLines([
    'cache.dir = "/c"', //                 1
    '[daemon]', //                         2
    '  log_level = "info" # comment', //   3
    '[[remote]]', //                       4
    'url = "a"', //                        5
    '[[remote]]', //                       6
    'url = """', //                        7
    'x = 1', //                            8
    '"""', //                              9
    '[remote.headers]', //                 10
    '"X-Team" = "core"', //                11
    '[trust]', //                          12
    'public_keys = [', //                  13
    '  "AAAA=",', //                       14
    ']', //                                15
  ].join('\n'));
  assert.deepEqual(Object.fromEntries(lines), {
    'cache.dir': 1, daemon: 2, 'daemon.log_level': 3, 'remote[1]': 4, 'remote[1].url': 5, 'remote[2]': 6, 'remote[2].url': 7,
    'remote[2].headers': 10, 'remote[2].headers.X-Team': 11, trust: 12, 'trust.public_keys': 13,
  });
});
