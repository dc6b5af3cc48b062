import {
  AFFECTS_CPP,
  ASSEMBLER_TOO_HARD_PREFIXES,
  CPP_ONLY,
  CXX_DRIVER_LANGUAGE,
  findGccOption,
  LANGUAGE_BY_SUFFIX,
  LINK_ONLY,
  NOT_IN_KEY,
  PROBE,
  TAKES_PATH,
  XCLANG_ALLOWED,
  type GccOptionSpec,
} from './option-table.js';
import {
  GCC_CACHEABLE_LANGUAGES,
  type GccArg,
  type GccArgRole,
  type GccCompileJob,
  type GccCwdUse,
  type GccDepfileRequest,
  type GccDepTarget,
  type GccExtraInput,
  type GccExtraOutput,
  type GccExtraOutputKind,
  type GccLanguage,
  type GccNotACompileReason,
  type GccOutputPathUse,
  type GccParse,
  type GccParseContext,
  type GccSource,
  type GccUncacheableReason,
} from './types.js';

/** g++, c++, clang++, x86_64-linux-gnu-g++-12: C++ drivers read .c as C++. */
const CXX_DRIVER = /\+\+(?:-\d+(?:\.\d+)*)?$/;

/** No preprocessor runs for these, so -MD writes no depfile (gcc 12 and clang 14, measured). */
const NOT_PREPROCESSED: ReadonlySet<string> = new Set(['assembler', 'cpp-output', 'c++-cpp-output', 'objective-c-cpp-output', 'objective-c++-cpp-output']);

interface Operand {
  index: number;
  path: string;
  language: string | undefined;
  languageFrom: 'x' | 'suffix';
}

interface Problem {
  reason: GccUncacheableReason;
  detail: string;
}

/** What one walk over argv learns; classify() turns it into the answer. */
interface Scan {
  args: GccArg[];
  operands: Operand[];
  problem: Problem | undefined; // the first one
  language: string | undefined; // the -x in force
  probe: boolean;
  verbose: boolean;
  preprocessOnly: boolean;
  dependencyOnly: boolean;
  object: boolean;
  assembly: boolean;
  syntaxOnly: boolean;
  emitLlvm: boolean;
  output: string | undefined;
  depMode: 'MD' | 'MMD' | undefined;
  depFile: string | undefined;
  depTargets: GccDepTarget[];
  depPhony: boolean;
  debug: boolean;
  splitDwarf: boolean;
  produces: Set<GccExtraOutputKind>;
  cwdCovered: boolean;
  profileArcs: boolean;
  profileGenerate: boolean;
  profileAbsPath: boolean;
  profileUses: number;
  extraInputs: GccExtraInput[];
  arches: Set<string>;
  nativeCpu: boolean;
  recordsCommandLine: boolean;
  toolPrefixes: string[];
}

/**
 * Classifies one gcc-like driver call (argv without argv[0], response files expanded) as a
 * cacheable single-source compile, or says why not. Pure. Anything it cannot reason about
 * is not a compile: a wrong hit is the worst outcome, an uncacheable call just runs.
 */
export function parseGccArgs(args: readonly string[], ctx: GccParseContext): GccParse {
  return classify(scan(args, ctx));
}

function scan(args: readonly string[], ctx: GccParseContext): Scan {
  const s = emptyScan();
  const cxxDriver = CXX_DRIVER.test(ctx.shimName);
  for (let i = 0; i < args.length; ) {
    const word = args[i]!;
    if (word === '-' || !word.startsWith('-')) {
      // A surviving @file could not be read: gcc would take it as a file name and fail.
      if (word.startsWith('@')) s.problem ??= { reason: 'bad-response-file', detail: `${word}: not readable` };
      s.operands.push(operand(i, word, s.language, cxxDriver));
      s.args.push({ index: i, words: [word], spelling: undefined, role: 'source', affectsCpp: false, cppOnly: false, path: { word: 0, offset: 0 } });
      i += 1;
      continue;
    }
    const match = findGccOption(word);
    const words = match?.separate ? args.slice(i, i + 2) : [word];
    const base = { index: i, words, affectsCpp: false, cppOnly: false, path: undefined };
    if (!match) {
      s.problem ??= { reason: 'unknown-option', detail: word };
      s.args.push({ ...base, spelling: undefined, role: 'key' });
      i += 1;
      continue;
    }
    const { spec } = match;
    if (match.separate && words.length < 2) {
      s.problem ??= { reason: 'missing-argument', detail: word };
      s.args.push({ ...base, spelling: spec.spelling, role: roleOf(spec) });
      break;
    }
    const value = match.separate ? words[1] : match.value;
    const role = apply(s, spec, word, value, ctx) ?? roleOf(spec);
    const hasPath = (spec.flags & TAKES_PATH) !== 0 && value !== undefined;
    s.args.push({
      ...base,
      spelling: spec.spelling,
      role,
      affectsCpp: (spec.flags & AFFECTS_CPP) !== 0,
      cppOnly: (spec.flags & CPP_ONLY) !== 0,
      path: hasPath ? (match.separate ? { word: 1, offset: 0 } : { word: 0, offset: match.offset }) : undefined,
    });
    i += words.length;
  }
  return s;
}

