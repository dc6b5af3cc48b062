// Closed, append-only lists of the names `reprise stats` counts (DESIGN.md §2: outcomes are data).

/** Counted per tool (shim name). */
export const TOOL_COUNTERS = [
  'calls', // every CALL the daemon received
  'daemon-run', // the daemon ran the tool and streamed its output
  'passed-through', // the daemon declined and the shim ran the tool itself
  'tool-failed', // a daemon-run tool exited non-zero or died of a signal
  'fallbacks', // the shim ran the tool itself because the daemon could not answer
  'direct-hit', // served from the cache: manifest matched, outputs replayed
  'miss', // compiled and stored
  'uncacheable', // compiled but not stored, or passed through, for a reason in uncacheableReasons
  'shim-hit', // of the direct hits, those the shim replayed from a hit ticket without a round trip (also in calls and direct-hit)
  'speculated', // ghc: a split --make's module compiled on an idle slot before all its imports were done (stored when its inputs held; its own job then looks it up)
] as const;
export type ToolCounter = (typeof TOOL_COUNTERS)[number];

/** Why the daemon declined a call (the shim then execs the tool; nothing is lost). */
export const PASS_THROUGH_REASONS = [
  'not-a-compile', // links, probes (-v, --version, -print-*), preprocess-only runs
  'unsupported-tool', // no adapter for this compiler family yet
  'stdin-input', // (no longer used: adapters classify stdin sources, e.g. gcc's stdin-source)
  'daemon-busy', // no job slot freed within the queue timeout
  'draining', // the daemon is shutting down
  'version-mismatch', // the shim speaks another protocol version
  'bad-call', // a CALL frame that parsed but made no sense (relative cwd, empty argv)
  'spawn-failed', // the daemon could not start the tool
  'go-mode-off', // go: REPRISE_GO=off
  'user-gocacheprog', // go: the caller set GOCACHEPROG, which is used as it is
  'user-toolexec', // go: the caller passes -toolexec (GOFLAGS or argv), which is used as it is
  'go-without-cacheprog', // go: this go reads no GOCACHEPROG (Go < 1.24 without the experiment) and the shim's path cannot go in GOFLAGS' -toolexec (it has a space)
  'go-unknown-version', // go: `go version -m` could not tell what this go command is
] as const;
export type PassThroughReason = (typeof PASS_THROUGH_REASONS)[number];

/** Why a shim ran the tool without the daemon, as written to the runtime dir's `fallbacks` file. */
export const FALLBACK_REASONS = [
  'no-daemon',
  'bad-runtime-dir',
  'socket-path-too-long',
  'foreign-socket',
  'version-mismatch',
  'bad-frame',
  'connection-lost',
  'request-too-large',
  'timeout',
  'unknown',
] as const;
export type FallbackReason = (typeof FALLBACK_REASONS)[number];

/** Daemon-wide cache events. */
export const CACHE_COUNTERS = [
  'bytes-stored', // blob bytes written to the local store
  'time-saved-ms', // compile time of the results replayed
  'corrupt-entry', // a blob, result or manifest failed verification, was deleted and read as a miss
  'store-error', // the store could not be read or written (full disk, I/O); the call was still served
  'evicted', // entries (manifests, results, blobs) removed to keep the store under REPRISE_MAX_SIZE
  'bytes-evicted', // their bytes
  'entry-bound', // results stored for their own directories only: another checkout cannot share them (the debug log says why)
  'verified', // hits recompiled in the sandbox and compared with what was replayed (REPRISE_VERIFY_RATE, `reprise verify`)
  'verify-mismatch', // verified hits whose fresh outputs differed (each one is in <digest>/verify/mismatches.jsonl)
  'verify-skipped', // hits chosen for verifying that could not be recompiled (no sandbox, a failed pre-pass); the log says why
  'fill-reused-inputs', // retired (always 0): fills shown what the same source's last fill read; a view that hides files decided what __has_include answered (issue 15), and traced fills replace them
  'reused-inputs-differed', // retired (always 0), with fill-reused-inputs
] as const;
export type CacheCounter = (typeof CACHE_COUNTERS)[number];

/** Daemon-wide events. */
export const DAEMON_COUNTERS = [
  'connections',
  'bad-frame', // a client broke the protocol; its connection was closed
  'request-error', // a request failed inside the daemon; the shim ran the tool itself
  'executor-lost', // the spawner died mid-run; the shim ran the tool itself
] as const;
export type DaemonCounter = (typeof DAEMON_COUNTERS)[number];

