import { CallFlag } from '../../protocol/frames.js';
import type { Invocation } from '../types.js';
import { isClangName } from './gcc-names.js';

const COLOUR_FLAGS = /^-f(?:no-)?(?:diagnostics-color|color-diagnostics)(?:=|$)/;

/**
 * The daemon runs the compiler with pipes, not the caller's terminal. These arguments make
 * its diagnostics what it would print on that terminal:
 * - colour: gcc and clang colour "auto" when stderr is a terminal and TERM is not dumb;
 * - width: clang's driver turns COLUMNS into -fmessage-length when stderr is a terminal.
 * gcc also trims caret lines to the terminal width, but only when its own stderr is a
 * terminal (no option reproduces it through a pipe); docs/protocol.md lists that gap.
 */
export function terminalArgs(inv: Invocation): string[] {
  const { call, env } = inv;
  const args: string[] = [];
  if ((call.flags & CallFlag.STDERR_TTY) === 0) return args;
  const term = env.get('TERM');
  if (term !== undefined && term !== 'dumb' && !call.argv.some((a) => COLOUR_FLAGS.test(a))) {
    args.push('-fdiagnostics-color=always');
  }
  const columns = Number(env.get('COLUMNS'));
  if (isClangName(call.shimName) && Number.isInteger(columns) && columns > 0 && !call.argv.some((a) => a.startsWith('-fmessage-length'))) {
    args.push(`-fmessage-length=${columns}`);
  }
  return args;
}