/** Records what one option means; returns a role when it is not the table's. */
function apply(s: Scan, spec: GccOptionSpec, word: string, value: string | undefined, ctx: GccParseContext): GccArgRole | undefined {
  if (spec.tooHard !== undefined) s.problem ??= { reason: 'too-hard-option', detail: `${word}: ${spec.tooHard}` };
  if (spec.flags & PROBE) s.probe = true;
  if (spec.notACompile === 'preprocess-only') s.preprocessOnly = true;
  if (spec.notACompile === 'dependency-only') s.dependencyOnly = true;
  if (spec.produces) s.produces.add(spec.produces);
  if (spec.reads) s.extraInputs.push({ kind: spec.reads, option: spec.spelling, path: value });
  const v = value ?? '';
  switch (spec.effect) {
    case undefined: return undefined;
    case 'compile-object': s.object = true; return undefined;
    case 'compile-assembly': s.assembly = true; return undefined;
    case 'syntax-only': s.syntaxOnly = true; return undefined;
    case 'emit-llvm': s.emitLlvm = true; return undefined;
    case 'output': s.output = v; return undefined; // the last -o wins (gcc 12, clang 14)
    case 'language': s.language = v === 'none' ? undefined : v; return undefined;
    case 'dep-md': s.depMode ??= 'MD'; return undefined;
    case 'dep-mmd': s.depMode = 'MMD'; return undefined; // -MMD wins over -MD in any order (measured)
    case 'dep-file': s.depFile = v; return undefined; // the last -MF wins (measured)
    case 'dep-target': s.depTargets.push({ raw: v, make: v, from: 'MT' }); return undefined;
    case 'dep-quoted-target': s.depTargets.push({ raw: v, make: quoteForMake(v), from: 'MQ' }); return undefined;
    case 'dep-phony': s.depPhony = true; return undefined;
    case 'debug': s.debug = word.startsWith('-gdwarf') || !word.endsWith('0'); return undefined; // -g0, -ggdb0: off
    case 'split-dwarf': s.splitDwarf = true; return undefined;
    case 'prefix-map': if (coversPath(v.slice(0, v.indexOf('=')), ctx.cwd)) s.cwdCovered = true; return undefined;
    case 'compilation-dir': s.cwdCovered = true; return undefined;
    case 'profile-arcs': s.profileArcs = true; return undefined;
    case 'profile-generate': s.profileGenerate = true; return undefined;
    case 'profile-use': s.profileUses += 1; return undefined;
    case 'profile-abs-path': s.profileAbsPath = true; return undefined;
    case 'arch': s.arches.add(v); return undefined;
    case 'cpu': if (v === 'native') s.nativeCpu = true; return undefined;
    case 'record-switches': s.recordsCommandLine = true; return undefined;
    case 'tool-prefix': s.toolPrefixes.push(v); return undefined;
    case 'verbose':
      s.verbose = true;
      s.problem ??= { reason: 'too-hard-option', detail: `${word}: the driver prints its command lines, temporary file names included` };
      return undefined;
    case 'assembler-args': {
      const parts = spec.spelling === '-Wa,' ? v.split(',') : [v];
      const bad = parts.find((p) => ASSEMBLER_TOO_HARD_PREFIXES.some((prefix) => p.startsWith(prefix)));
      if (bad !== undefined) s.problem ??= { reason: 'too-hard-option', detail: `${word}: assembler option ${bad} reads or writes files` };
      return undefined;
    }
    case 'xclang': {
      const role = XCLANG_ALLOWED.get(v);
      if (role === undefined) s.problem ??= { reason: 'too-hard-option', detail: `-Xclang ${v}: cc1 options are not modelled` };
      return role;
    }
  }
}

