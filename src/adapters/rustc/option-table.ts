/**
 * What each rustc option does to a compile, as data (ccache's flag words are the model).
 * Roles the parser acts on:
 *   probe       prints something and exits without compiling (--version, --help, --explain)
 *   print       --print: a probe, unless it rides along a compile (native-static-libs, link-args)
 *   key         changes the outputs or the diagnostics: kept in the key as given
 *   crate-name, crate-type, emit, codegen, out-dir, output, search, native-lib, extern, target, sysroot:
 *               key arguments the parser also reads
 *   unstable    -Z: uncacheable
 * `value`: the option takes a value (`--opt v`, `--opt=v`; short ones also `-Xv`).
 */
export type RustOptionRole =
  | 'probe' | 'print' | 'key' | 'crate-name' | 'crate-type' | 'emit' | 'codegen' | 'out-dir' | 'output'
  | 'search' | 'native-lib' | 'extern' | 'target' | 'sysroot' | 'unstable' | 'test';

export interface RustOption {
  role: RustOptionRole;
  value: boolean;
}

const opt = (role: RustOptionRole, value: boolean): RustOption => ({ role, value });

/** Long options, without the leading `--`. */
export const LONG_OPTIONS: ReadonlyMap<string, RustOption> = new Map([
  ['help', opt('probe', false)],
  ['version', opt('probe', false)],
  ['explain', opt('probe', true)],
  ['print', opt('print', true)],
  ['verbose', opt('key', false)],
  ['cfg', opt('key', true)],
  ['check-cfg', opt('key', true)],
  ['crate-name', opt('crate-name', true)],
  ['crate-type', opt('crate-type', true)],
  ['edition', opt('key', true)],
  ['emit', opt('emit', true)],
  ['codegen', opt('codegen', true)],
  ['out-dir', opt('out-dir', true)],
  ['extern', opt('extern', true)],
  ['target', opt('target', true)],
  ['sysroot', opt('sysroot', true)],
  ['test', opt('test', false)],
  ['cap-lints', opt('key', true)],
  ['allow', opt('key', true)],
  ['warn', opt('key', true)],
  ['force-warn', opt('key', true)],
  ['deny', opt('key', true)],
  ['forbid', opt('key', true)],
  ['error-format', opt('key', true)],
  ['json', opt('key', true)],
  ['color', opt('key', true)],
  ['diagnostic-width', opt('key', true)],
  ['remap-path-prefix', opt('key', true)],
  ['env-set', opt('unstable', true)],
]);

/** Short options, by their letter. */
export const SHORT_OPTIONS: ReadonlyMap<string, RustOption> = new Map([
  ['h', opt('probe', false)],
  ['V', opt('probe', false)],
  ['v', opt('key', false)],
  ['g', opt('key', false)],
  ['O', opt('key', false)],
  ['C', opt('codegen', true)],
  ['L', opt('search', true)],
  ['l', opt('native-lib', true)],
  ['o', opt('output', true)],
  ['A', opt('key', true)],
  ['W', opt('key', true)],
  ['D', opt('key', true)],
  ['F', opt('key', true)],
  ['Z', opt('unstable', true)],
]);

/** `--print` requests rustc answers while it compiles: with a source they are part of a compile we do not replay. */
export const PRINT_DURING_COMPILE = new Set(['native-static-libs', 'link-args']);
