import { LONG_OPTIONS, PRINT_DURING_COMPILE, SHORT_OPTIONS, type RustOption } from './option-table.js';
import { rustOutputs } from './rust-outputs.js';
import { RUST_CRATE_TYPES, type RustCrateType, type RustJob, type RustEmit, type RustExtern, type RustNativeLib, type RustcParse, type RustcUncacheableReason } from './types.js';

/** One option occurrence: its spelling in argv (one or two words) and its value. */
interface Occurrence {
  opt: RustOption;
  /** `--name` or `-X`, for messages. */
  name: string;
  value: string | undefined;
  words: string[];
}

/** Options and operands in argv order (an operand is a source). */
type Item = Occurrence | { source: string };

type Scanned = { items: Item[]; occurrences: Occurrence[]; sources: string[] } | { error: RustcUncacheableReason; detail: string };

/**
 * Splits argv (after argv[0], @files expanded) into options and operands the way rustc's
 * getopts does: `--opt v` or `--opt=v`, `-X v` or `-Xv`, and runs of flag letters (`-vV`).
 */
function scan(args: readonly string[]): Scanned {
  const items: Item[] = [];
  const occurrences = {
    push(...os: Occurrence[]): void {
      items.push(...os);
    },
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-' || !a.startsWith('-')) {
      items.push({ source: a });
      continue;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      const opt = LONG_OPTIONS.get(name);
      if (!opt) return { error: 'unknown-option', detail: a };
      if (!opt.value) {
        if (eq >= 0) return { error: 'unknown-option', detail: a };
        occurrences.push({ opt, name: `--${name}`, value: undefined, words: [a] });
        continue;
      }
      if (eq >= 0) occurrences.push({ opt, name: `--${name}`, value: a.slice(eq + 1), words: [a] });
      else if (i + 1 < args.length) occurrences.push({ opt, name: `--${name}`, value: args[++i]!, words: [a, args[i]!] });
      else return { error: 'missing-argument', detail: a };
      continue;
    }
    const letter = a[1]!;
    const opt = SHORT_OPTIONS.get(letter);
    if (!opt) return { error: 'unknown-option', detail: a };
    if (opt.value) {
      if (a.length > 2) occurrences.push({ opt, name: `-${letter}`, value: a.slice(2), words: [a] });
      else if (i + 1 < args.length) occurrences.push({ opt, name: `-${letter}`, value: args[++i]!, words: [a, args[i]!] });
      else return { error: 'missing-argument', detail: a };
      continue;
    }
    // A run of flag letters: each must be a known flag.
    for (const l of a.slice(1)) {
      const flag = SHORT_OPTIONS.get(l);
      if (!flag || flag.value) return { error: 'unknown-option', detail: a };
      occurrences.push({ opt: flag, name: `-${l}`, value: undefined, words: [] });
    }
    (items[items.length - 1] as Occurrence).words = [a];
  }
  const opts = items.filter((x): x is Occurrence => 'opt' in x);
  const sources = items.flatMap((x) => ('source' in x ? [x.source] : []));
  return { items, occurrences: opts, sources };
}

const uncacheable = (reason: RustcUncacheableReason, detail: string): RustcParse => ({ kind: 'uncacheable', reason, detail });

/**
 * Classifies one rustc call (pure: no I/O). Probes (`-vV`, `--print`, no source) are not
 * compiles; everything else is a cacheable compile or uncacheable for a named reason.
 * `-C incremental` is dropped from the run: the cache replaces incremental compilation
 * (docs/trust-model.md, "rustc").
 */
