import type { PipelineUncacheableReason } from '../../pipeline/uncacheable-reasons.js';
import type { CompileJob } from '../../pipeline/types.js';
import { gccKeyPaths } from './gcc-key-paths.js';
import type { GccArg, GccCompileJob } from './types.js';

export type CompileJobOrReason = { kind: 'job'; job: CompileJob } | { kind: 'uncacheable'; reason: PipelineUncacheableReason };

const CHAIN: Record<string, keyof CompileJob['includeDirs']> = { '-iquote': 'quote', '-I': 'bracket', '-isystem': 'system', '-idirafter': 'after' };
/** Include options whose effect on the search order we do not model yet. */
const UNMODELLED = new Set(['-I-', '-iprefix', '-iwithprefix', '-iwithprefixbefore', '-iwithsysroot', '-F', '-iframework', '-cxx-isystem', '-isystem-after', '--embed-dir', '-remap']);
/** Options that move the compiler's built-in include directories: passed to `cc -E -v`. */
const SYSTEM_DIR = /^(?:--sysroot|-isysroot|-nostdinc|-nostdinc\+\+|-nostdlibinc|-target|--target|-stdlib|--gcc-toolchain|-m(?:16|32|64|x32)$)/;
const PREPROCESSED = new Set(['c', 'c++', 'objective-c', 'objective-c++', 'assembler-with-cpp']);

/** Maps a parsed gcc call onto what the cache pipeline needs, or names what it cannot cache yet. */
export function toCompileJob(g: GccCompileJob): CompileJobOrReason {
  const uncacheable = (reason: PipelineUncacheableReason): CompileJobOrReason => ({ kind: 'uncacheable', reason });
  if (!PREPROCESSED.has(g.source.language)) return uncacheable('not-preprocessed');
  if (g.toolPrefixes.length > 0) return uncacheable('tool-prefix');
  if (g.args.some((a) => a.spelling !== undefined && UNMODELLED.has(a.spelling))) return uncacheable('unsupported-include-option');
  const extraInputs: string[] = [];
  for (const x of g.extraInputs) {
    if (x.path === undefined) return uncacheable('unresolved-extra-input');
    extraInputs.push(x.path);
  }

  const includeDirs: CompileJob['includeDirs'] = { quote: [], bracket: [], system: [], after: [] };
  const systemDirArgs: string[] = [];
  for (const a of g.args) {
    const chain = a.spelling !== undefined ? CHAIN[a.spelling] : undefined;
    if (chain) includeDirs[chain].push(pathOf(a));
    if (a.spelling !== undefined && SYSTEM_DIR.test(a.spelling)) systemDirArgs.push(...a.words);
  }
  // With -frecord-gcc-switches even colour flags land in the object.
  const kept = g.recordsCommandLine ? g.args : g.args.filter((a) => a.role !== 'ignored' && a.role !== 'link-only');
  // -M implies -E; without -c, -o and the caller's depfile options it writes nothing but the list.
  const scanArgs = g.args.filter((a) => a.role !== 'action' && a.role !== 'output' && a.role !== 'depfile').flatMap((a) => a.words);
  // Added depfile options would land in an object that records its command line (clang 14 records all of it).
  const listsInputs = g.recordsCommandLine ? undefined : g.depfile?.mode === 'MD' ? 'caller' : g.args.some((a) => a.role === 'depfile') ? undefined : 'added';
  return {
    kind: 'job',
    job: {
      language: g.source.language,
      source: g.source.path,
      outputs: [{ role: g.action, path: g.output.path }, ...g.extraOutputs.map((x) => ({ role: x.kind, path: x.path }))],
      ...(g.depfile ? { depfile: { path: g.depfile.path, targets: g.depfile.targets.map((t) => ({ make: t.make, quoted: t.from !== 'MT' })) } } : {}),
      scanArgs,
      ...(g.depfile?.mode === 'MMD' ? { depScanArgs: scanArgs } : {}),
      ...(listsInputs ? { listsInputs } : {}),
      runArgs: g.args.flatMap((a) => a.words),
      keyArgs: kept.flatMap((a) => a.words),
      keyPaths: gccKeyPaths(g, kept),
      cwdInKey: g.cwdUses.length > 0,
      includeDirs,
      systemDirArgs,
      extraInputs,
      nativeCpu: g.nativeCpu,
    },
  };
}

function pathOf(a: GccArg): string {
  const slot = a.path ?? { word: a.words.length - 1, offset: 0 };
  return a.words[slot.word]!.slice(slot.offset);
}
