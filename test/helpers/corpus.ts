import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { installPaths } from '../../src/runtime/install-paths.js';
import { run } from './run.js';

/** The harness and corpora beside the checkout (../shared), as CI lays them out. */
export const benchDir = resolve(installPaths.root, '..', 'shared', 'bench');

/**
 * Makes sure the Lua corpus is unpacked under a scratch root (cached between runs) and
 * returns the root. Without the corpus, a test is skipped locally and fails under CI.
 */
export async function luaCorpusRoot(): Promise<{ root: string } | { missing: string }> {
  const root = process.env.REPRISE_BENCH_ROOT ?? join(homedir(), '.cache', 'reprise-test', 'bench-root');
  if (!existsSync(join(benchDir, 'lib.sh'))) return { missing: `no bench harness at ${benchDir}` };
  if (existsSync(join(root, 'src', 'lua5.4-5.4.4'))) return { root };
  mkdirSync(root, { recursive: true });
  const r = await run(join(benchDir, 'prepare-corpus.sh'), ['lua5.4', root], { env: process.env });
  if (r.code !== 0) return { missing: `prepare-corpus.sh lua5.4 failed (deb-src configured? see ../shared/bench/README.md): ${r.stderr.toString().trim()}` };
  return { root };
}

/** The corpus scripts of ../shared/corpora (Debian source packages prepared offline). */
export const corporaDir = resolve(installPaths.root, '..', 'shared', 'corpora');

/**
 * Makes sure ripgrep 13.0.0 is prepared as an offline cargo workspace over Debian's
 * packaged crates (../shared/corpora/rust-ripgrep.sh; its Debian build dependencies
 * installed, as .ci/run does) under REPRISE_RUST_CORPUS (default
 * ~/.cache/reprise-test/rust-ripgrep), and returns the workspace. The lock file is written
 * by the cargo first on PATH: it is prepared again when that cargo changes, since an older
 * cargo cannot read a newer lock file. Without it, a test is skipped locally and fails under CI.
 */
export async function ripgrepCorpus(env: NodeJS.ProcessEnv): Promise<{ dir: string } | { missing: string }> {
  const root = process.env.REPRISE_RUST_CORPUS ?? join(homedir(), '.cache', 'reprise-test', 'rust-ripgrep');
  const script = join(corporaDir, 'rust-ripgrep.sh');
  if (!existsSync(script)) return { missing: `no corpus script at ${script}` };
  const version = await run('cargo', ['--version'], { env }).then((r) => (r.code === 0 ? r.stdout.toString().trim() : undefined), () => undefined);
  if (!version) return { missing: 'cargo is not installed' };
  const dir = join(root, 'rg');
  const stamp = join(root, 'prepared-with');
  if (existsSync(join(dir, 'Cargo.lock')) && readIfThere(stamp)?.trim() === version) return { dir };
  mkdirSync(root, { recursive: true });
  const r = await run(script, [root], { env });
  if (r.code !== 0 || !existsSync(join(dir, 'Cargo.lock'))) {
    return { missing: `rust-ripgrep.sh failed (deb-src and \`rust-ripgrep.sh --install-deps\`, see ../shared/corpora/README.md): ${r.stderr.toString().trim()}` };
  }
  writeFileSync(stamp, version);
  return { dir };
}

function readIfThere(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Makes sure hledger-lib 1.25 is prepared for an offline cabal build over Debian's
 * libghc-*-dev packages (../shared/corpora/haskell-hledger-lib.sh; `--install-deps`, as
 * .ci/run does, installs ghc, cabal-install and those packages) under REPRISE_GHC_HLEDGER
 * (default ~/.cache/reprise-test/ghc-hledger), and returns the package directory and a
 * cabal home without a Hackage repository. Without it, a test is skipped locally and fails under CI.
 */
export async function hledgerCorpus(env: NodeJS.ProcessEnv): Promise<{ dir: string; cabalHome: string } | { missing: string }> {
  const root = process.env.REPRISE_GHC_HLEDGER ?? join(homedir(), '.cache', 'reprise-test', 'ghc-hledger');
  const script = join(corporaDir, 'haskell-hledger-lib.sh');
  if (!existsSync(script)) return { missing: `no corpus script at ${script}` };
  const cabal = await run('cabal', ['--numeric-version'], { env }).then((r) => r.code === 0, () => false);
  if (!cabal) return { missing: 'cabal-install is not installed' };
  const dir = join(root, 'haskell-hledger-lib-1.25');
  const cabalHome = join(root, 'cabal-home');
  if (existsSync(join(dir, 'hledger-lib.cabal')) && existsSync(join(cabalHome, 'config'))) return { dir, cabalHome };
  mkdirSync(root, { recursive: true });
  const r = await run(script, [root], { env });
  if (r.code !== 0 || !existsSync(join(dir, 'hledger-lib.cabal'))) {
    return { missing: `haskell-hledger-lib.sh failed (deb-src and \`haskell-hledger-lib.sh --install-deps\`, see ../shared/corpora/README.md): ${r.stderr.toString().trim()}` };
  }
  return { dir, cabalHome };
}
