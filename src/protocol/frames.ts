// The single source of truth for the shim ⇄ daemon wire contract (docs/protocol.md).
// shims/protocol.h is generated from this file by scripts/gen-protocol-header.ts.

export const PROTOCOL_VERSION = 1;
export const FRAME_HEADER_SIZE = 8;
/** Largest payload either side accepts; a bigger length prefix is a protocol error. */
export const MAX_FRAME_PAYLOAD = 16 * 1024 * 1024;
/** Output the shim holds before it starts streaming (docs/protocol.md, "No double output"). */
export const SHIM_HOLD_LIMIT = 8 * 1024 * 1024;

export const FrameKind = {
  HELLO: 1,
  CALL: 2,
  ADMIN: 3,
  /** Opens a GOCACHEPROG session (shims/cacheprog.c): GO_REQUEST frames follow on the same connection. */
  GO_OPEN: 4,
  GO_REQUEST: 5,
  /** The gets a GOCACHEPROG child answered itself from the go index (their action IDs): counted, and kept recent. */
  GO_SERVED: 6,
  /** How many gets a GOCACHEPROG child answered as misses itself (the go index names every entry the store has): counted. */
  GO_MISSED: 7,
  WELCOME: 129,
  DECLINE: 130,
  STARTED: 131,
  STDOUT: 132,
  STDERR: 133,
  EXIT: 134,
  ADMIN_REPLY: 135,
  /** Run the tool yourself with these variables set (the go shim: GOCACHEPROG). */
  EXEC_ENV: 136,
  GO_REPLY: 137,
  /**
   * A process the daemon runs for this call outside the sandbox besides the one STARTED names
   * (a split `ghc --make`'s module), and the files it writes in place: should the daemon go
   * away, the shim kills that group and deletes those files before it runs the tool itself, so
   * the tool finds no half-written outputs it would take for current. No files: that run ended.
   * Sent only to clients with ClientCapability.RUNNING.
   */
  RUNNING: 138,
} as const;

/**
 * Frames between the daemon and its spawner (shims/spawner.c), on the spawner's stdin and
 * stdout, with the same 8-byte header. Every payload starts with a u32 job id.
 */
export const SpawnerKind = {
  SPAWN: 16,
  KILL: 17,
  JOB_STARTED: 144,
  JOB_STDOUT: 145,
  JOB_STDERR: 146,
  JOB_EXIT: 147,
  JOB_FAILED: 148,
} as const;
export type FrameKindName = keyof typeof FrameKind;
export type FrameKindValue = (typeof FrameKind)[FrameKindName];

export const CallFlag = {
  STDOUT_TTY: 1,
  STDERR_TTY: 2,
  STDIN_TTY: 4,
} as const;

/** Names of the files in the runtime directory, shared by the shim, daemon and CLI. */
export const RuntimeFile = {
  SOCKET: 'daemon.sock',
  LOCK: 'daemon.lock',
  PID: 'daemon.pid',
  LOG: 'daemon.log',
  FALLBACKS: 'fallbacks',
  /** Hit tickets the shim may replay without a round trip (docs/protocol.md, "Hit tickets"). */
  TICKETS: 'tickets',
  /** One line per ticket the shims replayed, for the daemon's stats and store recency. */
  HITS: 'hits',
  /** Go action ID -> store file, lines the daemon appends for the GOCACHEPROG child (src/pipeline/go/go-index-line.ts). */
  GO_INDEX: 'go-index',
} as const;

/**
 * Environment variables a ticket does not match on (the shim leaves them out of the CALL it
 * looks a ticket up by): make's jobserver handle, which names a fifo with make's pid since
 * make 4.4, so it differs from build to build, and which no C compile reads.
 */
