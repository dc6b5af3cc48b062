// A REAPI input root as a Merkle tree of Directory messages in canonical form: every
// directory's files and subdirectories sorted by name (UTF-8 byte order, which is code-point
// order), each child directory named by the digest of its own encoded Directory, so that every
// client that lays out the same files computes the same root digest, and so the same action
// digest. Symlinks are not used: a host symlink is given as the file it points to (the
// toolchain's /usr/bin/gcc -> gcc-12 is a regular file at usr/bin/gcc), which every REAPI
// server accepts (Bazel's worker refuses absolute symlinks).
import { digestBytes } from '../../hashing/create-hasher.js';
import type { Digest, DigestAlgorithm } from '../../hashing/types.js';
import { encodeReapiMessage } from '../../reapi/load-reapi-protos.js';
import type { Directory, Outgoing } from '../../reapi/types.js';
import { toWireDigest } from '../../reapi/wire-digest.js';
import type { InputFile, InputRoot } from './types.js';

/** A path the tree cannot hold, or one path given twice with different contents. */
export class InputRootError extends Error {
  override readonly name = 'InputRootError';
}

interface Dir {
  files: Map<string, InputFile>;
  dirs: Map<string, Dir>;
}

/** The canonical tree of `files` (any order; the same file listed twice is one entry), and of `dirs` (paths in the root) as directories, empty unless files lie in them. */
export function buildInputRoot(files: Iterable<InputFile>, algorithm: DigestAlgorithm, dirs: Iterable<string> = []): InputRoot {
  const root: Dir = { files: new Map(), dirs: new Map() };
  // The directory at `parts`, made on the way; `under` names the path it is for in an error.
  const descend = (parts: readonly string[], under: string): Dir => {
    let dir = root;
    for (const [i, part] of parts.entries()) {
      if (dir.files.has(part)) throw new InputRootError(`${parts.slice(0, i + 1).join('/')} is both a file and a directory (under ${under})`);
      let next = dir.dirs.get(part);
      if (!next) dir.dirs.set(part, (next = { files: new Map(), dirs: new Map() }));
      dir = next;
    }
    return dir;
  };
  for (const d of dirs) descend(splitPath(d), d);
  let fileCount = 0;
  let totalBytes = 0;
  const blobs: InputRoot['files'] = new Map();
  for (const f of files) {
    const parts = splitPath(f.path);
    const name = parts.pop()!;
    const dir = descend(parts, f.path);
    if (dir.dirs.has(name)) throw new InputRootError(`${f.path} is both a file and a directory`);
    const known = dir.files.get(name);
    if (known) {
      if (known.digest.hash !== f.digest.hash || known.digest.size !== f.digest.size || known.isExecutable !== f.isExecutable) {
        throw new InputRootError(`${f.path} is given twice, with different contents or modes`);
      }
      continue;
    }
    dir.files.set(name, f);
    fileCount++;
    totalBytes += f.digest.size;
    if (!blobs.has(f.digest.hash)) blobs.set(f.digest.hash, { digest: f.digest, source: f.source });
  }
  const directories: InputRoot['directories'] = new Map();
  const encode = (dir: Dir): Digest => {
    const message: Outgoing<Directory> = {
      files: sortedNames(dir.files).map((name) => {
        const f = dir.files.get(name)!;
        return { name, digest: toWireDigest(f.digest), isExecutable: f.isExecutable };
      }),
      directories: sortedNames(dir.dirs).map((name) => ({ name, digest: toWireDigest(encode(dir.dirs.get(name)!)) })),
    };
    const data = encodeReapiMessage('build.bazel.remote.execution.v2.Directory', message);
    const digest = digestBytes(algorithm, data);
    directories.set(digest.hash, { digest, data });
    return digest;
  };
  return { digest: encode(root), directories, files: blobs, fileCount, totalBytes };
}

/** REAPI's order: by name, compared as UTF-8 bytes (each name encoded once, not once per comparison). */
function sortedNames(m: Map<string, unknown>): string[] {
  return [...m.keys()]
    .map((name) => ({ name, bytes: Buffer.from(name, 'utf8') }))
    .sort((a, b) => Buffer.compare(a.bytes, b.bytes))
    .map((e) => e.name);
}

/** The components of a root-relative path; no empty, "." or ".." component, no leading slash. */
function splitPath(path: string): string[] {
  const parts = path.split('/');
  if (path === '' || parts.some((p) => p === '' || p === '.' || p === '..' || p.includes('\0'))) {
    throw new InputRootError(`not a root-relative path: ${JSON.stringify(path)}`);
  }
  return parts;
}
