import { realpathSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { findRealTool } from './find-real-tool.js';
import { installPaths } from './install-paths.js';
import { SHIM_SKIP_ENV } from './shim-skip-env.js';

/** The shim binary's own name (shims/shim.c SELF_NAME): called so, it wraps the tool named next. */
const SELF_NAME = 'reprise-shim';

export interface CalledTool {
  /** The call as the tool sees it: a wrapping shim's own argv[0] left out. */
  argv: string[];
  /** The name adapters are chosen by: what the shim would be called as. */
  name: string;
  /** The program that runs; undefined when PATH has none. */
  toolPath: string | undefined;
  /** Whether toolPath was looked up on PATH (rather than given as a path). */
  searched: boolean;
  /** The shim argv[0] named, when it named one (a link in a masquerade directory, or the binary). */
  shim?: string;
}

/**
 * What runs for a command line such as `ninja -t commands` prints: a name is looked up on
 * PATH past the shims; a path to a reprise shim (CMake records the masquerade link it was
 * configured with) is resolved as that shim resolves it, so the key is the one the build
 * got; any other path runs as it is.
 */
export function calledTool(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): CalledTool {
  const [first = '', ...rest] = argv;
  const find = (name: string, self?: string): string | undefined => findRealTool(name, env.PATH ?? '', { skip: env[SHIM_SKIP_ENV] ?? '', ...(self ? { self } : {}) });
  if (basename(first) === SELF_NAME && rest.length > 0) {
    // Wrapper mode (RUSTC_WRAPPER): the wrapped tool is used as given when it is a path.
    const inner = calledTool(rest, env);
    return { ...inner, shim: first };
  }
  if (!first.includes('/')) return { argv: [...argv], name: first, toolPath: find(first), searched: true };
  const binary = shimBinary(first);
  if (binary === undefined) return { argv: [...argv], name: basename(first), toolPath: first, searched: false };
  return { argv: [...argv], name: basename(first), toolPath: find(basename(first), binary), searched: true, shim: first };
}

/** The reprise shim binary `path` is (or links to), or undefined when it is not one. */
function shimBinary(path: string): string | undefined {
  try {
    const st = statSync(path);
    const ours = statSync(installPaths.shimBinary, { throwIfNoEntry: false });
    if (ours && st.dev === ours.dev && st.ino === ours.ino) return installPaths.shimBinary;
    // Another checkout's build of the shim.
    const real = realpathSync(path);
    return basename(real) === SELF_NAME ? real : undefined;
  } catch {
    return undefined;
  }
}
