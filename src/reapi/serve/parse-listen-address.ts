import { ConfigError } from '../../config/config-error.js';
import type { ListenAddress } from './types.js';

/** `HOST:PORT`, `[IPV6]:PORT` or `:PORT` (every interface); port 0 asks for a free one. */
export function parseListenAddress(option: string, text: string): ListenAddress {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new ConfigError(`${option} ${text}: expected HOST:PORT (127.0.0.1:9092, [::1]:9092, :9092)`);
  const host = m[1] ?? m[2]!;
  return { host: host === '' ? '0.0.0.0' : host, port };
}

/** An address as URLs and gRPC targets spell it (IPv6 in brackets). */
export function formatListenAddress(a: ListenAddress): string {
  return `${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}`;
}
