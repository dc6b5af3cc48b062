import { extname } from 'node:path';
import type { GhcOutputLayout, GhcParse } from './types.js';

/** Options whose value is the next argument (ghc's table spells them so; `-odirX` is read as `-odir X`, which we decline to model). */
export const TAKES_VALUE: ReadonlySet<string> = new Set([
  '-o', '-odir', '-hidir', '-stubdir', '-dumpdir', '-outputdir', '-hiedir', '-ohi', '-dyno',
  '-osuf', '-hisuf', '-dynosuf', '-dynhisuf', '-hcsuf', '-hiesuf',
  '-package', '-package-id', '-package-db', '-package-env', '-hide-package', '-ignore-package', '-trust', '-distrust',
  '-this-unit-id', '-this-component-id', '-instantiated-with', '-x', '-main-is', '-plugin-package', '-plugin-package-id',
  '-ffrontend-opt', '-frontend', '-framework', '-framework-path', '-dep-suffix', '-dep-makefile', '-exclude-module',
  '-tmpdir', '-hpcdir', '-ghci-script', '-dylib-install-name', '-ghcversion-file', '-working-dir', '-unit',
]);

/** Options that decide where outputs go: read in their separate form only. */
const OUTPUT_OPTIONS = ['-odir', '-hidir', '-stubdir', '-outputdir', '-ohi', '-dyno', '-osuf', '-hisuf', '-dynosuf', '-dynhisuf', '-hiedir', '-dumpdir'];

/** Questions ghc answers without compiling (cabal's probes among them). */
const PROBES = /^(--version|--numeric-version|--info|--print-.*|--supported-extensions|--supported-languages|--show-options|--show-iface|--help|-\?|-V|--show-packages)$/;

/** Modes other than one-shot compilation and --make. */
const OTHER_MODES = new Set(['-E', '-S', '-C', '-M', '-e', '--interactive', '--frontend', '--backpack', '--abi-hash', '--mk-dll', '-fno-code']);

/** Options that write files beside the outputs, which a hit would not replay. */
const EXTRA_OUTPUTS = /^(-fwrite-ide-info|-ddump-to-file|-keep-(hc|s|llvm|tmp|o|hi)-files?|-fhpc|-ddump-file-prefix.*)$/;

const HASKELL = new Set(['.hs', '.hs-boot']);

/**
 * Reads a ghc command line: a one-shot `ghc -c` of one
 * Haskell module is a compile we can cache; probes are not compiles; everything else
 * (--make builds, links, other modes) runs as it is, for a counted reason.
 */
