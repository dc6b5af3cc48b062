// The GOCACHEPROG wire format (cmd/go/internal/cache/prog.go in Go 1.21-1.23,
// cmd/go/internal/cacheprog in 1.24+): one JSON object a line. Byte fields are base64.

export type GoProgCommand = 'get' | 'put' | 'close';

/** A request as go sends it; the put body travels apart (the child spools it to a file). */
export interface GoProgRequest {
  ID: number;
  Command: GoProgCommand;
  ActionID?: string;
  /** The output's SHA-256 on Go 1.21-1.23 ... */
  ObjectID?: string;
  /** ... and on Go 1.24+. */
  OutputID?: string;
  BodySize?: number;
}

/** Every field a reply may carry; go ignores the ones it does not expect. */
export interface GoProgResponse {
  ID: number;
  Err?: string;
  KnownCommands?: GoProgCommand[];
  Miss?: boolean;
  OutputID?: string;
  Size?: number;
  /** RFC 3339: when the entry was put (go expires cached test results by it). */
  Time?: string;
  DiskPath?: string;
}
