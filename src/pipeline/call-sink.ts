/** Where a call's answer goes (the shim, through the daemon's responder). */
export interface CallSink {
  started(pgid: number): void;
  stdout(data: Buffer): void;
  stderr(data: Buffer): void;
  exit(code: number, signal: number): void;
  /** Drops the call without an answer: the shim then runs the tool itself. */
  abandon(): void;
  /** Aborted when the caller goes away. */
  readonly signal: AbortSignal;
}