export function parseGhcArgs(args: readonly string[]): GhcParse {
  if (args.length === 0 || args.some((a) => PROBES.test(a))) return { kind: 'not-a-compile' };
  const operands: string[] = [];
  /** Where each operand sits in args (the --make split removes them). */
  const operandAt: number[] = [];
  let noLink = false;
  const layout: GhcOutputLayout = { osuf: 'o', hisuf: 'hi', dynosuf: 'dyn_o', dynhisuf: 'dyn_hi', dynamicToo: false };
  let compileOnly = false;
  let make = false;
  let cpp = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '+RTS') {
      // ghc's own runtime options, up to -RTS (or the end).
      while (i < args.length && args[i] !== '-RTS') i++;
      continue;
    }
    if (a === '--') return { kind: 'uncacheable', reason: 'ghc-make', detail: 'arguments after --' };
    if (TAKES_VALUE.has(a)) {
      const v = args[i + 1];
      if (v === undefined) return { kind: 'uncacheable', reason: 'missing-argument', detail: a };
      i++;
      if (a === '-frontend') return { kind: 'uncacheable', reason: 'unsupported-mode', detail: a };
      if (a === '-x') return { kind: 'uncacheable', reason: 'non-haskell-source', detail: `-x ${v}` };
      setLayout(layout, a, v);
      continue;
    }
    if (a.startsWith('@')) return { kind: 'uncacheable', reason: 'response-file' };
    if (!a.startsWith('-') || a === '-') {
      operands.push(a);
      operandAt.push(i);
      continue;
    }
    if (a === '-c') compileOnly = true;
    else if (a === '--make') make = true;
    else if (a === '-no-link') noLink = true;
    else if (a === '-dynamic-too') layout.dynamicToo = true;
    else if (a === '-cpp' || a === '-XCPP') cpp = true;
    else if (OTHER_MODES.has(a)) return { kind: 'uncacheable', reason: 'unsupported-mode', detail: a };
    else if (EXTRA_OUTPUTS.test(a)) return { kind: 'uncacheable', reason: 'extra-outputs', detail: a };
    else if (OUTPUT_OPTIONS.some((o) => a.startsWith(o))) {
      return { kind: 'uncacheable', reason: 'output-flag-form', detail: a };
    }
  }
  if (make || !compileOnly) {
    if (operands.length === 0) return { kind: 'not-a-compile' };
    // Objects and libraries only: a link (cabal's `ghc -shared`), nothing to compile.
    if (operands.every((o) => !isModuleTarget(o))) return { kind: 'uncacheable', reason: 'links' };
    // Sources of other languages in a --make build (C files, objects to link): run as it is.
    if (!operands.every(isModuleTarget)) return { kind: 'uncacheable', reason: 'ghc-make', detail: 'operands other than Haskell modules' };
    const skipAt = new Set(operandAt);
    // -o names the program --make links, -no-link only tells --make not to: neither means
    // anything to a module job (cabal compiles a program with -no-link, then links it with
    // a second --make without it, whose jobs are then hits).
    args.forEach((a, i) => {
      if (a === '-o') skipAt.add(i).add(i + 1);
      if (a === '-no-link') skipAt.add(i);
    });
    const flags = args.filter((a, i) => !skipAt.has(i) && a !== '--make');
    return { kind: 'make', job: { flags, targets: operands, runArgs: [...args], noLink } };
  }
  if (operands.length === 0) return { kind: 'not-a-compile' };
  if (operands.length > 1) return { kind: 'uncacheable', reason: 'multiple-sources' };
  const source = operands[0]!;
  const ext = extname(source);
  if (ext === '.lhs' || ext === '.lhs-boot') return { kind: 'uncacheable', reason: 'literate-source' };
  if (ext === '.hsig') return { kind: 'uncacheable', reason: 'signature-source' };
  if (!HASKELL.has(ext)) return { kind: 'uncacheable', reason: 'non-haskell-source', detail: source };
  if (layout.hi !== undefined && layout.dynamicToo) return { kind: 'uncacheable', reason: 'output-flag-form', detail: '-ohi with -dynamic-too (ghc 9.0 writes both interfaces to one file)' };
  return { kind: 'compile', job: { source, boot: ext === '.hs-boot', layout, cpp, runArgs: [...args] } };
}

/** A module name (A.B) or a Haskell source file: what --make builds. */
function isModuleTarget(o: string): boolean {
  return /^[A-Z][\w']*(\.[A-Z][\w']*)*$/.test(o) || HASKELL.has(extname(o)) || extname(o) === '.lhs';
}

function setLayout(l: GhcOutputLayout, opt: string, v: string): void {
  switch (opt) {
    case '-o': l.obj = v; break;
    case '-ohi': l.hi = v; break;
    case '-dyno': l.dynObj = v; break;
    case '-odir': l.odir = v; break;
    case '-hidir': l.hidir = v; break;
    case '-stubdir': l.stubdir = v; break;
    case '-outputdir': l.odir = v; l.hidir = v; l.stubdir = v; break;
    case '-osuf': l.osuf = v; break;
    case '-hisuf': l.hisuf = v; break;
    case '-dynosuf': l.dynosuf = v; break;
    case '-dynhisuf': l.dynhisuf = v; break;
  }
}
