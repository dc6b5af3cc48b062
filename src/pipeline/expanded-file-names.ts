import type { CacheContext } from './cache-context.js';
import type { CompileCall } from './cached-compile.js';

/**
 * Builtins the compiler proper evaluates to a location's file name: at their call site, which
 * for a default argument (std::source_location::current()) is the caller's. The preprocessor
 * leaves them as they are, so they are looked for by name.
 */
const FILE_BUILTINS = ['__builtin_FILE', '__builtin_source_location'];

/**
 * Why the compile's outputs may spell a path under the base dir through a file-name
 * expansion, or undefined when they cannot: the preprocessor runs once more (`-E -P`, the
 * compile's own arguments without its outputs) and its output must not name the base dir.
 *
 * Scanning the inputs' text for `__FILE__` cannot tell where it expands: libstdc++'s
 * c++config.h and glibc's assert.h hold it in macros that expand to a system header's path,
 * or to the source's only where the source uses them, and a `-D` value or a token pasted
 * together can produce it where no file spells it. The preprocessed text holds every
 * expansion as the compile saw it, with the caller's macro prefix maps applied.
 */
export async function expandedFileNames(ctx: Pick<CacheContext, 'executor'>, c: Pick<CompileCall, 'toolPath' | 'cwd' | 'env' | 'umask' | 'job'>, baseDir: string, signal: AbortSignal): Promise<string | undefined> {
  const needles = [baseDir, ...FILE_BUILTINS].map((n) => Buffer.from(n, 'utf8'));
  const keep = Math.max(...needles.map((n) => n.length)) - 1;
  let tail = Buffer.alloc(0);
  let found: string | undefined;
  const stop = new AbortController();
  const abort = (): void => stop.abort();
  signal.addEventListener('abort', abort, { once: true });
  try {
    const r = await ctx.executor.run({
      toolPath: c.toolPath, argv0: c.toolPath, args: [...c.job.scanArgs, '-E', '-P'], cwd: c.cwd, env: c.env, umask: c.umask, signal: stop.signal,
      onStarted: () => undefined,
      onStderr: () => undefined,
      onStdout: (d) => {
        if (found !== undefined) return;
        // A needle may straddle two chunks: search the end of the last one with this one.
        const text = Buffer.concat([tail, d]);
        const hit = needles.find((n) => text.includes(n));
        if (hit) {
          found = hit.toString('utf8');
          stop.abort(); // the answer is known: the rest is not needed
        }
        tail = text.subarray(Math.max(0, text.length - keep));
      },
    });
    if (found === baseDir) return 'a file-name expansion (__FILE__ or __BASE_FILE__) spells a path under the base dir';
    if (found !== undefined) return `the compile uses ${found}, which may spell a path under the base dir`;
    if (signal.aborted) return 'the preprocessor run was cancelled';
    if (r.kind !== 'exited' || r.code !== 0 || r.signal !== 0) return 'the preprocessor run that shows where __FILE__ expands failed';
    return undefined;
  } finally {
    signal.removeEventListener('abort', abort);
  }
}
