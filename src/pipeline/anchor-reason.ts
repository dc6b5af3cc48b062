import { readFile } from 'node:fs/promises';
import { LRUCache } from 'lru-cache';
import { digestBytes } from '../hashing/create-hasher.js';
import type { DigestAlgorithm } from '../hashing/types.js';
import type { KeyRebase } from './rebase-key-paths.js';

export interface AnchorCheck {
  algorithm: DigestAlgorithm;
  baseDir: string;
  rebase: KeyRebase;
  /** Every path of the manifest entry, stored. */
  stored: Iterable<string>;
  /** Values of the environment variables in the key. */
  envValues: Iterable<string>;
  /** The files the compile read (absolute) with the digests recorded for them. */
  inputs: ReadonlyArray<{ path: string; digest: string }>;
  /** The outputs other than the depfile, and stdout and stderr. */
  outputs: readonly Buffer[];
  /** Why a file-name expansion may spell a path under the base dir (expanded-file-names.ts), or undefined. */
  fileNames(baseDir: string): Promise<string | undefined>;
}

/**
 * Whether bytes of a given digest name a base dir, by algorithm, digest and base dir: a fact
 * about content, so a header every compile of a build reads is read and hashed once, not once
 * per stored compile.
 */
const namesBaseDir = new LRUCache<string, boolean>({ max: 50_000 });

/**
 * Why the result of a compile whose key spells paths from $PWD may still depend on where
 * its checkout is, so that its entry must serve only its own directories; undefined when
 * it may serve any checkout. The key spells a path from $PWD only where the adapter saw
 * no way for its absolute spelling to reach an output; these checks catch what the
 * arguments do not show: `__FILE__` expanded in a file found under a rebased path (the
 * preprocessor's output says, as a scan of the files cannot), a source or argument that
 * names the checkout literally, a diagnostic quoting a path, a path under the base dir
 * that the key holds as it is.
 */
export async function anchorReason(x: AnchorCheck): Promise<string | undefined> {
  if (!x.rebase.any) return undefined;
  for (const s of x.stored) if (s === x.baseDir || s.startsWith(`${x.baseDir}/`)) return `${s} is under the base dir but keyed as it is`;
  if (x.rebase.display.some((a) => a.includes(x.baseDir))) return 'an argument names the base dir';
  for (const v of x.envValues) if (v.includes(x.baseDir)) return 'an environment variable names the base dir';
  if (x.outputs.some((o) => o.includes(x.baseDir))) return 'an output or a diagnostic names the base dir';
  if (x.rebase.fileMacro) {
    const why = await x.fileNames(x.baseDir);
    if (why) return why;
  }
  // After the preprocessor's run, so that it saw these bytes too.
  for (const i of x.inputs) {
    const memo = `${x.algorithm}\0${i.digest}\0${x.baseDir}`;
    let names = namesBaseDir.get(memo);
    if (names === undefined) {
      let data: Buffer;
      try {
        data = await readFile(i.path);
      } catch {
        return `${i.path} vanished`;
      }
      // What we read must be what the compiler read: the digest says so.
      if (digestBytes(x.algorithm, data).hash !== i.digest) return `${i.path} changed`;
      namesBaseDir.set(memo, (names = data.includes(x.baseDir)));
    }
    if (names) return `${i.path} names the base dir`;
  }
  return undefined;
}
