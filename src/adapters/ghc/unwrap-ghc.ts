import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The program and leading arguments a ghc wrapper script runs, when it is ghc's own wrapper
 * (bindist and Debian: `exedir=...`, `topdir=...`, `exec "$executablename" -B"$topdir" "$@"`)
 * and runs `libDir/bin/ghc -B<libDir>`; undefined for anything else. A remote action at the
 * host's paths cannot carry a script that lies directly in /usr/bin (it would hide the
 * executor's /usr/bin), so it runs what the script would.
 */
export function unwrapGhc(script: string, libDir: string): { program: string; args: string[] } | undefined {
  let text: string;
  try {
    text = readFileSync(script, 'latin1');
  } catch {
    return undefined;
  }
  if (!text.startsWith('#!/bin/sh\n')) return undefined;
  const vars = new Map<string, string>();
  let run: { program: string; top: string } | undefined;
  for (const line of text.split('\n').slice(1).map((l) => l.trim())) {
    if (line === '' || line.startsWith('#')) continue;
    if (run) return undefined; // nothing may follow the exec
    // Only plain text and variables: no command substitution, escapes or backticks.
    const set = /^([A-Za-z_]\w*)="((?:[^"`\\$]|\$\w+|\$\{\w+\})*)"$/.exec(line);
    if (set) {
      vars.set(set[1]!, set[2]!.replace(/\$(?:\{(\w+)\}|(\w+))/g, (_, a?: string, b?: string) => vars.get((a ?? b)!) ?? ''));
      continue;
    }
    const exec = /^exec "\$(\w+)" -B"\$(\w+)" (?:\$\{1\+"\$@"\}|"\$@")$/.exec(line);
    if (!exec) return undefined;
    run = { program: vars.get(exec[1]!) ?? '', top: vars.get(exec[2]!) ?? '' };
  }
  if (!run || run.top !== libDir || run.program !== join(libDir, 'bin', 'ghc')) return undefined;
  return { program: run.program, args: [`-B${libDir}`] };
}
