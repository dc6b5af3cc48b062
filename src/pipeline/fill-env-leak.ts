/**
 * The first of the values a fill's environment holds that the caller's never does (the
 * tracer's library in LD_PRELOAD; the sandbox's scratch directory, where REPRISE_TRACE's
 * file and a host run's $TMPDIR are) that one of its outputs holds, or undefined.
 * A compile-time program (a proc-macro's `env::var`, rustc's `option_env!`, a splice's
 * `lookupEnv`) that reads one of them sees what the caller's compiler never would, so that
 * output is not bare's: it is neither stored nor given to the caller.
 */
export function fillEnvLeak(injected: readonly string[], outputs: readonly Buffer[]): string | undefined {
  return injected.find((v) => outputs.some((d) => d.includes(v)));
}
