// rustc misses through the real shim and daemon executed on `reprise serve --execute`
// (trusted), with REPRISE_EXECUTE=remote: two lib crates (b uses a through --extern) run
// there with the input root at the host's paths, and their rlib, rmeta and dep-info are
// bare rustc's bytes; a proc-macro crate is not sent (`not-sendable`) and fills locally. The
// project lives outside /tmp: the executor keeps /tmp for itself, so an input root at `/`
// cannot hold it (docs/remote-execution.md, "rustc").
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { notPlaceable } from '../../../src/exec/remote/build-rustc-action.js';
import { stats } from '../../helpers/reprise-cli.js';
import { run, text } from '../../helpers/run.js';
import { freePort } from '../../helpers/servers/free-port.js';
import { startRepriseServe, type RepriseServeProcess } from '../../helpers/servers/reprise-serve.js';
import { createWorkspace } from '../../helpers/workspace.js';

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
  : notPlaceable(rustcAt) !== undefined ? `rustc's sysroot: ${notPlaceable(rustcAt)!} (Debian's rustc is not sendable)`
  : false;
if (skip && process.env.CI && notPlaceable(rustcAt) === undefined) throw new Error(`required under CI: ${skip}`);

const ws = createWorkspace('reprise-rexec-rust-');
// Not under /tmp (the executor's own): a directory beside the user's caches.
const base = join(homedir(), '.cache', 'reprise-test');
mkdirSync(base, { recursive: true });
const proj = mkdtempSync(join(base, 'rexec-rust-'));
let serve: RepriseServeProcess | undefined;
test.after(async () => {
  await serve?.stop();
  rmSync(proj, { recursive: true, force: true });
  ws.cleanup();
});

const CRATES: string[][] = [
  ['--crate-name', 'ra', '--crate-type', 'lib', '--edition', '2021', '--emit=dep-info,metadata,link', '-C', 'opt-level=1', '-C', 'debuginfo=2', 'ra/lib.rs', '--out-dir', 'out'],
  ['--crate-name', 'rb', '--crate-type', 'rlib', '--edition', '2021', '--emit=dep-info,metadata,link', '-C', 'opt-level=1', 'rb/lib.rs', '--out-dir', 'out', '--extern', 'ra=out/libra.rlib', '-L', 'dependency=out'],
];

function writeProject(): void {
  mkdirSync(join(proj, 'ra'));
  mkdirSync(join(proj, 'rb'));
  writeFileSync(join(proj, 'ra', 'lib.rs'), 'mod util;\npub fn twice(x: u32) -> u32 { util::double(x) }\n');
  writeFileSync(join(proj, 'ra', 'util.rs'), 'pub fn double(x: u32) -> u32 { x * 2 }\n');
  writeFileSync(join(proj, 'rb', 'lib.rs'), 'pub const NOTE: &str = include_str!("note.txt");\npub const WHO: Option<&str> = option_env!("REXEC_WHO");\npub fn four() -> u32 { ra::twice(2) }\n');
  writeFileSync(join(proj, 'rb', 'note.txt'), 'from the host\n');
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
