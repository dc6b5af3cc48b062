import type { CallDirs } from '../stored-path.js';
import { storedFromPwd } from '../stored-path.js';
import { templateTarget } from './target-template.js';

/**
 * Files whose path reaches no output: crates and libraries a compile loads or links by
 * path (measured on ripgrep built at two places: every rlib, rmeta and build script of a
 * registry crate is the same bytes). Anything else under the target directory, such as a
 * source a build script generated in OUT_DIR, has its path recorded in the crate (source
 * names, debug info, the crate hash), so it binds the entry.
 */
const PATH_FREE_INPUT = /\.(?:rlib|rmeta|so|a)$/;

/** A rustc result as stored, so that it serves other target directories where it can. */
export interface PortableRust {
  /** Manifest inputs as stored paths: `$PWD/...` (from the target directory) or absolute. */
  inputs: Array<{ path: string; digest: string; view?: string }>;
  /** The outputs, stdout and stderr as stored: text naming the target directory as a template. */
  outputs: Buffer[];
  stdout: Buffer;
  stderr: Buffer;
  /** The result's text outputs and messages are templates (target-template.ts). */
  targetRelative: boolean;
  /** The directories a bound result holds, with why: only calls there may use it. */
  bound: { dirs: CallDirs; why: string } | undefined;
}

const under = (p: string, dir: string): boolean => p === dir || p.startsWith(`${dir}/`);

/**
 * Decides how a result is stored when its key spelled paths from a cargo target directory
 * (rustc-key.ts): inputs there become `$PWD/...` with the target directory as $PWD, and the
 * dep-info and messages become templates, unless something ties the bytes to this target
 * directory: an input there other than a crate or library, a variable read whose value
 * names it, an output holding its spelling, or text that names it other than as a
 * directory prefix. Then the result is bound to the call's directories (the manifest
 * checks them, and they are in the result key). `text[i]` says whether output i is text
 * (dep-info).
 */
export function portableRust(
  targetDir: string | undefined,
  cwd: string,
  inputs: ReadonlyArray<{ path: string; digest: string; view?: string }>,
  env: ReadonlyArray<{ name: string; value: string | null }>,
  outputs: readonly Buffer[],
  text: readonly boolean[],
  stdout: Buffer,
  stderr: Buffer,
): PortableRust {
  const asIs: PortableRust = { inputs: [...inputs], outputs: [...outputs], stdout, stderr, targetRelative: false, bound: undefined };
  const t = targetDir;
  if (t === undefined) return asIs;
  const bind = (why: string): PortableRust => ({ ...asIs, bound: { dirs: { cwd, pwd: t }, why } });
  const stored: PortableRust['inputs'] = [];
  for (const i of inputs) {
    if (!under(i.path, t)) stored.push(i);
    // A view of a search directory (crate-candidates.ts) holds file names, not paths.
    else if (PATH_FREE_INPUT.test(i.path) || i.view !== undefined) stored.push({ ...i, path: storedFromPwd(i.path, t) });
    else return bind(`it read ${i.path}`);
  }
  const named = env.find((e) => e.value?.includes(t));
  if (named) return bind(`it read ${named.name}, which names the target directory`);
  const spelled = Buffer.from(t);
  const templated: Buffer[] = [];
  for (const [i, o] of outputs.entries()) {
    if (!text[i]) {
      if (o.includes(spelled)) return bind(`output ${i} holds the target directory's path`);
      templated.push(o);
      continue;
    }
    const tpl = templateTarget(o, t);
    if (!tpl) return bind(`output ${i} names the target directory other than as a directory prefix`);
    templated.push(tpl);
  }
  const out = templateTarget(stdout, t);
  const err = templateTarget(stderr, t);
  if (!out || !err) return bind('its messages name the target directory other than as a directory prefix');
  return { inputs: stored, outputs: templated, stdout: out, stderr: err, targetRelative: true, bound: undefined };
}
