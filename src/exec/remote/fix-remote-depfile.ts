// A depfile gcc wrote on an executor names the headers under the executor's root
// ("/w/build-1/usr/include/stdio.h") and wraps its lines by those longer names. This gives the
// depfile the compile writes on the host: the root mapped back to "/", the lines wrapped again
// as gcc 12 wraps them (src/adapters/gcc/depfile-template.ts renders both writers).
import { renderDepfile } from '../../adapters/gcc/depfile-template.js';
import { splitMakeWords } from '../../adapters/gcc/parse-depfile.js';
import { fixRemotePaths } from './build-gcc-action.js';

/** The host's depfile, or undefined when the remote one is not laid out as gcc writes (then only its paths are mapped by the caller, or it is not used). */
export function fixRemoteDepfile(text: Buffer, root: string): Buffer | undefined {
  const remote = text.toString('utf8');
  const lines = remote.replace(/\\\n/g, ' ').split('\n');
  const first = lines[0] ?? '';
  // Targets as written (make-quoted), up to the first unescaped colon that ends a word.
  const m = /^((?:[^:\\]|\\.)*?):(?:\s|$)/.exec(first);
  if (!m) return undefined;
  const targets = m[1]!.split(/(?<!\\) +/).filter((t) => t !== '').map((make) => ({ make, quoted: true }));
  const deps = splitMakeWords(first.slice(m[0].length));
  if (targets.length === 0 || deps.length === 0) return undefined;
  const phony = lines.slice(1).some((l) => l.trim() !== '');
  // Only a depfile that re-renders to its own bytes is understood well enough to rewrite.
  if (renderDepfile('gcc', targets, deps, phony) !== remote) return undefined;
  const back = (s: string): string => fixRemotePaths(Buffer.from(s), root).toString();
  // A target named by an absolute path (-MT /abs/x.o) was given under the root too (ROOT_MARK).
  return Buffer.from(renderDepfile('gcc', targets.map((t) => ({ ...t, make: back(t.make) })), deps.map(back), phony));
}
