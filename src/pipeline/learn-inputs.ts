import { readFile } from 'node:fs/promises';
import { delimiter, isAbsolute, resolve } from 'node:path';
import { digestAll } from '../hashing/digest-all.js';
import { includeProbes, type ProbeOrigin } from '../adapters/gcc/include-probes.js';
import type { ContentScan } from '../adapters/gcc/scan-content.js';
import { parseDepfile } from '../adapters/gcc/parse-depfile.js';
import type { CacheContext } from './cache-context.js';
import type { CompileCall } from './cached-compile.js';
import { aliasedSearchDir } from './aliased-search-dir.js';
import { twinInput } from './twin-input.js';
import { symlinkClimb } from './symlink-climb.js';
import type { PipelineUncacheableReason } from './uncacheable-reasons.js';

/** What a dependency list says a compile read, checked and digested, with the paths that must stay absent or present. */
export interface Learned {
  spelled: string[];
  /** Absolute, in depfile order (the source first). */
  deps: string[];
  inputs: Array<{ path: string; digest: string }>;
  chain: string[];
  absent: string[];
  present: string[];
  /** The present paths as the compiler opens them (not normalized), for the sandbox's view. */
  presentAsOpened: string[];
  origins: Map<string, ProbeOrigin[]>;
  /** Candidate paths that are files and were not read: behind an inactive #if, when the compile could see them. */
  existing: string[];
  /** Candidate paths that are directories (gcc passes them by, inside the sandbox as outside): each must not become a file. */
  notFiles: string[];
}

/** The files a fill on these inputs shows the compiler: each as it opens it (not normalized), the source first. */
export function filesAsOpened(c: CompileCall, learned: Learned): string[] {
  return [...learned.spelled.map((p) => (isAbsolute(p) ? p : `${c.cwd}/${p}`)), ...learned.presentAsOpened];
}

/** Reads a depfile and digests every input it names; an uncacheable reason when the compile cannot be keyed. */
export async function learnInputs(ctx: CacheContext, c: CompileCall, depfilePath: string): Promise<PipelineUncacheableReason | Learned> {
  let depText: string;
  try {
    depText = await readFile(depfilePath, 'utf8');
  } catch {
    return 'no-depfile';
  }
  return learnFromDepfile(ctx, c, depText);
}

/**
 * learnInputs for a depfile already read; `alsoRead` are files the lookup trace saw read that
 * it does not list (absolute). `traced`: a lookup trace of the run will be checked against
 * what is learned here (learn-traced.ts), so a `__has_include` whose argument is a macro need
 * not be refused: the trace shows each place it searched, and those join the entry as any
 * traced probe does. Without a trace nothing says what it asked.
 */
export async function learnFromDepfile(ctx: CacheContext, c: CompileCall, depText: string, alsoRead: readonly string[] = [], traced = false): Promise<PipelineUncacheableReason | Learned> {
  const abs = (p: string): string => resolve(c.cwd, p);
  const spelled = [...parseDepfile(depText), ...alsoRead];
  const deps = spelled.map(abs);
  if (deps.length === 0) return 'no-depfile';
  const inputs: Array<{ path: string; digest: string }> = [];
  const scanned: Array<{ path: string; scan: ContentScan }> = [];
  const sizes: number[] = [];
  const digests = await digestAll(ctx.files, deps);
  for (const [i, path] of deps.entries()) {
    const d = digests[i];
    if (!d) return 'input-vanished';
    if (d.scan.timeMacro) return 'time-macro';
    if (d.scan.mtimeDependency) return 'pragma-dependency';
    if (d.scan.computedProbe && !traced) return 'computed-has-include';
    scanned.push({ path, scan: d.scan });
    inputs.push({ path, digest: d.digest.hash });
    sizes.push(d.digest.size);
  }
  const groups = await searchGroups(ctx, c);
  const chain = groups.flatMap((g) => g.dirs);
  const climb = symlinkClimb({ cwd: c.cwd, deps: spelled, chain, inputs: scanned });
  if (climb !== undefined) {
    ctx.log.debug(`${c.tool}: ${c.job.source}: ${climb} climbs out of a symlinked directory`);
    return 'dotdot-past-symlink';
  }
  const chainAsGiven = chain.map((d) => (isAbsolute(d) ? d : `${c.cwd}/${d}`));
  const { absent, present, presentAsOpened, origins, existing, dangling, notFiles } = includeProbes({ inputs: scanned, chain: chain.map(abs), chainAsGiven, look: ctx.listings.look(), quoteDirs: c.job.includeDirs.quote.length });
  if (dangling.length > 0) {
    ctx.log.debug(`${c.tool}: ${c.job.source}: ${dangling[0]} is searched and is a dangling symlink (or below one)`);
    return 'dangling-symlink-probe';
  }
  const alias = aliasedSearchDir(c.cwd, groups, scanned, c.job.keyArgs);
  if (alias !== undefined) {
    ctx.log.debug(`${c.tool}: ${c.job.source}: search directories ${alias.join(' and ')} are one directory, which the compiler searches once`);
    return 'aliased-search-dir';
  }
  const twin = await twinInput(ctx, inputs.map((x, i) => ({ ...x, size: sizes[i]! })), existing);
  if (twin !== undefined) {
    ctx.log.debug(`${c.tool}: ${c.job.source}: ${twin} has the bytes of another input`);
    return 'twin-inputs';
  }
  return { spelled, deps, inputs, chain, absent, present, presentAsOpened, origins, existing, notFiles };
}

/** Every directory the preprocessor searches for <...>, in order, as given (relative ones from the working directory). */
export async function searchChain(ctx: CacheContext, c: CompileCall): Promise<string[]> {
  return (await searchGroups(ctx, c)).flatMap((g) => g.dirs);
}

/**
 * The search chain in the groups the preprocessor tells apart when it drops a directory that
 * is the same as an earlier one (aliased-search-dir.ts): -iquote, the -I and CPATH
 * directories, the system ones (the toolchain's own marked), and -idirafter.
 */
export async function searchGroups(ctx: CacheContext, c: CompileCall): Promise<SearchGroup[]> {
  const systemDirs = await ctx.systemIncludeDirs(c.toolPath, c.job.language, c.job.systemDirArgs, Object.fromEntries(c.env));
  const envDirs = (name: string): string[] => (c.env.get(name) ?? '').split(delimiter).filter((d) => d !== '');
  const dirs = c.job.includeDirs;
  const userSystem = [...dirs.system, ...envDirs(c.job.language.startsWith('c++') ? 'CPLUS_INCLUDE_PATH' : 'C_INCLUDE_PATH')];
  return [
    { dirs: dirs.quote, toolchain: 0 },
    { dirs: [...dirs.bracket, ...envDirs('CPATH')], toolchain: 0 },
    { dirs: [...userSystem, ...systemDirs], toolchain: systemDirs.length },
    { dirs: dirs.after, toolchain: 0 },
  ];
}

/** Directories of one kind, in order; the last `toolchain` of them are the compiler's own. */
export interface SearchGroup {
  dirs: string[];
  toolchain: number;
}
