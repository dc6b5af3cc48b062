// The team cache's settings (README "Team cache"): remotes in read order, and who is trusted.

export type RemoteRole = 'read' | 'read-write';
export const REMOTE_ROLES: readonly RemoteRole[] = ['read', 'read-write'];

/** URL schemes a remote may have, by backend. */
export const REMOTE_SCHEMES = ['http:', 'https:', 'redis:', 'rediss:', 'grpc:', 'grpcs:'] as const;

export interface RemoteSpec {
  /** http(s):// (bazel-remote layout), redis(s)://, grpc(s):// (REAPI). Credentials in it are moved to username/password. */
  url: string;
  /** `read`: never written (developers); `read-write`: sandboxed results are uploaded (CI). */
  role: RemoteRole;
  /** One operation's deadline: the first one missed opens the breaker. */
  timeoutMs: number;
  /** How long an open breaker skips the remote before probing it again. */
  cooldownMs: number;
  /** Sent with every request (HTTP headers, gRPC metadata). */
  headers: Record<string, string>;
  /** Bearer token (HTTP Authorization, gRPC `authorization` metadata). A secret: redacted when shown. */
  token?: string;
  /** Basic auth (HTTP), AUTH (Redis). The password is a secret. */
  username?: string;
  password?: string;
  /** PEM file of the CA that signed the server's certificate (https, rediss, grpcs). */
  caFile?: string;
  /** REAPI instance name. */
  instance: string;
  /** Requests in flight to this remote at once. */
  maxConnections: number;
  /** Uploads waiting at most; more are dropped and counted (upload-dropped). */
  uploadQueue: number;
}

export interface TrustSettings {
  /** PEM file of an ed25519 private key: every result this daemon uploads is signed with it. */
  signingKeyFile?: string;
  /** ed25519 public keys (PEM, or base64 of the 32 raw bytes). When any are set, remote results must be signed by one of them. */
  publicKeys: string[];
  /** Mixed into every remote key: changing it disowns every entry written before. */
  salt: string;
}

/** A remote's settings before the URL's own say: what REPRISE_REMOTE gives each URL. */
export const REMOTE_DEFAULTS: Omit<RemoteSpec, 'url'> = {
  role: 'read-write',
  timeoutMs: 5000,
  cooldownMs: 30_000,
  headers: {},
  instance: '',
  maxConnections: 8,
  uploadQueue: 1000,
};
