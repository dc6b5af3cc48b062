/** One tool run on this machine, with the caller's cwd, environment and umask. */
export interface LocalRun {
  toolPath: string;
  /** argv[0] the tool sees. */
  argv0: string;
  args: string[];
  cwd: string;
  env: Map<string, string>;
  umask: number;
  /** Only for the sandbox executor: what the tool may see (sandbox-view.ts). */
  view?: string[];
  /** Aborting kills the tool's process group. */
  signal: AbortSignal;
  onStarted(pgid: number): void;
  onStdout(data: Buffer): void;
  onStderr(data: Buffer): void;
}

export type LocalRunResult =
  | { kind: 'exited'; code: number; signal: number }
  | { kind: 'spawn-failed'; error: string }
  /** The executor died mid-run; the tool was killed with it. */
  | { kind: 'lost' };

export interface LocalExecutor {
  run(job: LocalRun): Promise<LocalRunResult>;
  close(): void;
}
