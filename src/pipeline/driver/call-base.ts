/** What every language's call is made of: the call as the daemon received it, its environment prepared for the tool. */
export interface CallBase {
  /** The shim name it is counted under. */
  tool: string;
  /** The tool the caller named (a wrapper or proxy, maybe). */
  toolPath: string;
  cwd: string;
  /** $PWD when it names cwd (the directory the compiler records). */
  keyCwd: string;
  umask: number;
  env: Map<string, string>;
}
