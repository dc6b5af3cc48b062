// Issue 16: a CMake + Ninja project (a C unit, a C++ unit that includes <vector>) configured
// under `reprise exec` into a first, a second and a third build directory, with
// REPRISE_BASE_DIR set to the project: every compile in the second and third directories
// hits, and each object is byte for byte the bare build's. The C++ unit used to miss every
// time (libstdc++'s c++config.h spells __FILE__ in a macro, which bound its entries to
// their build directory).
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { reprise, stats, toolCount } from '../helpers/reprise-cli.js';
import { run, text } from '../helpers/run.js';
import { createWorkspace } from '../helpers/workspace.js';
import type { StatsSnapshot } from '../../src/stats/types.js';

const missing = (await run('sh', ['-c', 'command -v cmake && command -v ninja'])).code === 0 ? false : 'cmake or ninja is not installed (apt-get install cmake ninja-build)';
if (missing && process.env.CI) throw new Error(`the CMake test is required under CI: ${missing}`);
if (missing) console.error(`# skipped: ${missing}`);

const ws = createWorkspace('reprise-cmake-');
test.after(() => ws.cleanup());
// The project lies below the workspace's symlink, and CMake spells its paths through it.
const project = join(ws.dir, 'proj');
const withBase = { ...ws.env, REPRISE_BASE_DIR: project, PWD: project };
const objects = ['CMakeFiles/x.dir/a.c.o', 'CMakeFiles/x.dir/b.cpp.o'];

function writeProject(): void {
  mkdirSync(project, { recursive: true });
  writeFileSync(join(project, 'CMakeLists.txt'), 'cmake_minimum_required(VERSION 3.10)\nproject(x C CXX)\nadd_executable(x a.c b.cpp)\n');
  writeFileSync(join(project, 'a.c'), 'int b(void);\nint main(void) { return b(); }\n');
  writeFileSync(join(project, 'b.cpp'), '#include <vector>\nextern "C" int b(void) { std::vector<int> v{1, 2, 3}; return (int)v.size() - 3; }\n');
}

/** Configures and builds into `dir` (under the project) and returns the build step's hits and misses per tool. */
async function build(env: NodeJS.ProcessEnv, dir: string, through: boolean): Promise<Record<'cc' | 'c++', { hit: number; miss: number }>> {
  const cmd = async (args: string[]): Promise<void> => {
    const r = through ? await reprise(['exec', '--', ...args], env, project) : await run(args[0]!, args.slice(1), { cwd: project, env });
    assert.equal(r.code, 0, text(r));
  };
  await cmd(['cmake', '-G', 'Ninja', '-S', project, '-B', join(project, dir)]);
  const before = through ? await stats(env) : undefined;
  await cmd(['cmake', '--build', join(project, dir)]);
  if (!before) return { cc: { hit: 0, miss: 0 }, 'c++': { hit: 0, miss: 0 } };
  const after = await stats(env);
  const moved = (tool: string): { hit: number; miss: number } => {
    const n = (s: StatsSnapshot, c: 'direct-hit' | 'shim-hit' | 'miss'): number => toolCount(s, tool, c);
    return { hit: n(after, 'direct-hit') + n(after, 'shim-hit') - n(before, 'direct-hit') - n(before, 'shim-hit'), miss: n(after, 'miss') - n(before, 'miss') };
  };
  return { cc: moved('cc'), 'c++': moved('c++') };
}

test('CMake + Ninja in three build directories with REPRISE_BASE_DIR: the C and C++ compiles hit in the second and third, identical to a bare build', { skip: missing }, async () => {
  writeProject();
  await new Promise((r) => setTimeout(r, 50)); // inputs written just before a compile count as changed during it
  await build({ ...ws.bareEnv, PWD: project }, 'bare', false);
  const bare = objects.map((o) => readFileSync(join(project, 'bare', o)));

  assert.deepEqual(await build(withBase, 'build1', true), { cc: { hit: 0, miss: 1 }, 'c++': { hit: 0, miss: 1 } });
  for (const dir of ['build2', 'build3']) {
    assert.deepEqual(await build(withBase, dir, true), { cc: { hit: 1, miss: 0 }, 'c++': { hit: 1, miss: 0 } }, dir);
    objects.forEach((o, i) => assert.ok(readFileSync(join(project, dir, o)).equals(bare[i]!), `${dir}/${o} differs from the bare build's`));
  }
  const s = await stats(withBase);
  assert.equal(s.cache['entry-bound'], 0, 'no entry was bound to its build directory');

  // `ninja -t commands` names the shim CMake recorded; explain resolves it to the compiler the build ran.
  const commands = await run('ninja', ['-C', join(project, 'build3'), '-t', 'commands', objects[1]!], { env: ws.bareEnv });
  const line = commands.stdout.toString().trim().split('\n').pop()!;
  const argv = line.split(/\s+/);
  assert.ok(argv[0]!.endsWith('/c++'), line);
  // As ninja runs it: in the build directory, with the $PWD the build was started with.
  const explained = await reprise(['explain', '--', ...argv], withBase, join(project, 'build3'));
  assert.equal(explained.code, 0, text(explained));
  assert.match(explained.stdout.toString(), /^tool: \/\S+ \(what the shim \S+ runs: c\+\+ on PATH past the shims\)$/m);
  assert.match(explained.stdout.toString(), /cache: a hit/);
});
