// rustc misses through the real shim and daemon executed on `reprise serve --execute`
// (trusted), with REPRISE_EXECUTE=remote: two lib crates (b uses a through --extern) run
// there with the input root at the host's paths, and their rlib, rmeta and dep-info are
// bare rustc's bytes; a proc-macro crate is not sent (`not-sendable`) and fills locally. The
// project lives outside /tmp: the executor keeps /tmp for itself, so an input root at `/`
// cannot hold it (docs/remote-execution.md, "rustc"). Debian's rustc, under /usr, travels too:
// on an executor without it (hidden in a mount namespace) its crates are bare rustc's. With
// `toolchain = "image"`, Debian's rustc (under /usr, which the server's sandbox shows: it
// stands in for an image with that rustc) runs there by its host path: only the project
// travels, the bytes are bare rustc's, and the results stay local (image-unproven).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { notPlaceable } from '../../../src/exec/remote/build-rustc-action.js';
import { stats } from '../../helpers/reprise-cli.js';
import { run, text } from '../../helpers/run.js';
import { freePort } from '../../helpers/servers/free-port.js';
import { startRepriseServe, type RepriseServeProcess } from '../../helpers/servers/reprise-serve.js';
import { createWorkspace } from '../../helpers/workspace.js';
import { canHide, whiteOutScript } from '../../helpers/hide-compiler.js';
import { storedResults } from '../../helpers/stored-results.js';
import { installPaths } from '../../../src/runtime/install-paths.js';

