// The differential fuzzer for rustc with cargo (issue 15): a workspace with a library whose
// module lives in `m.rs`, `m/mod.rs` or both, an include_str! file, an option_env!
// variable, a proc-macro that reads a file and a variable, and a program whose build
// script generates code into OUT_DIR. Each step makes one random edit, then builds with
// bare cargo and through reprise (each in its own target directory, so cargo takes the
// same decisions for both), and compares exit codes, the compiler's messages and what the
// program prints. A difference stops the run with its seed and a replay script.
import { existsSync, mkdirSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { run, type RunResult } from '../helpers/run.js';
import type { Workspace } from '../helpers/workspace.js';
import type { FuzzResult } from './c-fuzz.js';
import { createRandom } from './random.js';
import { createFuzzFiles } from './fuzz-files.js';
import { createReplayLog, sh } from './replay-log.js';

const EDITS = {
  'module-file': 5,
  'module-body': 3,
  'include-str': 3,
  'option-env': 2,
  'proc-macro-file': 2,
  'proc-macro-env': 2,
  'build-script-input': 2,
  'touch': 1,
  'none': 2,
} as const;
type Edit = keyof typeof EDITS;

/** Runs `steps` steps from `seed` in `ws.dir`/rust-fuzz-SEED; stops at the first difference. */
export async function runRustFuzz(ws: Workspace, opts: { steps: number; seed: number; onStep?: (n: number) => void }): Promise<FuzzResult> {
  const rnd = createRandom(opts.seed);
  const root = join(ws.dir, `rust-fuzz-${opts.seed}`);
  const log = createReplayLog();
  const { at, write, remove } = createFuzzFiles(root, log);
  const env: Record<string, string> = {};
  let compiles = 0;

  mkdirSync(root, { recursive: true });
  log.step(0);
  log.add(`mkdir -p ${sh(root)} && cd ${sh(root)}`);
  write('Cargo.toml', '[workspace]\nmembers = ["lib", "pm", "app"]\nresolver = "2"\n');
  write('lib/Cargo.toml', '[package]\nname = "lib"\nversion = "0.1.0"\nedition = "2018"\n');
  write('lib/src/lib.rs', 'mod m;\npub fn v() -> String { format!("{} [{}] {}", m::f(), include_str!("../inc.txt").trim(), option_env!("FUZZ_OPT").unwrap_or("-")) }\n');
  write('lib/src/m.rs', 'pub fn f() -> u32 { 0 }\n');
  write('lib/inc.txt', 'inc-0');
  write('pm/Cargo.toml', '[package]\nname = "pm"\nversion = "0.1.0"\nedition = "2018"\n[lib]\nproc-macro = true\n');
  write('pm/src/lib.rs', [
    'extern crate proc_macro;',
    'use proc_macro::TokenStream;',
    '#[proc_macro]',
    'pub fn pmval(_: TokenStream) -> TokenStream {',
    '    let file = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/pm.txt")).unwrap_or_default();',
    '    let var = std::env::var("FUZZ_PM").unwrap_or_default();',
    '    format!("{:?}", format!("{} {}", file.trim(), var)).parse().unwrap()',
    '}', '',
  ].join('\n'));
  write('pm/pm.txt', 'pm-0');
  write('app/Cargo.toml', '[package]\nname = "app"\nversion = "0.1.0"\nedition = "2018"\n[dependencies]\nlib = { path = "../lib" }\npm = { path = "../pm" }\n');
  write('app/build.rs', 'fn main() {\n    println!("cargo:rerun-if-changed=gen.in");\n    let v = std::fs::read_to_string("gen.in").unwrap_or_default();\n    let out = std::env::var("OUT_DIR").unwrap();\n    std::fs::write(format!("{}/gen.rs", out), format!("{:?}", v.trim())).unwrap();\n}\n');
  write('app/gen.in', 'gen-0');
  write('app/src/main.rs', 'fn main() { println!("{} | {} | {}", lib::v(), pm::pmval!(), include!(concat!(env!("OUT_DIR"), "/gen.rs"))); }\n');

  for (let step = 1; step <= opts.steps; step++) {
    opts.onStep?.(step);
    log.step(step);
    const edit = rnd.weighted<Edit>(EDITS);
    applyEdit(edit);
    const diff = await buildBoth();
    compiles++;
    if (diff) return { steps: step, compiles, failure: { step, what: `${edit}: ${diff}`, script: log.script(`seed ${opts.seed}, step ${step}: ${diff}`) } };
  }
  return { steps: opts.steps, compiles };

  function applyEdit(edit: Edit): void {
    const n = rnd.int(10);
    switch (edit) {
      case 'module-file': {
        // m.rs, m/mod.rs, or both (rustc's E0761); never neither.
        const which = rnd.int(3);
        if (which !== 1) write('lib/src/m.rs', `pub fn f() -> u32 { ${n} }\n`);
        else if (existsSync(at('lib/src/m.rs'))) remove('lib/src/m.rs');
        if (which !== 0) write('lib/src/m/mod.rs', `pub fn f() -> u32 { ${100 + n} }\n`);
        else if (existsSync(at('lib/src/m'))) remove('lib/src/m');
        return;
      }
      case 'module-body':
        write(existsSync(at('lib/src/m.rs')) ? 'lib/src/m.rs' : 'lib/src/m/mod.rs', `pub fn f() -> u32 { ${200 + n} }\n`);
        return;
      case 'include-str':
        write('lib/inc.txt', `inc-${n}`);
        return;
      case 'option-env':
        if (rnd.chance(0.5)) delete env.FUZZ_OPT;
        else env.FUZZ_OPT = `opt-${n}`;
        log.add(`# FUZZ_OPT=${env.FUZZ_OPT ?? '(unset)'}`);
        return;
      case 'proc-macro-file':
        write('pm/pm.txt', `pm-${n}`);
        return;
      case 'proc-macro-env':
        if (rnd.chance(0.5)) delete env.FUZZ_PM;
        else env.FUZZ_PM = `var-${n}`;
        log.add(`# FUZZ_PM=${env.FUZZ_PM ?? '(unset)'}`);
        return;
      case 'build-script-input':
        write('app/gen.in', `gen-${n}`);
        return;
      case 'touch': {
        const p = rnd.pick(['lib/src/lib.rs', 'app/src/main.rs', 'pm/src/lib.rs'] as const);
        const now = new Date();
        utimesSync(at(p), now, now);
        log.add(`touch ${p}`);
        return;
      }
      case 'none':
        return;
    }
  }

  async function buildBoth(): Promise<string | undefined> {
    const once = async (base: NodeJS.ProcessEnv, target: string): Promise<{ r: RunResult; out?: string }> => {
      const r = await run('cargo', ['build', '-q', '--offline', '-j2'], { cwd: root, env: { ...base, ...env, CARGO_TARGET_DIR: at(target), CARGO_TERM_COLOR: 'never' } });
      if (r.code !== 0) return { r };
      const p = await run(at(`${target}/debug/app`), [], { cwd: root });
      return { r, out: `${p.code} ${p.stdout.toString()}` };
    };
    const bare = await once(ws.bareEnv, 'target-bare');
    const got = await once(ws.env, 'target-reprise');
    log.add(`${Object.entries(env).map(([k, v]) => `${k}=${sh(v)} `).join('')}cargo build -q --offline   # bare into target-bare, through reprise into target-reprise, and compared`);
    const norm = (b: Buffer, target: string): string => b.toString().replaceAll(at(target), '<target>');
    if (bare.r.code !== got.r.code) return `cargo exit ${got.r.code}, bare ${bare.r.code}\n${got.r.stderr}\n--- bare:\n${bare.r.stderr}`;
    if (norm(bare.r.stderr, 'target-bare') !== norm(got.r.stderr, 'target-reprise')) return `messages differ:\n${got.r.stderr}\n--- bare:\n${bare.r.stderr}`;
    if (bare.out !== got.out) return `the program printed ${JSON.stringify(got.out)}, bare ${JSON.stringify(bare.out)}`;
    return undefined;
  }
}
