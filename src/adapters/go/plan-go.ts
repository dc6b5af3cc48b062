import type { GoToolInfo } from './probe-go.js';

/** REPRISE_GO: which front door a go command takes (unset: cacheprog when go reads it). */
export type GoMode = 'cacheprog' | 'toolexec' | 'off';

/** Why the go shim left a go command alone (counted under passThroughReasons). */
export type GoPassReason =
  | 'go-mode-off' // REPRISE_GO=off
  | 'user-gocacheprog' // the caller set GOCACHEPROG: theirs is used
  | 'user-toolexec' // the caller passes -toolexec (GOFLAGS or argv): theirs is used
  | 'go-without-cacheprog' // this go reads no GOCACHEPROG, and -toolexec cannot name the shim (a path with spaces: GOFLAGS splits on them)
  | 'go-unknown-version'; // `go version -m` could not tell what this go is

/** The variables the go shim sets before it runs go. */
export type GoPlan = { kind: 'set'; mode: 'cacheprog' | 'toolexec'; env: string[] } | { kind: 'pass'; reason: GoPassReason };

/** Splits GOFLAGS as cmd/go does (space-separated; quoting is not allowed there). */
function hasToolexec(words: readonly string[]): boolean {
  return words.some((w) => /^--?toolexec(=|$)/.test(w));
}

/** GOCACHEPROG's value: cmd/go splits it with quoted.Split, so a path with spaces is quoted. */
export function cacheProgValue(shimBinary: string): string {
  const quoted = /[\s'"]/.test(shimBinary) ? (shimBinary.includes("'") ? `"${shimBinary}"` : `'${shimBinary}'`) : shimBinary;
  return `${quoted} --cacheprog`;
}

/**
 * The plan for one go command (pure): the user's own GOCACHEPROG, -toolexec or mode wins;
 * otherwise go gets reprise's GOCACHEPROG when it reads it, and else the shim as its
 * -toolexec (added to GOFLAGS), which sends compile and asm steps through the cache.
 */
export function planGo(env: ReadonlyMap<string, string>, argv: readonly string[], info: GoToolInfo | undefined, shimBinary: string): GoPlan {
  const mode = env.get('REPRISE_GO') ?? '';
  if (mode === 'off') return { kind: 'pass', reason: 'go-mode-off' };
  if ((env.get('GOCACHEPROG') ?? '') !== '') return { kind: 'pass', reason: 'user-gocacheprog' };
  if (hasToolexec((env.get('GOFLAGS') ?? '').split(/\s+/)) || hasToolexec(argv.slice(1))) return { kind: 'pass', reason: 'user-toolexec' };
  const cacheprog: GoPlan = { kind: 'set', mode: 'cacheprog', env: [`GOCACHEPROG=${cacheProgValue(shimBinary)}`] };
  // GOFLAGS is split on spaces with no quoting: a shim path with a space cannot be named there.
  const flags = (env.get('GOFLAGS') ?? '').trim();
  const toolexec: GoPlan = /\s/.test(shimBinary)
    ? { kind: 'pass', reason: 'go-without-cacheprog' }
    : { kind: 'set', mode: 'toolexec', env: [`GOFLAGS=${flags ? `${flags} ` : ''}-toolexec=${shimBinary}`] };
  if (mode === 'cacheprog') return cacheprog;
  if (mode === 'toolexec') return toolexec;
  if (!info) return { kind: 'pass', reason: 'go-unknown-version' };
  return info.readsCacheProg ? cacheprog : toolexec;
}