function classify(s: Scan): GccParse {
  if (s.probe || (s.verbose && s.operands.length === 0)) return notACompile('probe');
  if (s.preprocessOnly) return notACompile('preprocess-only');
  if (s.dependencyOnly) return notACompile('dependency-only'); // -M implies -E, even beside -MD (gcc 12)
  if (!s.object && !s.assembly && !s.syntaxOnly) {
    return notACompile('link'); // the link mode even with no operands (libtool's probes): gcc reports the missing inputs itself
  }
  if (s.problem) return uncacheable(s.problem.reason, s.problem.detail);
  if (s.syntaxOnly) return uncacheable('no-output', '-fsyntax-only');
  const [source, ...more] = s.operands;
  if (!source) return uncacheable('no-source', 'no input files');
  if (s.operands.some((o) => o.path === '-')) return uncacheable('stdin-source', '-');
  if (more.length > 0) return uncacheable('multiple-sources', s.operands.map((o) => o.path).join(' '));
  const language = GCC_CACHEABLE_LANGUAGES.find((l) => l === source.language);
  if (!language) {
    const what = source.language ?? 'no source suffix (a linker input)';
    return uncacheable('unsupported-language', `${source.path}: ${what}`);
  }
  if (s.output === '-') return uncacheable('output-to-stdout', '-o -');
  // Nothing to cache, and a key without the output path would serve the empty "object" to others.
  if (s.output === '/dev/null') return uncacheable('no-output', '-o /dev/null');
  if (s.arches.size > 1) return uncacheable('multiple-arch', [...s.arches].join(' '));
  if (s.profileUses > 1) return uncacheable('too-hard-option', 'more than one profile to use');
  if (s.profileUses > 0 && (s.profileArcs || s.profileGenerate)) return uncacheable('too-hard-option', 'both generating and using a profile');
  return compileJob(s, { index: source.index, path: source.path, language, languageFrom: source.languageFrom });
}

function compileJob(s: Scan, source: GccSource): GccParse {
  const action = s.assembly ? 'assembly' : 'object';
  const sourceBase = baseName(source.path);
  const suffix = action === 'assembly' ? (s.emitLlvm ? '.ll' : '.s') : s.emitLlvm ? '.bc' : '.o';
  const output = s.output ?? replaceSuffix(sourceBase, suffix);

  const depfile = depfileRequest(s, source.language, output, sourceBase);
  const wantsDwo = s.splitDwarf && action === 'object'; // -S writes no .dwo (gcc 12, clang 14)
  if (s.splitDwarf && !s.debug) return uncacheable('too-hard-option', '-gsplit-dwarf without -g: gcc 12 writes a .dwo, clang 14 does not');
  // For out/.o gcc 12 names aux files out/.o.gcno, clang 14 out/.gcno.
  const derives = wantsDwo || s.produces.size > 0 || depfile?.pathFrom === 'default';
  if (derives && baseName(output).lastIndexOf('.') === 0) return uncacheable('too-hard-option', `-o ${output}: derived file names differ between gcc and clang`);

  const extraOutputs: GccExtraOutput[] = [];
  if (wantsDwo) extraOutputs.push({ kind: 'split-dwarf', path: replaceSuffix(output, '.dwo') });
  if (s.produces.has('coverage-notes')) extraOutputs.push({ kind: 'coverage-notes', path: replaceSuffix(output, '.gcno') });
  if (s.produces.has('stack-usage')) extraOutputs.push({ kind: 'stack-usage', path: replaceSuffix(output, '.su') });

  const instrumented = s.profileArcs || s.profileGenerate;
  const cwdUses: GccCwdUse[] = [];
  if (s.debug && !s.cwdCovered) cwdUses.push('debug-info');
  if (s.produces.has('coverage-notes') || s.profileAbsPath) cwdUses.push('coverage-notes');
  if (instrumented) cwdUses.push('profile-paths');
  const outputPathUses: GccOutputPathUse[] = [];
  if (s.splitDwarf) outputPathUses.push('dwo-name');
  if (instrumented) outputPathUses.push('profile-paths');
  if (depfile?.targets.some((t) => t.from === 'default')) outputPathUses.push('depfile-target');
  if (s.recordsCommandLine) outputPathUses.push('command-line');

  const job: GccCompileJob = {
    source,
    action,
    output: { path: output, explicit: s.output !== undefined },
    args: s.args,
    depfile,
    extraOutputs,
    extraInputs: s.extraInputs,
    debugInfo: s.debug,
    cwdUses,
    outputPathUses,
    profileInstrumented: instrumented,
    nativeCpu: s.nativeCpu,
    recordsCommandLine: s.recordsCommandLine,
    toolPrefixes: s.toolPrefixes,
    arch: [...s.arches][0],
  };
  return { kind: 'compile', job };
}

