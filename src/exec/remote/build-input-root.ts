// A REAPI input root as a Merkle tree of Directory messages in canonical form: every
// directory's files and subdirectories sorted by name (UTF-8 byte order, which is code-point
// order), each child directory named by the digest of its own encoded Directory, so that every
// client that lays out the same files computes the same root digest, and so the same action
// digest. Symlinks are not used: a host symlink is given as the file it points to (the
// toolchain's /usr/bin/gcc -> gcc-12 is a regular file at usr/bin/gcc), which every REAPI
// server accepts (Bazel's worker refuses absolute symlinks).
import { LRUCache } from 'lru-cache';
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
    const files = sortedNames(dir.files).map((name) => ({ name, file: dir.files.get(name)! }));
    const subdirs = sortedNames(dir.dirs).map((name) => ({ name, digest: encode(dir.dirs.get(name)!) }));
    // Everything the message holds, in its order: the toolchain's directories recur in every action, encoded once.
    const key = `${algorithm}\0${files.map(({ name, file: f }) => `${name}\0${f.digest.hash}\0${f.digest.size}\0${f.isExecutable ? 1 : 0}`).join('\0')}\0/\0${subdirs.map((d) => `${d.name}\0${d.digest.hash}\0${d.digest.size}`).join('\0')}`;
    let known = encoded.get(key);
    if (!known) {
      const message: Outgoing<Directory> = {
        files: files.map(({ name, file: f }) => ({ name, digest: toWireDigest(f.digest), isExecutable: f.isExecutable })),
        directories: subdirs.map((d) => ({ name: d.name, digest: toWireDigest(d.digest) })),
      };
      const data = encodeReapiMessage('build.bazel.remote.execution.v2.Directory', message);
      encoded.set(key, (known = { digest: digestBytes(algorithm, data), data }));
    }
    directories.set(known.digest.hash, known);
    return known.digest;
  };
  return { digest: encode(root), directories, files: blobs, fileCount, totalBytes };
}

/** Encoded Directory messages by what they hold. */
const encoded = new LRUCache<string, { digest: Digest; data: Buffer }>({ max: 20_000 });

/** REAPI's order: by name, compared as UTF-8 bytes (each name encoded once, not once per comparison); ASCII names compare so as strings. */
function sortedNames(m: Map<string, unknown>): string[] {
  const names = [...m.keys()];
  if (names.every((n) => /^[\x00-\x7f]*$/.test(n))) return names.sort();
  return names
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
