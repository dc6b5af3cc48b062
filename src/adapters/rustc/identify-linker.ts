import { execFile } from 'node:child_process';
import { existsSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { toolchainFiles } from '../../exec/toolchain-files.js';
import type { FileDigestCache } from '../../hashing/file-digest-cache.js';
import { findRealTool } from '../../runtime/find-real-tool.js';
import { identifyGcc } from '../gcc/identify-gcc.js';

/** The C driver rustc links through, identified for the key and laid out for the sandbox. */
export interface LinkerIdentity {
  /** The driver as found (the caller's PATH, the reprise shims skipped). */
  path: string;
  /** Content digests of the driver, the programs it runs (collect2, ld) and the linker plugin. */
  parts: Array<{ name: string; path: string; digest: string }>;
  /** What the sandbox shows for a link: the driver's toolchain, ld and its libraries, and the default library directories. */
  files: string[];
}

/** Library directories too broad to show whole: the multiarch and gcc directories below them are shown instead. */
const TOO_BROAD = new Set(['/', '/lib', '/usr/lib', '/usr', '/usr/local/lib']);

/**
 * Identifies the linker driver (`cc`, or -C linker) of a compile that links. The key gets
 * the digests of what decides how a link is done; the files it links (crt objects, libc,
 * libgcc) are learned from the linker's own dependency file and keyed per result.
 */
export async function identifyLinker(name: string, env: NodeJS.ProcessEnv, files: FileDigestCache<unknown>): Promise<LinkerIdentity> {
  const path = name.includes('/') ? resolve(name) : findRealTool(name, env.PATH ?? '');
  if (!path) throw new Error(`no ${name} on PATH`);
  const parts = (await identifyGcc(path, env, files)).parts.map((p) => ({ ...p }));
  const extra: string[] = [];
  for (const prog of ['collect2', 'ld', 'liblto_plugin.so']) {
    const named = await print(path, [`-print-prog-name=${prog}`], env);
    const found = isAbsolute(named) ? named : named === '' ? undefined : findRealTool(named, env.PATH ?? '');
    if (!found || !existsSync(found)) continue;
    const real = realpathSync(found);
    const d = await files.digest(real);
    if (d) parts.push({ name: prog, path: real, digest: d.digest.hash });
    extra.push(found);
  }
  const toolchain = await toolchainFiles({ toolPath: path, programs: parts.map((p) => ({ name: p.name, path: p.path })), env });
  const libraries = (/^libraries: =?(.*)$/m.exec(await print(path, ['-print-search-dirs'], env))?.[1] ?? '')
    .split(':').filter((d) => d !== '' && isAbsolute(d)).map((d) => resolve(d))
    .filter((d) => !TOO_BROAD.has(d) && isDir(d));
  return { path, parts, files: [...new Set([...toolchain, ...extra, ...libraries, ...(existsSync('/lib64') ? ['/lib64'] : [])])] };
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function print(tool: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((done) => {
    execFile(tool, args, { env, timeout: 10_000 }, (err, stdout) => done(err ? '' : stdout.trim()));
  });
}
