import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, isAbsolute } from 'node:path';
import { readHead } from './read-head.js';

/** What a gcc-like toolchain needs to run a compile, as identify-gcc found its parts. */
export interface ToolchainQuery {
  toolPath: string;
  /** The driver and the programs it runs (absolute: identify-gcc looked bare names up on PATH). */
  programs: ReadonlyArray<{ name: string; path: string }>;
  env: NodeJS.ProcessEnv;
}

/** Files every dynamically linked program may read before main. */
const LOADER_FILES = ['/etc/ld.so.cache', '/etc/ld.so.preload'];
/** Read for messages and character sets when the locale asks for them. */
const LOCALE_DIRS = ['/usr/lib/locale', '/usr/share/locale', '/usr/lib/x86_64-linux-gnu/gconv', '/usr/lib/aarch64-linux-gnu/gconv'];

/**
 * The toolchain's own files, shown read-only in the sandbox: the driver and its programs
 * with their shared libraries (`ldd`), the compiler's private directory (gcc's libexec dir,
 * which clang also looks for to find a GCC installation; clang's resource dir), the
 * loader's cache and the locale data. Headers are not among them: those are inputs.
 */
export async function toolchainFiles(q: ToolchainQuery): Promise<string[]> {
  const env = q.env;
  const programs = [q.toolPath];
  for (const p of q.programs) programs.push(p.path);
  // A driver that is a script (a wrapper) needs its interpreter, and the driver it runs,
  // which gcc names as COLLECT_GCC in its -v output.
  const interpreter = shebang(q.toolPath);
  if (interpreter) {
    programs.push(interpreter);
    const collect = /^COLLECT_GCC=(\/\S+)$/m.exec(await outputOf(q.toolPath, ['-v'], env, true));
    if (collect) programs.push(collect[1]!);
  }
  const out = new Set<string>(programs);
  for (const p of programs) for (const lib of await sharedLibraries(p)) out.add(lib);
  const libgcc = await firstLine(q.toolPath, ['-print-libgcc-file-name'], env);
  if (libgcc && isAbsolute(libgcc)) out.add(dirname(libgcc));
  const resource = await firstLine(q.toolPath, ['-print-resource-dir'], env);
  if (resource && isAbsolute(resource)) out.add(resource);
  for (const f of [...LOADER_FILES, ...LOCALE_DIRS]) if (existsSync(f)) out.add(f);
  return [...out];
}

/** Absolute paths from `ldd` (the interpreter included); none for a static or non-ELF program. */
export async function sharedLibraries(program: string): Promise<string[]> {
  const text = await outputOf('ldd', [program], process.env);
  const libs: string[] = [];
  for (const line of text.split('\n')) {
    const m = /(?:=>\s*)?(\/\S+)\s+\(0x[0-9a-f]+\)/.exec(line);
    if (m) libs.push(m[1]!);
  }
  return libs;
}

async function firstLine(tool: string, args: string[], env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const text = await outputOf(tool, args, env);
  return text.split('\n')[0]?.trim() || undefined;
}

/** The interpreter a `#!` line names, if the file is a script. */
export function shebang(path: string): string | undefined {
  const head = readHead(path, 256);
  return head && /^#!\s*(\/\S+)/.exec(head.toString('latin1'))?.[1];
}

/** A command's stdout (empty when it fails), or its stderr (`stderr`). */
export function outputOf(cmd: string, args: string[], env: NodeJS.ProcessEnv, stderr = false): Promise<string> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env, timeout: 10_000 }, (err, stdout, errText) => resolve(stderr ? errText : err ? '' : stdout));
  });
}