const onPath = (tool: string): boolean => {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const rustcAt = onPath('rustc') ? execFileSync('rustc', ['--print', 'sysroot'], { encoding: 'utf8' }).trim() : '';
const skip = !onPath('bwrap') ? 'bubblewrap is not installed'
  : rustcAt === '' ? 'rustc is not installed'
  : notPlaceable(join(rustcAt, 'lib', 'rustlib')) !== undefined ? `rustc's sysroot: ${notPlaceable(join(rustcAt, 'lib', 'rustlib'))!}`
  : false;
if (skip && process.env.CI && rustcAt !== '') throw new Error(`required under CI: ${skip}`);

const ws = createWorkspace('reprise-rexec-rust-');
// Not under /tmp (the executor's own): a directory beside the user's caches.
const base = join(homedir(), '.cache', 'reprise-test');
mkdirSync(base, { recursive: true });
const proj = mkdtempSync(join(base, 'rexec-rust-'));
let serve: RepriseServeProcess | undefined;
let imageServe: RepriseServeProcess | undefined;
test.after(async () => {
  await serve?.stop();
  await imageServe?.stop();
  rmSync(proj, { recursive: true, force: true });
  ws.cleanup();
});

const CRATES: string[][] = [
  ['--crate-name', 'ra', '--crate-type', 'lib', '--edition', '2021', '--emit=dep-info,metadata,link', '-C', 'opt-level=1', '-C', 'debuginfo=2', 'ra/lib.rs', '--out-dir', 'out'],
  ['--crate-name', 'rb', '--crate-type', 'rlib', '--edition', '2021', '--emit=dep-info,metadata,link', '-C', 'opt-level=1', 'rb/lib.rs', '--out-dir', 'out', '--extern', 'ra=out/libra.rlib', '-L', 'dependency=out'],
];

function writeProject(dir = proj): void {
  mkdirSync(join(dir, 'ra'));
  mkdirSync(join(dir, 'rb'));
  writeFileSync(join(dir, 'ra', 'lib.rs'), 'mod util;\npub fn twice(x: u32) -> u32 { util::double(x) }\n');
  writeFileSync(join(dir, 'ra', 'util.rs'), 'pub fn double(x: u32) -> u32 { x * 2 }\n');
  writeFileSync(join(dir, 'rb', 'lib.rs'), 'pub const NOTE: &str = include_str!("note.txt");\npub const WHO: Option<&str> = option_env!("REXEC_WHO");\npub fn four() -> u32 { ra::twice(2) }\n');
  writeFileSync(join(dir, 'rb', 'note.txt'), 'from the host\n');
}

/** Every file of out/, by name. */
function outputs(): Map<string, Buffer> {
  const dir = join(proj, 'out');
  return new Map(readdirSync(dir).map((n) => [n, readFileSync(join(dir, n))]));
}

test('rustc lib crates on reprise serve --execute: bare rustc\'s bytes; a proc-macro is not sent', { skip, timeout: 300_000 }, async () => {
  writeProject();
  const env = { ...ws.env, REXEC_WHO: 'tester', REPRISE_EXECUTE: 'remote' };
  const bareEnv = { ...ws.bareEnv, REXEC_WHO: 'tester' };
  mkdirSync(join(proj, 'out'));
  for (const args of CRATES) execFileSync('rustc', args, { cwd: proj, env: bareEnv });
  const bare = outputs();
  assert.deepEqual([...bare.keys()].sort(), ['libra.rlib', 'libra.rmeta', 'ra.d', 'librb.rlib', 'librb.rmeta', 'rb.d'].sort());
  rmSync(join(proj, 'out'), { recursive: true });
  mkdirSync(join(proj, 'out'));

  serve = await startRepriseServe(join(ws.dir, 'serve'), ['--listen', '127.0.0.1:0', '--execute']);
  const url = `grpc://${serve.grpc!}`;
  writeFileSync(ws.configFile, `[[executor]]\nurl = "${url}"\ntrusted = true\ntimeout = "2m"\n`);
  const walls: number[] = [];
  for (const args of CRATES) {
    const t0 = performance.now();
    const r = await run('rustc', args, { cwd: proj, env });
    walls.push(Math.round(performance.now() - t0));
    assert.equal(r.code, 0, text(r));
  }
  const s = await stats(ws.env);
  const ex = s.executors[url];
  // The toolchain's first upload to a fresh server is most of the first compile's wall.
  console.error(`# rustc remote: walls ${walls.join(', ')} ms; uploaded ${ex?.['upload-bytes'] ?? 0} bytes in ${ex?.['upload-ms'] ?? 0} ms; execute ${ex?.['execute-ms'] ?? 0} ms`);
  assert.equal(ex?.completed, 2, `${JSON.stringify(s.executorFallbackReasons)}\n${serve.output()}`);
  assert.equal(s.tools.rustc?.miss, 2);
  const remote = outputs();
  for (const [name, data] of bare) assert.ok(remote.get(name)?.equals(data), `${name}: the executor's bytes are bare rustc's`);

  // Trusted: stored sandboxed, so a rebuild is served from the cache.
  rmSync(join(proj, 'out'), { recursive: true });
  mkdirSync(join(proj, 'out'));
  for (const args of CRATES) assert.equal((await run('rustc', args, { cwd: proj, env })).code, 0);
  assert.equal((await stats(ws.env)).tools.rustc?.['direct-hit'], 2);
  for (const [name, data] of outputs()) assert.ok(bare.get(name)?.equals(data), `${name} from the cache`);

  // A proc-macro crate runs host code and links: filled here, counted.
  writeFileSync(join(proj, 'pm.rs'), 'extern crate proc_macro;\n#[proc_macro]\npub fn nothing(_: proc_macro::TokenStream) -> proc_macro::TokenStream { proc_macro::TokenStream::new() }\n');
  const pm = await run('rustc', ['--crate-name', 'pm', '--crate-type', 'proc-macro', '--edition', '2021', 'pm.rs', '--out-dir', '.'], { cwd: proj, env });
  assert.equal(pm.code, 0, text(pm));
  const after = await stats(ws.env);
  assert.equal(after.executorFallbackReasons[url]?.['not-sendable'], 1, JSON.stringify(after.executorFallbackReasons));
  assert.equal(after.executors[url]?.completed, 2);
  assert.equal(after.tools.rustc?.miss, 3, 'the proc-macro filled and stored locally');

  // An executor that is down: the miss falls back (counted) and fills here, with bare rustc's bytes.
  const down = createWorkspace('reprise-rexec-rust-down-');
  try {
    const dead = `grpc://127.0.0.1:${await freePort()}`;
    writeFileSync(down.configFile, `[[executor]]\nurl = "${dead}"\ntrusted = true\ntimeout = "5s"\n`);
    rmSync(join(proj, 'out'), { recursive: true });
    mkdirSync(join(proj, 'out'));
    for (const args of CRATES) assert.equal((await run('rustc', args, { cwd: proj, env: { ...down.env, REXEC_WHO: 'tester', REPRISE_EXECUTE: 'remote' } })).code, 0);
    const d = await stats(down.env);
    assert.equal(d.tools.rustc?.miss, 2);
    const fell = Object.values(d.executorFallbackReasons[dead] ?? {}).reduce((a, b) => a + b, 0);
    assert.equal(fell, 2, JSON.stringify(d.executorFallbackReasons));
    for (const [name, data] of outputs()) assert.ok(bare.get(name)?.equals(data), `${name} filled locally`);
  } finally {
    down.cleanup();
  }
});

const DEBIAN_RUSTC = '/usr/bin/rustc';
const noImage = !onPath('bwrap') ? 'bubblewrap is not installed' : !existsSync(DEBIAN_RUSTC) ? `${DEBIAN_RUSTC} is not installed (apt-get install rustc)` : false;

test('toolchain = "image": Debian\'s rustc by its host path, only the project travels, bare rustc\'s bytes, results kept local', { skip: noImage, timeout: 300_000 }, async () => {
  const dir = mkdtempSync(join(base, 'rexec-rust-image-'));
  const space = createWorkspace('reprise-rexec-rust-image-');
  try {
    mkdirSync(join(dir, 'ra'));
    writeFileSync(join(dir, 'ra', 'lib.rs'), 'mod util;\npub fn twice(x: u32) -> u32 { util::double(x) }\n');
    writeFileSync(join(dir, 'ra', 'util.rs'), 'pub fn double(x: u32) -> u32 { x * 2 }\n');
    const args = ['--crate-name', 'ra', '--crate-type', 'lib', '--edition', '2021', '--emit=dep-info,metadata,link', '-C', 'opt-level=1', 'ra/lib.rs', '--out-dir', 'out'];
    // Debian's rustc first on PATH (after the shims), so the shim's real compiler is the one the "image" has.
    const path = (env: NodeJS.ProcessEnv, shims = false): NodeJS.ProcessEnv => ({ ...env, PATH: `${shims ? `${installPaths.shimDir}:` : ''}/usr/bin:/bin` });
    mkdirSync(join(dir, 'out'));
    execFileSync(DEBIAN_RUSTC, args, { cwd: dir, env: path(space.bareEnv) });
    const read = (): Map<string, Buffer> => new Map(readdirSync(join(dir, 'out')).map((n) => [n, readFileSync(join(dir, 'out', n))]));
    const bare = read();
    rmSync(join(dir, 'out'), { recursive: true });
    mkdirSync(join(dir, 'out'));

    imageServe = await startRepriseServe(join(space.dir, 'serve'), ['--listen', '127.0.0.1:0', '--execute']);
    const url = `grpc://${imageServe.grpc!}`;
    writeFileSync(space.configFile, `[daemon]\nexecute = "remote"\n\n[[executor]]\nurl = "${url}"\ntrusted = true\ntoolchain = "image"\nplatform = { Pool = "debian-rustc" }\n`);
    const r = await run('rustc', args, { cwd: dir, env: path(space.env, true) });
    assert.equal(r.code, 0, text(r));
    const s = await stats(space.env);
    const ex = s.executors[url];
    assert.equal(ex?.completed, 1, `${JSON.stringify(s.executorFallbackReasons)}\n${imageServe.output()}`);
    assert.equal(ex['image-unproven'], 1);
    // Two sources and the action's messages; with the toolchain in the action, rustc and its sysroot would be hundreds of MB.
    assert.ok(ex['upload-bytes'] > 0 && ex['upload-bytes'] < 20_000, `${ex['upload-bytes']} bytes uploaded`);
    for (const [name, data] of bare) assert.ok(read().get(name)?.equals(data), `${name}: the image's bytes are bare rustc's`);
    // Kept on this machine: a rebuild is served here while that executor is configured, and the result is not sandboxed.
    rmSync(join(dir, 'out'), { recursive: true });
    mkdirSync(join(dir, 'out'));
    assert.equal((await run('rustc', args, { cwd: dir, env: path(space.env, true) })).code, 0);
    assert.equal((await stats(space.env)).tools.rustc?.['direct-hit'], 1);
    const results = storedResults(space);
    assert.ok(results.length >= 1);
    for (const res of results) assert.deepEqual({ sandboxed: res.sandboxed, executor: res.executor }, { sandboxed: false, executor: url });
  } finally {
    rmSync(dir, { recursive: true, force: true });
    space.cleanup();
  }
});

/** Debian's rustc, its libraries and its sysroot's rustlib gone from the executor. */
const HIDE_DEBIAN_RUSTC = whiteOutScript({
  programs: 'rustc rustdoc rust-gdb rust-lldb cargo',
  libraries: 'librustc_driver-* libstd-* libLLVM-*',
  dirs: '/usr/lib/rustlib',
  stillThere: '/usr/bin/rustc --version >/dev/null 2>&1 || [ -e /usr/lib/rustlib/x86_64-unknown-linux-gnu ]',
});

test('Debian\'s rustc (under /usr) travels in the action: on an executor without it, three lib crates give bare rustc\'s bytes (one by its absolute path, with a module through ..)', { skip: noImage || (canHide ? false : 'needs root and unshare'), timeout: 300_000 }, async () => {
  const dir = mkdtempSync(join(base, 'rexec-rust-debian-'));
  const space = createWorkspace('reprise-rexec-rust-debian-');
  let hidden: RepriseServeProcess | undefined;
  try {
    writeProject(dir);
    // A third crate named by its absolute path, as cargo names a registry crate's, with a module through `..` (syn's src/gen/../gen_helper.rs).
    mkdirSync(join(dir, 'rc', 'gen'), { recursive: true });
    writeFileSync(join(dir, 'rc', 'lib.rs'), '#[path = "gen/inner.rs"] mod inner;\n#[path = "gen/../extra.rs"] mod extra;\npub fn sum() -> u32 { inner::ONE + extra::TWO }\n');
    writeFileSync(join(dir, 'rc', 'gen', 'inner.rs'), 'pub const ONE: u32 = 1;\n');
    writeFileSync(join(dir, 'rc', 'extra.rs'), 'pub const TWO: u32 = 2;\n');
    const crates = [...CRATES, ['--crate-name', 'rc', '--crate-type', 'lib', '--edition', '2021', '--emit=dep-info,metadata,link', join(dir, 'rc', 'lib.rs'), '--out-dir', 'out']];
    // Debian's rustc first on PATH (after the shims).
    const path = (env: NodeJS.ProcessEnv, shims = false): NodeJS.ProcessEnv => ({ ...env, PATH: `${shims ? `${installPaths.shimDir}:` : ''}/usr/bin:/bin` });
    mkdirSync(join(dir, 'out'));
    for (const args of crates) execFileSync(DEBIAN_RUSTC, args, { cwd: dir, env: path(space.bareEnv) });
    const read = (): Map<string, Buffer> => new Map(readdirSync(join(dir, 'out')).map((n) => [n, readFileSync(join(dir, 'out', n))]));
    const bare = read();
    rmSync(join(dir, 'out'), { recursive: true });
    mkdirSync(join(dir, 'out'));

    hidden = await startRepriseServe(join(space.dir, 'serve'), ['--listen', '127.0.0.1:0', '--execute'], (cmd) => ['unshare', '-m', 'sh', '-c', HIDE_DEBIAN_RUSTC, 'sh', join(space.dir, 'hide'), ...cmd]);
    const url = `grpc://${hidden.grpc!}`;
    writeFileSync(space.configFile, `[daemon]\nexecute = "remote"\n\n[[executor]]\nurl = "${url}"\ntrusted = true\ntimeout = "2m"\n`);
    for (const args of crates) {
      const r = await run('rustc', args, { cwd: dir, env: path(space.env, true) });
      assert.equal(r.code, 0, text(r));
    }
    const s = await stats(space.env);
    assert.equal(s.executors[url]?.completed, 3, `${JSON.stringify(s.executorFallbackReasons)}\n${hidden.output()}`);
    for (const [name, data] of bare) assert.ok(read().get(name)?.equals(data), `${name}: the executor's bytes are bare rustc's`);
  } finally {
    await hidden?.stop();
    rmSync(dir, { recursive: true, force: true });
    space.cleanup();
  }
});
