import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeSettled } from './write-settled.js';

/**
 * A small offline cargo workspace (path dependencies only, no registry): `base` (a library
 * with include_str! and env!), `mid` (a library over base with option_env!), and `app` (a
 * program over mid). Edition 2018: Debian's cargo and rustc 1.63 build it as well.
 */
export function writeRustWorkspace(dir: string): void {
  const w = (name: string, content: string): void => writeSettled(dir, name, content);
  w('Cargo.toml', '[workspace]\nmembers = ["base", "mid", "app"]\n');
  w('base/Cargo.toml', '[package]\nname = "base"\nversion = "0.1.0"\nedition = "2018"\n');
  w('base/data.txt', 'hello from data');
  w('base/src/lib.rs', 'pub const DATA: &str = include_str!("../data.txt");\npub fn name() -> &\'static str { env!("CARGO_PKG_NAME") }\npub fn add(a: u32, b: u32) -> u32 { a + b }\n');
  w('mid/Cargo.toml', '[package]\nname = "mid"\nversion = "0.1.0"\nedition = "2018"\n[dependencies]\nbase = { path = "../base" }\n');
  w('mid/src/lib.rs', 'mod extra;\npub fn flavour() -> &\'static str { option_env!("REPRISE_TEST_FLAVOUR").unwrap_or("plain") }\npub fn total() -> u32 { base::add(extra::TWO, 40) }\npub fn data() -> &\'static str { base::DATA }\n');
  w('mid/src/extra.rs', 'pub const TWO: u32 = 2;\n');
  w('app/Cargo.toml', '[package]\nname = "app"\nversion = "0.1.0"\nedition = "2018"\n[dependencies]\nmid = { path = "../mid" }\n');
  w('app/src/main.rs', 'fn main() { println!("{} {} {}", mid::total(), mid::flavour(), mid::data()); }\n');
}

/** Every rlib and rmeta under target/debug/deps, as name → bytes. */
export function rustLibraries(dir: string): Map<string, Buffer> {
  const deps = join(dir, 'target', 'debug', 'deps');
  const out = new Map<string, Buffer>();
  for (const f of readdirSync(deps).sort()) if (f.endsWith('.rlib') || f.endsWith('.rmeta')) out.set(f, readFileSync(join(deps, f)));
  return out;
}

/** Cargo's source replacement to Debian's packaged crates, offline (as ../shared/corpora/rust-ripgrep.sh writes it). */
export const DEBIAN_CRATES_CONFIG = '[source.crates-io]\nreplace-with = "debian-packages"\n\n[source.debian-packages]\ndirectory = "/usr/share/cargo/registry"\n\n[net]\noffline = true\n';

/**
 * A workspace with native code, over Debian's packaged `cc` crate (librust-cc-dev), offline:
 * `native` (a library whose build script compiles twice.c through `cc` into a static
 * library, and sets NATIVE_FLAVOUR for `env!`), `cdy` (a cdylib over it), `stat` (a
 * staticlib over it) and `app` (a program printing `42 crunchy 0.3.1`). Edition 2018.
 */
export function writeNativeWorkspace(dir: string): void {
  const w = (name: string, content: string): void => writeSettled(dir, name, content);
  w('Cargo.toml', '[workspace]\nmembers = ["native", "cdy", "stat", "app"]\n');
  w('.cargo/config.toml', DEBIAN_CRATES_CONFIG);
  const pkg = (name: string, extra: string): string => `[package]\nname = "${name}"\nversion = "0.3.1"\nedition = "2018"\n${extra}`;
  w('native/Cargo.toml', pkg('native', '[build-dependencies]\ncc = "1"\n'));
  w('native/build.rs', 'fn main() {\n    cc::Build::new().file("src/twice.c").compile("twice");\n    println!("cargo:rustc-env=NATIVE_FLAVOUR=crunchy");\n    println!("cargo:rerun-if-changed=src/twice.c");\n}\n');
  w('native/src/twice.c', 'int native_twice(int x) { return 2 * x; }\n');
  w('native/src/lib.rs', 'extern "C" { fn native_twice(x: i32) -> i32; }\npub fn twice(x: i32) -> i32 { unsafe { native_twice(x) } }\npub const FLAVOUR: &str = env!("NATIVE_FLAVOUR");\npub const VERSION: &str = env!("CARGO_PKG_VERSION");\n');
  const dep = '[dependencies]\nnative = { path = "../native" }\n';
  w('cdy/Cargo.toml', pkg('cdy', `[lib]\ncrate-type = ["cdylib"]\n${dep}`));
  w('cdy/src/lib.rs', '#[no_mangle]\npub extern "C" fn cdy_twice(x: i32) -> i32 { native::twice(x) }\n');
  w('stat/Cargo.toml', pkg('stat', `[lib]\ncrate-type = ["staticlib"]\n${dep}`));
  w('stat/src/lib.rs', '#[no_mangle]\npub extern "C" fn stat_twice(x: i32) -> i32 { native::twice(x) }\n');
  w('app/Cargo.toml', pkg('app', dep));
  w('app/src/main.rs', 'fn main() { println!("{} {} {}", native::twice(21), native::FLAVOUR, native::VERSION); }\n');
}
