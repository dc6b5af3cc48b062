// The Lua corpus's bare objects (path → SHA-256), built once by lua-build.sh in a root of their
// own beside the corpus (outside the checkout) and kept there under a key of what they depend
// on: the compiler's and assembler's versions, dpkg-buildflags' answers, the build scripts and
// the corpus's sources. Every test that compares a build through reprise with the bare one then
// shares one bare build per machine instead of making its own (about 40 s each). A stale baseline
// could only fail a comparison, never pass one: the builds compared with it start from empty stores.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { installPaths } from '../../src/runtime/install-paths.js';
import { benchDir } from './corpus.js';
import { objectDigests } from './object-digests.js';
import { run, text } from './run.js';

const script = join(installPaths.root, 'test', 'fixtures', 'lua-build.sh');
const SOURCES = 'lua5.4-5.4.4';

export async function bareLuaDigests(corpusRoot: string, env: NodeJS.ProcessEnv): Promise<Map<string, string>> {
  const key = await baselineKey(corpusRoot, env);
  const file = join(corpusRoot, 'bare-objects', `${key}.json`);
  try {
    return new Map(Object.entries(JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>));
  } catch { /* not built on this machine yet */ }
  const root = join(corpusRoot, 'bare-objects', 'root');
  mkdirSync(join(root, 'src'), { recursive: true });
  const copied = await run('cp', ['-a', '--no-target-directory', join(corpusRoot, 'src', SOURCES), join(root, 'src', SOURCES)]);
  if (copied.code !== 0) throw new Error(text(copied));
  const built = await run(script, [root, 'bare'], {
    env: { ...env, BENCH_DIR: benchDir, REPRISE_CLI: join(installPaths.root, 'bin', 'reprise.js'), JOBS: '2', LUA_CONFIGURED_FROM: corpusRoot },
  });
  if (built.code !== 0) throw new Error(`the bare Lua build failed: ${text(built)}`);
  const digests = objectDigests(join(root, 'work', 'lua5.4', 'src'));
  if (digests.size < 130) throw new Error(`the bare Lua build left ${digests.size} objects`);
  writeFileSync(`${file}.tmp`, JSON.stringify(Object.fromEntries(digests)));
  renameSync(`${file}.tmp`, file);
  return digests;
}

async function baselineKey(corpusRoot: string, env: NodeJS.ProcessEnv): Promise<string> {
  const h = createHash('sha256');
  for (const [cmd, args] of [['gcc', ['-v']], ['as', ['--version']], ['dpkg-buildflags', []]] as const) {
    const r = await run(cmd, [...args], { env });
    h.update(`${cmd}\0${r.code}\0${r.stdout.toString()}\0${r.stderr.toString()}\0`);
  }
  for (const f of [script, join(benchDir, 'lib.sh'), join(benchDir, 'corpora', 'lua5.4.sh')]) h.update(`${f}\0`).update(readFileSync(f));
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) h.update(`${p}\0${statSync(p).size}\0`).update(readFileSync(p));
    }
  };
  walk(join(corpusRoot, 'src', SOURCES));
  return h.digest('hex').slice(0, 32);
}
