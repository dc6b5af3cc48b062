/** Where a call's answer goes (the shim, through the daemon's responder). */
export interface CallSink {
  started(pgid: number): void;
  /**
   * Another process run for this call outside the sandbox (a split --make's module), writing
   * `writes` in place; no writes: it ended. The shim undoes it should the daemon go away
   * (docs/protocol.md, RUNNING).
   */
  running?(pgid: number, writes: readonly string[]): void;
  /** The daemon ran the tool where the caller cannot signal it (in the sandbox's own pid namespace). */
  ranHidden(): void;
  stdout(data: Buffer): void;
  stderr(data: Buffer): void;
  exit(code: number, signal: number): void;
  /** The executor was lost mid-run: drop the call, the shim runs the tool itself (and kills what we started). */
  abandon(): void;
  /** Nothing was started after all (the tool could not be spawned): the shim runs it and reports as a shell would. */
  decline(reason: 'spawn-failed'): void;
  /** Aborted when the caller goes away. */
  readonly signal: AbortSignal;
  /** The daemon job slot the call holds (absent where calls take none): remote execution lends it while it waits. */
  readonly slot?: CallSlot;
}

/** A call's local job slot (src/daemon/job-slots.ts). */
export interface CallSlot {
  /** Other calls wait for a slot: every local slot is busy. */
  contended(): boolean;
  /** Other calls are being served now (the build runs compiles side by side), in a slot, waiting for one, or on an executor. */
  parallel(): boolean;
  /** Whether the call holds a local slot now (a call that may go remote starts without one when none is free). */
  held(): boolean;
  /** Holds a local slot from now on, waiting for one if need be (before compiling here); past the queue timeout it goes on without. */
  take(): Promise<void>;
  /** Runs `task` without holding the slot (its work happens elsewhere), then holds one again when `retake` says its result needs one (a local fill next). */
  lend<T>(task: () => Promise<T>, retake: (result: T) => boolean): Promise<T>;
}