export function parseRustcArgs(args: readonly string[]): RustcParse {
  const scanned = scan(args);
  if ('error' in scanned) {
    // A probe stays a probe even next to options we do not know.
    if (args.some((a) => a === '-V' || a === '--version' || a === '-vV' || a === '--help' || a === '-h')) return { kind: 'not-a-compile' };
    return uncacheable(scanned.error, scanned.detail);
  }
  const { items, occurrences, sources } = scanned;
  if (occurrences.some((o) => o.opt.role === 'probe')) return { kind: 'not-a-compile' };
  const prints = occurrences.filter((o) => o.opt.role === 'print');
  if (sources.length === 0) return { kind: 'not-a-compile' };
  if (prints.length > 0) {
    if (sources.includes('-') || !prints.some((p) => PRINT_DURING_COMPILE.has(p.value!.split('=')[0]!))) return { kind: 'not-a-compile' };
    return uncacheable('print-request', prints.map((p) => p.value).join(','));
  }
  if (sources.length > 1) return uncacheable('multiple-sources', sources.join(' '));
  const source = sources[0]!;
  if (source === '-') return uncacheable('stdin-source', '-');

  let crateName: string | undefined;
  const crateTypes: RustCrateType[] = [];
  const emits = new Map<RustEmit, string | undefined>();
  let outDir: string | undefined;
  let extraFilename = '';
  let nativeCpu = false;
  let target: string | undefined;
  let test = false;
  let linker: string | undefined;
  const externs: RustExtern[] = [];
  const searchDirs: Array<{ kind: string; path: string }> = [];
  const nativeLibs: RustNativeLib[] = [];
  const runArgs: string[] = [];
  const scanArgs: string[] = [];
  const keyPaths: RustJob['keyPaths'] = [];

  for (const o of items) {
    if ('source' in o) {
      runArgs.push(o.source);
      scanArgs.push(o.source);
      continue;
    }
    const v = o.value ?? '';
    let run = true;
    let scanToo = true;
    /** Where the value holds a path whose spelling reaches no output (see RustJob.keyPaths). */
    let pathAt: number | undefined;
    switch (o.opt.role) {
      case 'unstable':
        return uncacheable('unstable-option', o.words.join(' '));
      case 'sysroot':
        return uncacheable('custom-sysroot', v);
      case 'output':
        return uncacheable('output-file', v);
      case 'crate-name':
        crateName = v;
        break;
      case 'crate-type':
        for (const t of v.split(',')) {
          if (!(RUST_CRATE_TYPES as readonly string[]).includes(t)) return uncacheable('unknown-option', `--crate-type ${t}`);
          if (!crateTypes.includes(t as RustCrateType)) crateTypes.push(t as RustCrateType);
        }
        break;
      case 'emit':
        for (const e of v.split(',')) {
          const eq = e.indexOf('=');
          const kind = eq < 0 ? e : e.slice(0, eq);
          if (kind !== 'link' && kind !== 'metadata' && kind !== 'dep-info') return uncacheable('unsupported-emit', kind);
          emits.set(kind, eq < 0 ? undefined : e.slice(eq + 1));
        }
        scanToo = false;
        break;
      case 'out-dir':
        outDir = v;
        scanToo = false;
        pathAt = 0;
        break;
      case 'codegen': {
        const eq = v.indexOf('=');
        const name = (eq < 0 ? v : v.slice(0, eq)).replaceAll('_', '-');
        const value = eq < 0 ? undefined : v.slice(eq + 1);
        if (name === 'incremental') {
          run = false;
          scanToo = false;
        } else if (name === 'extra-filename') extraFilename = value ?? '';
        else if (name === 'split-debuginfo' && value !== 'off') return uncacheable('split-debuginfo', v);
        else if (name === 'save-temps' && value !== 'no' && value !== 'n' && value !== 'off' && value !== 'false') return uncacheable('save-temps', v);
        else if (name === 'profile-use' || name === 'profile-sample-use') return uncacheable('profile-file', v);
        else if (name === 'target-cpu' && value === 'native') nativeCpu = true;
        else if (name === 'linker') linker = value;
        break;
      }
      case 'search': {
        const eq = v.indexOf('=');
        const kind = eq < 0 ? 'all' : v.slice(0, eq);
        searchDirs.push({ kind, path: eq < 0 ? v : v.slice(eq + 1) });
        pathAt = eq + 1;
        break;
      }
      case 'native-lib': {
        // [KIND[:MODIFIERS]=]NAME[:RENAME]
        const eq = v.indexOf('=');
        const [kind = 'dylib', modifiers = ''] = eq < 0 ? [] : v.slice(0, eq).split(':');
        const name = (eq < 0 ? v : v.slice(eq + 1)).split(':')[0]!;
        nativeLibs.push({ kind, name, verbatim: modifiers.split(',').includes('+verbatim') });
        break;
      }
      case 'extern': {
        // [modifiers:]name[=path]
        const eq = v.indexOf('=');
        const spec = eq < 0 ? v : v.slice(0, eq);
        const name = spec.slice(spec.lastIndexOf(':') + 1);
        externs.push({ name, path: eq < 0 ? undefined : v.slice(eq + 1) });
        if (eq >= 0) pathAt = eq + 1;
        break;
      }
      case 'target':
        if (v.endsWith('.json')) return uncacheable('target-spec-file', v);
        target = v;
        break;
      case 'test':
        test = true;
        break;
      case 'key':
      case 'probe':
      case 'print':
        break;
    }
    if (run) {
      // The value ends the option's last word (`--out-dir=D`, `-LD`, or a word of its own).
      const last = o.words[o.words.length - 1];
      if (pathAt !== undefined && last !== undefined) keyPaths.push({ arg: runArgs.length + o.words.length - 1, start: last.length - v.length + pathAt });
      runArgs.push(...o.words);
    }
    if (scanToo) scanArgs.push(...o.words);
  }
  if (crateName === undefined) return uncacheable('no-crate-name', source);
  if (crateTypes.length === 0 && !test) return uncacheable('no-crate-type', source);
  if (test) crateTypes.splice(0, crateTypes.length, 'bin');
  if (emits.size === 0) emits.set('link', undefined);
  if (emits.get('link') !== undefined && crateTypes.length > 1) return uncacheable('output-file', `--emit=link=${emits.get('link')}`);
  const links = emits.has('link') && crateTypes.some((t) => t === 'bin' || t === 'dylib' || t === 'cdylib' || t === 'proc-macro');

  const outputs = rustOutputs({ crateName, extraFilename, crateTypes, emits, outDir });
  return { kind: 'compile', job: { crateName, crateTypes, source, outputs, runArgs, scanArgs, keyArgs: runArgs, keyPaths, externs, searchDirs, nativeLibs, nativeCpu, target, links, linker } };
}
