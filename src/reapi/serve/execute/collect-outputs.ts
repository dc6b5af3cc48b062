import { lstat, readdir, readFile, readlink, realpath } from 'node:fs/promises';
import { dirname, join, posix, sep } from 'node:path';
import { digestBytes } from '../../../hashing/create-hasher.js';
import type { Digest } from '../../../hashing/types.js';
import { encodeReapiMessage } from '../../load-reapi-protos.js';
import type { Command, Directory, Outgoing, WireActionResult } from '../../types.js';
import { toWireDigest } from '../../wire-digest.js';
import type { ServeStore } from '../types.js';

type Result = Outgoing<WireActionResult>;

/**
 * The Command's outputs after it ran, into the CAS and an ActionResult: output files, output
 * directories as Tree messages, symlinks as symlinks (never followed: the server reads outside
 * the sandbox, and an action must not make it read a host file), and with `output_paths`
 * (REAPI 2.1) whatever each path turned out to be. Paths are relative to the working directory;
 * one that is absent is left out, as REAPI says. A path whose parent resolves outside the root
 * (a directory replaced by a symlink) is left out too. `contents` gets each output file's bytes
 * by its path (for inlining in the response).
 */
export async function collectOutputs(store: ServeStore, root: string, command: Command, contents?: Map<string, Buffer>): Promise<Pick<Result, 'outputFiles' | 'outputDirectories' | 'outputFileSymlinks' | 'outputDirectorySymlinks' | 'outputSymlinks'>> {
  const cwd = join(root, command.workingDirectory);
  const out = {
    outputFiles: [] as NonNullable<Result['outputFiles']>,
    outputDirectories: [] as NonNullable<Result['outputDirectories']>,
    outputFileSymlinks: [] as NonNullable<Result['outputFileSymlinks']>,
    outputDirectorySymlinks: [] as NonNullable<Result['outputDirectorySymlinks']>,
    outputSymlinks: [] as NonNullable<Result['outputSymlinks']>,
  };
  const put = async (data: Buffer): Promise<Digest> => {
    const d = digestBytes('sha256', data);
    await store.putBlob(d, data);
    return d;
  };
  let rootReal: Promise<string> | undefined;
  const inside = async (rel: string): Promise<string | undefined> => {
    const path = join(cwd, rel);
    try {
      const parent = await realpath(dirname(path));
      const realRoot = await (rootReal ??= realpath(root));
      return parent === realRoot || parent.startsWith(realRoot + sep) ? path : undefined;
    } catch {
      return undefined;
    }
  };
  const paths = command.outputPaths.length > 0
    ? command.outputPaths.map((p) => ({ p, as: 'any' as const }))
    : [...command.outputFiles.map((p) => ({ p, as: 'file' as const })), ...command.outputDirectories.map((p) => ({ p, as: 'dir' as const }))];
  for (const { p, as } of paths) {
    const path = await inside(p);
    if (!path) continue;
    const st = await lstat(path).catch(() => undefined);
    if (!st) continue;
    if (st.isSymbolicLink()) {
      const link = { path: p, target: await readlink(path) };
      if (as === 'any') out.outputSymlinks.push(link);
      else if (as === 'file') out.outputFileSymlinks.push(link);
      else out.outputDirectorySymlinks.push(link);
    } else if (st.isFile() && as !== 'dir') {
      const data = await readFile(path);
      contents?.set(p, data);
      out.outputFiles.push({ path: p, digest: toWireDigest(await put(data)), isExecutable: (st.mode & 0o111) !== 0 });
    } else if (st.isDirectory() && as !== 'file') {
      out.outputDirectories.push({ path: p, treeDigest: toWireDigest(await put(await buildTree(path, put))) });
    }
  }
  return out;
}

/** A directory as an encoded Tree: its root Directory and every descendant's, children deduplicated. */
async function buildTree(dir: string, put: (data: Buffer) => Promise<Digest>): Promise<Buffer> {
  const children = new Map<string, Outgoing<Directory>>();
  const walk = async (at: string): Promise<Outgoing<Directory>> => {
    const names = (await readdir(at)).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    const d = { files: [] as NonNullable<Outgoing<Directory>['files']>, directories: [] as NonNullable<Outgoing<Directory>['directories']>, symlinks: [] as NonNullable<Outgoing<Directory>['symlinks']> };
    for (const name of names) {
      const path = posix.join(at, name);
      const st = await lstat(path);
      if (st.isSymbolicLink()) d.symlinks.push({ name, target: await readlink(path) });
      else if (st.isFile()) d.files.push({ name, digest: toWireDigest(await put(await readFile(path))), isExecutable: (st.mode & 0o111) !== 0 });
      else if (st.isDirectory()) {
        const sub = await walk(path);
        const bytes = encodeReapiMessage('build.bazel.remote.execution.v2.Directory', sub);
        const digest = digestBytes('sha256', bytes);
        children.set(digest.hash, sub);
        d.directories.push({ name, digest: toWireDigest(digest) });
      }
    }
    return d;
  };
  const root = await walk(dir);
  return encodeReapiMessage('build.bazel.remote.execution.v2.Tree', { root, children: [...children.values()] });
}