export const TICKET_UNMATCHED_ENV = ['MAKEFLAGS', 'MFLAGS', 'GNUMAKEFLAGS'] as const;
/** A ticket file starts with these four bytes; another format is another magic. */
export const TICKET_MAGIC = 'RPT2';
/** What one ticket check asks of a path (src/tickets/ticket-format.ts). */
export const TicketCheck = {
  /**
   * A regular file with exactly this (dev, ino, size, mtime, ctime); or, when the ticket gives
   * its BLAKE3 digest (0 or 32 bytes), one of that size whose content has that digest.
   */
  FILE: 1,
  /** Nothing there (stat fails with ENOENT or ENOTDIR); the path is a name in the directory of the DIR_GUARD before it. */
  ABSENT: 2,
  /** Something there. */
  PRESENT: 3,
  /** A directory: when it is missing or has exactly this stamp, the next N checks (ABSENT ones) are skipped. */
  DIR_GUARD: 4,
  /** The same (dev, ino) as when the ticket was written, without following a symlink (the daemon's socket). */
  SAME_NODE: 5,
  /** Whether this path (a $PWD) and a second one (the cwd) name one directory, as when the ticket was written. */
  SAME_DIR: 6,
} as const;
/** Where a ticket output's bytes are: in the ticket, or in a store blob checked by size, inode and CRC-32. */
export const TicketSource = {
  INLINE: 0,
  BLOB: 1,
} as const;

/** Bits of HELLO's client capabilities. */
export const ClientCapability = {
  /** A GOCACHEPROG child: a put that names a spooled body was answered by the child, so the daemon sends no GO_REPLY for it. */
  GO_QUIET_PUTS: 1,
  /** A shim that acts on RUNNING frames. */
  RUNNING: 2,
} as const;

export interface Hello {
  version: number;
  capabilities: number;
  client: string;
}

export interface Call {
  shimName: string;
  toolPath: string;
  cwd: string;
  umask: number;
  flags: number;
  /** Terminal width seen on stdin (gcc asks fd 0) and on stderr (clang asks fd 2); 0 when not a terminal. */
  stdinColumns: number;
  stderrColumns: number;
  argv: string[];
  env: string[];
}

export type AdminCommand = 'status' | 'stats' | 'stats-zero' | 'stop' | 'gc' | 'cache-clear' | 'why-flush' | 'calls' | 'dashboard';
export const ADMIN_COMMANDS: readonly AdminCommand[] = ['status', 'stats', 'stats-zero', 'stop', 'gc', 'cache-clear', 'why-flush', 'calls', 'dashboard'];

export interface Admin {
  command: AdminCommand;
  argument: string;
}

export interface Welcome {
  version: number;
  capabilities: number;
  maxFrame: number;
  daemonVersion: string;
}

export interface Exit {
  code: number;
  signal: number;
}

/** One GOCACHEPROG request as go wrote it, and the file the child decoded its body into ('' when none). */
export interface GoRequest {
  line: string;
  bodyPath: string;
}

export interface AdminReply {
  ok: boolean;
  json: string;
}

/** A decoded frame: the kind plus its typed payload. */
export type Frame =
  | { kind: typeof FrameKind.HELLO; hello: Hello }
  | { kind: typeof FrameKind.CALL; call: Call }
  | { kind: typeof FrameKind.ADMIN; admin: Admin }
  | { kind: typeof FrameKind.WELCOME; welcome: Welcome }
  | { kind: typeof FrameKind.DECLINE; reason: string }
  | { kind: typeof FrameKind.STARTED; pgid: number }
  | { kind: typeof FrameKind.STDOUT; data: Buffer }
  | { kind: typeof FrameKind.STDERR; data: Buffer }
  | { kind: typeof FrameKind.EXIT; exit: Exit }
  | { kind: typeof FrameKind.ADMIN_REPLY; reply: AdminReply }
  | { kind: typeof FrameKind.GO_OPEN; client: string }
  | { kind: typeof FrameKind.GO_REQUEST; request: GoRequest }
  | { kind: typeof FrameKind.GO_SERVED; actionIds: string[] }
  | { kind: typeof FrameKind.GO_MISSED; count: number }
  | { kind: typeof FrameKind.EXEC_ENV; env: string[] }
  | { kind: typeof FrameKind.GO_REPLY; line: string }
  | { kind: typeof FrameKind.RUNNING; pgid: number; writes: string[] };