/** gcc's cpp spec: -MD writes OUTPUT-with-.d (or SOURCEBASE.d) and targets `-MQ OUTPUT` (or SOURCEBASE.o). */
function depfileRequest(s: Scan, language: GccLanguage, output: string, sourceBase: string): GccDepfileRequest | undefined {
  // -MF /dev/null: no depfile to keep (a cached empty one would be served to real requests).
  if (!s.depMode || NOT_PREPROCESSED.has(language) || s.depFile === '/dev/null') return undefined;
  const target = s.output ?? replaceSuffix(sourceBase, '.o'); // .o even with -S
  return {
    mode: s.depMode,
    path: s.depFile ?? replaceSuffix(output, '.d'),
    pathFrom: s.depFile === undefined ? 'default' : 'MF',
    targets: s.depTargets.length > 0 ? s.depTargets : [{ raw: target, make: quoteForMake(target), from: 'default' }],
    phonyTargets: s.depPhony,
  };
}

function roleOf(spec: GccOptionSpec): GccArgRole {
  if (spec.flags & NOT_IN_KEY) return 'ignored';
  if (spec.flags & LINK_ONLY) return 'link-only';
  switch (spec.effect) {
    case 'compile-object':
    case 'compile-assembly':
      return 'action';
    case 'output':
      return 'output';
    case 'language':
      return 'language';
    case 'dep-md':
    case 'dep-mmd':
    case 'dep-file':
    case 'dep-target':
    case 'dep-quoted-target':
    case 'dep-phony':
      return 'depfile';
    default:
      return 'key';
  }
}

/** The driver's guess without -x: by suffix (needing a name before it), as C++ for g++/clang++. */
function operand(index: number, path: string, xLanguage: string | undefined, cxxDriver: boolean): Operand {
  if (xLanguage !== undefined) return { index, path, language: xLanguage, languageFrom: 'x' };
  const dot = path.lastIndexOf('.');
  const bySuffix = dot > 0 ? LANGUAGE_BY_SUFFIX.get(path.slice(dot)) : undefined;
  const language = bySuffix !== undefined && cxxDriver ? (CXX_DRIVER_LANGUAGE.get(bySuffix) ?? bySuffix) : bySuffix;
  return { index, path, language, languageFrom: 'suffix' };
}

/** Whether a prefix map's OLD covers an absolute path (component-wise: clang needs that, gcc a plain prefix). */
export function coversPath(old: string, path: string): boolean {
  if (!old.startsWith('/')) return false;
  const dir = old.replace(/\/+$/, '');
  return dir === '' || path === dir || path.startsWith(`${dir}/`);
}

/** libcpp's make quoting (mkdeps.cc munge): $ → $$, # → \#, whitespace gets a backslash and doubles the ones before it. */
export function quoteForMake(target: string): string {
  let out = '';
  let slashes = 0;
  for (const c of target) {
    if (c === '\\') {
      slashes += 1;
    } else {
      if (c === '$') out += '$';
      else if (c === ' ' || c === '\t') out += '\\'.repeat(slashes + 1);
      else if (c === '#') out += '\\';
      slashes = 0;
    }
    out += c;
  }
  return out;
}

/** gcc's replace-extension: the last dot of the base name (even at its start) onwards becomes `suffix`. */
function replaceSuffix(path: string, suffix: string): string {
  const base = path.lastIndexOf('/') + 1;
  const dot = path.lastIndexOf('.');
  return (dot >= base ? path.slice(0, dot) : path) + suffix;
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function notACompile(reason: GccNotACompileReason): GccParse {
  return { kind: 'not-a-compile', reason };
}

function uncacheable(reason: GccUncacheableReason, detail: string): GccParse {
  return { kind: 'uncacheable', reason, detail };
}

function emptyScan(): Scan {
  return {
    args: [],
    operands: [],
    problem: undefined,
    language: undefined,
    probe: false,
    verbose: false,
    preprocessOnly: false,
    dependencyOnly: false,
    object: false,
    assembly: false,
    syntaxOnly: false,
    emitLlvm: false,
    output: undefined,
    depMode: undefined,
    depFile: undefined,
    depTargets: [],
    depPhony: false,
    debug: false,
    splitDwarf: false,
    produces: new Set(),
    cwdCovered: false,
    profileArcs: false,
    profileGenerate: false,
    profileAbsPath: false,
    profileUses: 0,
    extraInputs: [],
    arches: new Set(),
    nativeCpu: false,
    recordsCommandLine: false,
    toolPrefixes: [],
  };
}
