// Bazel 4.2.3 (Debian's bazel-bootstrap) against `reprise serve --listen`: a genrule workspace
// built with --remote_cache=grpc://..., cleaned, and built again gets its actions as remote
// cache hits (Bazel's own summary line says so), with their outputs and stderr. Then tokens
// (--remote_header). Then remote execution (issue 17, acceptance 3): a genrule and a cc_binary
// built with --remote_executor=grpc:// on `reprise serve --execute`, and hits after bazel clean. Not grpcs: Debian's Bazel 4.2.3 on its JDK 17 cannot start TLS at all
// ("Failed to init TLS infrastructure: JDK provider does not support ALPN protocol", before it
// connects), so TLS is tested with grpc-js and undici clients. Bazel runs with --batch (no server left
// behind) and a private --output_user_root under the test's directory; the workspace needs no
// downloads. Skipped when Bazel is missing, except under CI.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { run, text } from '../helpers/run.js';
import { startRepriseServe } from '../helpers/servers/reprise-serve.js';

const BAZEL = '/usr/bin/bazel';
/** Debian's extracted install base (its /etc/bazel/bazelrc names it; Bazel 4 no longer reads that file). */
const INSTALL_BASE = '/usr/share/bazel';
const missing = !existsSync(BAZEL)
  ? `${BAZEL} is not installed (apt-get install bazel-bootstrap): the Bazel client tests are skipped`
  : !existsSync(join(INSTALL_BASE, 'A-server.jar')) ? `${INSTALL_BASE} is not Bazel's install base: the Bazel client tests are skipped` : undefined;
if (missing && process.env.CI) throw new Error(`Bazel is required under CI: ${missing}`);

const base = mkdtempSync(join(tmpdir(), 'reprise-serve-bazel-'));
test.after(() => {
  // Bazel leaves its output trees read-only.
  execFileSync('chmod', ['-R', 'u+w', base]);
  rmSync(base, { recursive: true, force: true });
});

interface Workspace {
  dir: string;
  bazel(args: string[]): Promise<{ log: string; code: number | null }>;
}

/** Two genrules, unless `files` says otherwise (file name to contents). */
function workspace(name: string, files: Record<string, string> = {}): Workspace {
  const root = join(base, name);
  const dir = join(root, 'ws');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'WORKSPACE'), '');
  writeFileSync(join(dir, 'in.txt'), 'hello from the team cache\n');
  writeFileSync(join(dir, 'BUILD'), [
    'genrule(name = "upper", srcs = ["in.txt"], outs = ["upper.txt"], cmd = "tr a-z A-Z < $< > $@")',
    'genrule(name = "twice", srcs = [":upper"], outs = ["twice.txt"], cmd = "cat $< $< > $@; echo made twice >&2")',
    '',
  ].join('\n'));
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  const startup = ['--batch', '--nohome_rc', '--nosystem_rc', `--install_base=${INSTALL_BASE}`, '--trust_install_base', `--output_user_root=${join(root, 'bazel-root')}`];
  return {
    dir,
    async bazel(args) {
      const r = await run(BAZEL, [...startup, ...args], { cwd: dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: root, LC_ALL: 'C.UTF-8' } });
      return { log: text(r), code: r.code };
    },
  };
}

/** Action-cache entries in a store directory. */
function acEntries(store: string): number {
  const ac = join(store, 'sha256', 'ac');
  return existsSync(ac) ? readdirSync(ac).reduce((n, sub) => n + readdirSync(join(ac, sub)).length, 0) : 0;
}

const QUIET = ['--color=no', '--curses=no', '--noshow_progress'];

/** "INFO: 3 processes: 2 remote cache hit, 1 internal." → 2 */
function remoteHits(log: string): number {
  return processCount(log, 'remote cache hit');
}

/** A kind's count in Bazel's process summary ("3 remote" are executed remotely). */
function processCount(log: string, kind: string): number {
  const m = /INFO: \d+ process(?:es)?: ([^\n]*)/.exec(log);
  assert.ok(m, `no process summary in:\n${log}`);
  return Number(new RegExp(`(\\d+) ${kind}(?:,|\\.|$)`).exec(m[1]!)?.[1] ?? 0);
}

async function buildCleanBuild(ws: Workspace, flags: string[]): Promise<{ first: string; second: string }> {
  const first = await ws.bazel(['build', ...QUIET, '//:all', ...flags]);
  assert.equal(first.code, 0, first.log);
  assert.equal(remoteHits(first.log), 0, first.log);
  assert.equal((await ws.bazel(['clean'])).code, 0);
  const second = await ws.bazel(['build', ...QUIET, '//:all', ...flags]);
  assert.equal(second.code, 0, second.log);
  return { first: first.log, second: second.log };
}

