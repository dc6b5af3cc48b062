// The files of integrations/, used as a user would: CMake's launcher script and Meson's
// native file each build a small project into two build directories (the second hits),
// Cargo's config.toml caches a crate's rustc calls, the systemd units pass
// `systemd-analyze verify`, and the completion scripts are what `reprise completion` prints.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { installPaths } from '../../src/runtime/install-paths.js';
import type { StatsSnapshot } from '../../src/stats/types.js';
import { reprise, stats } from '../helpers/reprise-cli.js';
import { run, text } from '../helpers/run.js';
import { createWorkspace } from '../helpers/workspace.js';

const dir = join(installPaths.root, 'integrations');
const has = async (cmd: string): Promise<boolean> => (await run('sh', ['-c', `command -v ${cmd}`])).code === 0;
const requiredUnderCi = (what: string, missing: string | false): string | false => {
  if (missing && process.env.CI) throw new Error(`${what} is required under CI: ${missing}`);
  return missing;
};
const noCmake = requiredUnderCi('cmake', (await has('cmake')) && (await has('ninja')) ? false : 'cmake or ninja is not installed (apt-get install cmake ninja-build)');
const noMeson = requiredUnderCi('meson', (await has('meson')) ? false : 'meson is not installed (apt-get install meson)');
const noSystemd = (await has('systemd-analyze')) ? false : 'systemd-analyze is not installed';
const noCargo = (await has('cargo')) ? false : 'cargo is not installed';

const ws = createWorkspace('reprise-integrations-');
test.after(() => ws.cleanup());

/** Hits (daemon and shim) and misses of the C and C++ compiles since `before`. */
function moved(before: StatsSnapshot, after: StatsSnapshot): { hits: number; misses: number } {
  let hits = 0, misses = 0;
  for (const [tool, t] of Object.entries(after.tools)) {
    if (tool === 'rustc' || tool === 'go') continue;
    const b = before.tools[tool];
    hits += t['direct-hit'] - (b?.['direct-hit'] ?? 0);
    misses += t.miss - (b?.miss ?? 0);
  }
  return { hits, misses };
}

function writeCProject(at: string, buildFile: [string, string]): void {
  mkdirSync(at, { recursive: true });
  writeFileSync(join(at, buildFile[0]), buildFile[1]);
  writeFileSync(join(at, 'a.c'), 'int b(void);\nint main(void) { return b(); }\n');
  writeFileSync(join(at, 'b.cpp'), '#include <vector>\nextern "C" int b(void) { std::vector<int> v{1, 2}; return (int)v.size() - 2; }\n');
}

/** Sets up and builds into two build directories with the shim as launcher (not on PATH): the second must only hit. */
async function twoBuildDirs(project: string, setup: (build: string) => string[]): Promise<void> {
  const env = { ...ws.bareEnv, REPRISE_BASE_DIR: project, PWD: project };
  for (const [i, build] of ['b1', 'b2'].entries()) {
    const [cmd, ...args] = setup(build);
    let r = await run(cmd!, args, { cwd: project, env });
    assert.equal(r.code, 0, text(r));
    const before = await stats(env);
    r = await run('ninja', ['-C', build], { cwd: project, env });
    assert.equal(r.code, 0, text(r));
    const m = moved(before, await stats(env));
    if (i === 0) assert.equal(m.misses, 2, `first build dir: ${JSON.stringify(m)}`);
    else assert.deepEqual(m, { hits: 2, misses: 0 }, 'the second build dir hits');
  }
}

test('CMake: integrations/cmake/reprise-launcher.cmake makes the shim the compiler launcher; a second build dir hits', { skip: noCmake }, async () => {
  const project = join(ws.dir, 'cmake');
  writeCProject(project, ['CMakeLists.txt', 'cmake_minimum_required(VERSION 3.10)\nproject(x C CXX)\nadd_executable(x a.c b.cpp)\n']);
  await twoBuildDirs(project, (b) => ['cmake', '-G', 'Ninja', '-C', join(dir, 'cmake', 'reprise-launcher.cmake'), '-S', project, '-B', join(project, b)]);
  assert.match(readFileSync(join(project, 'b1', 'CMakeCache.txt'), 'utf8'), /^CMAKE_C_COMPILER_LAUNCHER:STRING=.*\/reprise-shim$/m);
});

