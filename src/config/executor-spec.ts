// Remote execution's settings (docs/remote-execution.md): the REAPI executors a miss may run
// on, and the policy that says when it does.

/** `local`: never remote; `remote`: every miss that can be an action; `auto`: remote while every local job slot is busy, or while compiles run side by side and an executor has room (offer-remote.ts). */
export type ExecutePolicy = 'local' | 'remote' | 'auto';
export const EXECUTE_POLICIES: readonly ExecutePolicy[] = ['local', 'remote', 'auto'];

/**
 * Where a remote action's toolchain comes from. `action`: it travels in the input root (the
 * compiler's files from this host), so the executor needs none. `image`: the executor has it
 * (a container image its `platform` names); the root holds only the other inputs and the
 * Command names the compiler by its host path. An image's compiler and system headers are not
 * proven equal to the host's, so such results stay on this machine (docs/remote-execution.md).
 */
export type ToolchainSource = 'action' | 'image';
export const TOOLCHAIN_SOURCES: readonly ToolchainSource[] = ['action', 'image'];

/** URL schemes an executor may have (REAPI over gRPC; grpcs: TLS). */
export const EXECUTOR_SCHEMES = ['grpc:', 'grpcs:'] as const;

export interface ExecutorSpec {
  /** grpc://HOST:PORT or grpcs://HOST:PORT; it names the executor in stats. */
  url: string;
  /** REAPI instance name. */
  instance: string;
  /** PEM file of the CA that signed the server's certificate (grpcs). */
  caFile?: string;
  /** A file holding a bearer token (gRPC `authorization` metadata), read at start; the token is never shown. */
  tokenFile?: string;
  /** Upload to result, per action: past it the action is abandoned and compiled locally. */
  timeoutMs: number;
  /** How long it is skipped after it was unreachable or timed out (then a probe asks whether it is back). */
  cooldownMs: number;
  /** Actions sent to it at once; more wait (inside the timeout). */
  maxInFlight: number;
  /**
   * Its results may be stored as sandboxed (and so reach shared tiers): it runs actions in a
   * sandbox over exactly the input root (`reprise serve --execute`). Untrusted executors'
   * results are stored for this machine only.
   */
  trusted: boolean;
  /** Extra REAPI platform properties (e.g. container-image), added to OSFamily and ISA. */
  platform: Record<string, string>;
  /** Where the action's toolchain comes from (default `action`). */
  toolchain: ToolchainSource;
}

/** An executor's settings before its URL's own: what REPRISE_EXECUTOR gives each URL. */
export const EXECUTOR_DEFAULTS: Omit<ExecutorSpec, 'url'> = {
  instance: '',
  timeoutMs: 120_000,
  cooldownMs: 30_000,
  maxInFlight: 8,
  trusted: false,
  platform: {},
  toolchain: 'action',
};