test('Bazel 4.2.3 with --remote_cache=grpc:// gets remote cache hits from reprise serve after bazel clean', { skip: missing ?? false, timeout: 60_000 }, async (t) => {
  const ws = workspace('plain');
  const server = await startRepriseServe(join(ws.dir, '..', 'store'), ['--listen', '127.0.0.1:0']);
  t.after(() => server.stop());
  const { second } = await buildCleanBuild(ws, [`--remote_cache=grpc://${server.grpc}`]);
  assert.equal(remoteHits(second), 2, second);
  assert.match(second, /made twice/, 'stderr replayed from the cache');
  assert.equal(readFileSync(join(ws.dir, 'bazel-bin', 'twice.txt'), 'utf8'), 'HELLO FROM THE TEAM CACHE\n'.repeat(2));
  assert.equal(await server.stop(), 0, server.output());
});

test('Bazel with tokens: CI writes with a read-write token, a read token gets hits and its uploads are refused', { skip: missing ?? false, timeout: 60_000 }, async (t) => {
  const ws = workspace('tokens');
  const tokens = join(ws.dir, '..', 'tokens');
  writeFileSync(tokens, 'read-write ci-token\nread dev-token\n');
  const server = await startRepriseServe(join(ws.dir, '..', 'store'), ['--listen', '127.0.0.1:0', '--token-file', tokens]);
  t.after(() => server.stop());
  const remote = [`--remote_cache=grpc://${server.grpc}`];
  const { second } = await buildCleanBuild(ws, [...remote, '--remote_header=Authorization=Bearer ci-token']);
  assert.equal(remoteHits(second), 2, second);

  // A developer: a read token. The hits still come; a changed input's upload is refused, and the build passes.
  const asDev = [...remote, '--remote_header=Authorization=Bearer dev-token'];
  assert.equal((await ws.bazel(['clean'])).code, 0);
  const dev = await ws.bazel(['build', ...QUIET, '//:all', ...asDev]);
  assert.equal(dev.code, 0, dev.log);
  assert.equal(remoteHits(dev.log), 2, dev.log);
  writeFileSync(join(ws.dir, 'in.txt'), 'a local change\n');
  const changed = await ws.bazel(['build', ...QUIET, '//:all', ...asDev]);
  assert.equal(changed.code, 0, changed.log);
  assert.equal(remoteHits(changed.log), 0, changed.log);
  assert.match(changed.log, /WARNING: Writing to Remote Cache:/, 'Bazel reports the refused upload');
  assert.equal(acEntries(join(ws.dir, '..', 'store')), 2, 'only CI\'s two results are stored');

  const anonymous = await ws.bazel(['build', ...QUIET, '//:all', ...remote]);
  assert.notEqual(anonymous.code, 0, 'without a token Bazel cannot use the cache');
  assert.match(anonymous.log, /UNAUTHENTICATED/);
});

/** For cc_binary offline: Debian's bazel-bootstrap-source ships stand-ins for the repositories Bazel would download. */
const MOCK_REPOS = '/usr/src/bazel-bootstrap/mock_repos';

test('Bazel 4.2.3 with --remote_executor=grpc:// runs a genrule and a cc_binary on reprise serve --execute, and gets remote cache hits after bazel clean', { skip: missing ?? (existsSync(MOCK_REPOS) ? false : `${MOCK_REPOS} is missing (apt-get install bazel-bootstrap-source)`), timeout: 90_000 }, async (t) => {
  const ws = workspace('execute', {
    'BUILD': [
      'genrule(name = "greeting", srcs = ["in.txt"], outs = ["greeting.h"], cmd = "printf \'#define GREETING \\"%s\\"\\\\n\' \\"$$(tr a-z A-Z < $<)\\" > $@")',
      'cc_binary(name = "hello", srcs = ["hello.c", ":greeting"])',
      '',
    ].join('\n'),
    'hello.c': '#include <stdio.h>\n#include "greeting.h"\nint main(void) { puts(GREETING); return 0; }\n',
  });
  const store = join(ws.dir, '..', 'store');
  const server = await startRepriseServe(store, ['--listen', '127.0.0.1:0', '--execute']);
  t.after(() => server.stop());
  const flags = [`--remote_executor=grpc://${server.grpc}`, ...['rules_cc', 'rules_java', 'rules_proto', 'platforms'].map((r) => `--override_repository=${r}=${join(MOCK_REPOS, r)}`)];
  const first = await ws.bazel(['build', ...QUIET, '//:all', ...flags]);
  assert.equal(first.code, 0, first.log);
  // The genrule, the compile and the link ran on the server.
  assert.equal(processCount(first.log, 'remote'), 3, first.log);
  const hello = join(ws.dir, 'bazel-bin', 'hello');
  assert.equal(execFileSync(hello, { encoding: 'utf8' }), 'HELLO FROM THE TEAM CACHE\n');
  assert.equal(acEntries(store), 3, 'the server wrote each result to its action cache');
  assert.equal((await ws.bazel(['clean'])).code, 0);
  const second = await ws.bazel(['build', ...QUIET, '//:all', ...flags]);
  assert.equal(second.code, 0, second.log);
  assert.equal(remoteHits(second.log), 3, second.log);
  assert.equal(processCount(second.log, 'remote'), 0, second.log);
  assert.equal(execFileSync(hello, { encoding: 'utf8' }), 'HELLO FROM THE TEAM CACHE\n');
  assert.equal(await server.stop(), 0, server.output());
});