test('Meson: integrations/meson/reprise-native.ini puts the shim before gcc and g++; a second build dir hits', { skip: noMeson }, async () => {
  const project = join(ws.dir, 'meson');
  writeCProject(project, ['meson.build', "project('x', 'c', 'cpp')\nexecutable('x', 'a.c', 'b.cpp')\n"]);
  const pathFile = join(ws.realDir, 'reprise-path.ini');
  writeFileSync(pathFile, `[constants]\nreprise = '${installPaths.shimBinary}'\n`);
  // release: Meson's default debug build type passes -g, which writes the build directory into each object.
  await twoBuildDirs(project, (b) => ['meson', 'setup', b, '--buildtype=release', '--native-file', pathFile, '--native-file', join(dir, 'meson', 'reprise-native.ini')]);
});

test('Cargo: integrations/cargo/config.toml sends rustc through the shim; a clean rebuild hits', { skip: noCargo }, async () => {
  const crate = join(ws.dir, 'crate');
  mkdirSync(join(crate, 'src'), { recursive: true });
  mkdirSync(join(crate, '.cargo'));
  writeFileSync(join(crate, 'Cargo.toml'), '[package]\nname = "hello"\nversion = "0.1.0"\nedition = "2021"\n');
  writeFileSync(join(crate, 'src', 'main.rs'), 'fn main() { println!("hi"); }\n');
  writeFileSync(join(crate, '.cargo', 'config.toml'), readFileSync(join(dir, 'cargo', 'config.toml'), 'utf8').replace('/opt/reprise/build/reprise-shim', installPaths.shimBinary));
  const env = { ...ws.bareEnv, CARGO_TARGET_DIR: join(crate, 'target'), CARGO_NET_OFFLINE: 'true' };
  for (const step of [['build'], ['clean'], ['build']]) {
    const r = await run('cargo', step, { cwd: crate, env });
    assert.equal(r.code, 0, text(r));
  }
  const s = await stats(env);
  assert.ok((s.tools.rustc?.['direct-hit'] ?? 0) >= 1, JSON.stringify(s.tools.rustc));
});

test('systemd: the user units pass systemd-analyze verify', { skip: noSystemd }, async () => {
  const xdg = join(ws.realDir, 'xdg-runtime');
  mkdirSync(xdg, { mode: 0o700 });
  for (const unit of ['reprise-daemon.service', 'reprise-serve.service']) {
    const r = await run('systemd-analyze', ['verify', '--user', join(dir, 'systemd', unit)], { env: { ...process.env, XDG_RUNTIME_DIR: xdg } });
    assert.equal(r.code, 0, text(r));
    assert.equal(r.stderr.toString().trim(), '', `${unit}: ${text(r)}`); // unknown keys are only warnings
  }
});

test('shell completion: the scripts in integrations/completion are what `reprise completion` prints, and complete commands', async () => {
  const bash = await reprise(['completion'], { ...ws.env, SHELL: '/bin/bash' });
  assert.equal(bash.stdout.toString(), readFileSync(join(dir, 'completion', 'reprise.bash'), 'utf8'), 'regenerate: reprise completion > integrations/completion/reprise.bash');
  const zsh = await reprise(['completion'], { ...ws.env, SHELL: '/bin/zsh' });
  assert.equal(zsh.stdout.toString(), readFileSync(join(dir, 'completion', 'reprise.zsh'), 'utf8'), 'regenerate: SHELL=/bin/zsh reprise completion > integrations/completion/reprise.zsh');
  const words = await reprise(['--get-yargs-completions', 'reprise', 'da'], ws.env);
  const offered = words.stdout.toString().split('\n').map((w) => w.split(':')[0]);
  for (const cmd of ['dashboard', 'trace', 'exec', 'stats']) assert.ok(offered.includes(cmd), `${cmd} in ${offered.join(' ')}`); // the shell keeps those matching the word
});
