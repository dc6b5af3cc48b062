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
