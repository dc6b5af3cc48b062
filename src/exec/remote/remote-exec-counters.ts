// The counters of a remote executor (issue 17), a closed, append-only list of kebab-case names
// as DESIGN.md §2 wants; not yet in src/stats/stat-names.ts (the pipeline does not use remote
// execution yet: wiring it in moves this list there, per executor).

export const REMOTE_EXEC_COUNTERS = [
  'actions-sent', // actions given to the executor
  'actions-run', // of those, actions that ran there (any exit code): a result came back
  'actions-failed', // of those that ran, the ones whose command exited non-zero (a compile error is a result)
  'actions-cached', // of those that ran, answers from the server's action cache
  'fallen-back', // actions it rejected (REJECTION_REASONS says why): the caller ran them locally
  'queue-ms', // time the server says actions waited before a worker took them (when it says)
  'execute-ms', // Execute to the final operation, summed
  'upload-bytes', // input bytes sent (blobs the server lacked)
  'upload-ms', // time in FindMissingBlobs and uploads
  'download-bytes', // output, stdout and stderr bytes read back
  'download-ms', // time reading them
  'retries', // Execute attempts after the first (UNAVAILABLE, RESOURCE_EXHAUSTED, RetryInfo, a lost input)
] as const;
export type RemoteExecCounter = (typeof REMOTE_EXEC_COUNTERS)[number];
