/** How long a stopping daemon keeps uploading what its remotes have queued (the rest is counted as dropped). */
export const REMOTE_DRAIN_MS = 10_000;

/** How long `reprise daemon stop` waits for the daemon to exit: the drain, and the rest of its shutdown. */
export const STOP_WAIT_MS = REMOTE_DRAIN_MS + 5_000;
