import { execFile } from 'node:child_process';

/**
 * The compiler's own `#include <...>` directories (after the user's -I and -isystem), as
 * `cc -E -v` lists them for a language and the options that move them (--sysroot,
 * -nostdinc, -m32, -target ...). Memoised by the caller with the tool's identity.
 */
export function systemIncludeDirs(toolPath: string, language: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<string[]> {
  return new Promise((resolve, reject) => {
    execFile(toolPath, [...args, '-E', '-v', '-x', language, '/dev/null', '-o', '/dev/null'], { env, timeout: 30_000 }, (err, _stdout, stderr) => {
      if (err) return reject(new Error(`${toolPath} -E -v failed: ${err.message}`));
      const lines = stderr.split('\n');
      const start = lines.findIndex((l) => l.startsWith('#include <...> search starts here:'));
      const end = lines.findIndex((l, i) => i > start && l.startsWith('End of search list.'));
      if (start < 0 || end < 0) return reject(new Error(`${toolPath} -E -v printed no search list`));
      // clang marks framework directories; they are searched like the others for our purpose.
      resolve(lines.slice(start + 1, end).map((l) => l.trim().replace(/ \(framework directory\)$/, '')));
    });
  });
}