/** Counted per remote tier (by its URL without credentials): the team cache (README "Team cache"). */
export const REMOTE_COUNTERS = [
  'hits', // entries (manifests and results) found there, complete, trusted and written back locally
  'misses', // entries asked for and not there
  'errors', // requests that failed (connection refused, HTTP 5xx or 429, a broken reply)
  'timeouts', // requests cut off at the remote's timeout
  'skipped', // requests not sent because its breaker was open
  'breaker-opened', // times a failure or timeout opened its breaker (it is probed again after the cool-down)
  'bytes-down', // bytes downloaded (entries and blobs)
  'bytes-up', // bytes uploaded
  'uploads', // entries uploaded with all their blobs
  'upload-dropped', // uploads dropped because its queue was full, or left when the daemon stopped
  'upload-failed', // uploads that failed (the entry stays local)
  'refused', // writes the remote refused (a read-only token: HTTP 401/403, gRPC PERMISSION_DENIED)
  'corrupt', // blobs whose digest did not match, and malformed entries: not used
  'incomplete', // results one of whose blobs could not be fetched: a miss
  'remote-unsigned', // results without a signature while trusted keys are configured: refused
  'remote-bad-signature', // results whose signature no trusted key verifies: refused
  'time-saved-ms', // compile time of the results this remote served
] as const;
export type RemoteCounter = (typeof REMOTE_COUNTERS)[number];

/**
 * Counted per remote executor (by its URL): remote execution (docs/remote-execution.md). Each
 * `fallen-back` is also counted by reason in `executorFallbackReasons` (the executor's
 * rejection reasons, src/exec/remote/types.ts, and the pipeline's: REMOTE_FILL_REASONS).
 */
export const EXECUTOR_COUNTERS = [
  'actions-sent', // misses given to the executor
  'actions-run', // of those, actions that ran there (any exit code): a result came back
  'actions-failed', // of those that ran, the ones whose command exited non-zero (compiled again locally, or for a guess sent again with a pre-pass)
  'actions-cached', // of those that ran, answers from the server's action cache
  'completed', // misses it answered: outputs delivered to the caller from the executor
  'fallen-back', // misses that went to the local fill instead (the reason is counted too)
  'guessed', // misses sent without a pre-pass, with the inputs earlier compiles in their directory found, to be proven by the executor's lookup trace
  'guess-failed', // of those, compiles that failed there (the guess lacked a file they need): C's sent again with a pre-pass, ghc's compiled here
  'guess-unproven', // of those, results whose lookup trace showed an answer not the host's, or one that cannot be checked: C's sent again with a pre-pass, ghc's compiled here
  'prepass-ms', // the traced -M pre-pass and its learning on this host, for misses meant for it (counted before anything is sent)
  'prepare-ms', // building the action on this host: the input root, its digests, the Command
  'queue-ms', // time the server says actions waited before a worker took them (when it says)
  'execute-ms', // Execute to the final operation, summed
  'input-fetch-ms', // the server's staging of the input root (ExecutedActionMetadata, when it says)
  'run-ms', // the server's run of the command (ExecutedActionMetadata, when it says)
  'upload-bytes', // input bytes sent (blobs the server lacked)
  'upload-ms', // time in FindMissingBlobs and uploads
  'download-bytes', // output, stdout and stderr bytes read back
  'download-ms', // time reading them
  'retries', // Execute attempts after the first (UNAVAILABLE, RESOURCE_EXHAUSTED, RetryInfo, a lost input)
  'image-unproven', // of those completed, results compiled by the executor's own toolchain (toolchain = "image"): not proven equal to this host's, so stored for this machine only, never as sandboxed
] as const;
export type ExecutorCounter = (typeof EXECUTOR_COUNTERS)[number];

/** Why a miss meant for an executor was filled locally, besides the executor's own rejections. */
export const REMOTE_FILL_REASONS = [
  'remote-exit-nonzero', // the compile failed on the executor: it runs locally, whose messages the caller gets
  'no-executor-slot', // every executor had max_in_flight actions already
  'executor-down', // every executor failed (unavailable, timeout) in the last 30 s: skipped until then
  'not-learned', // the traced dependency pre-pass did not give a complete list of what the compile sees
  'taken-back', // under auto: waiting in the executor's queue when a local slot freed with nobody waiting for it; cancelled there and filled here
  'not-sendable', // the compile's inputs cannot be proven the same on an executor (environment paths, absolute probes, -march=native, assembler; rustc: links, proc-macros, -l, no dep-info, inputs under the executor's own directories)
] as const;
export type RemoteFillReason = (typeof REMOTE_FILL_REASONS)[number];
