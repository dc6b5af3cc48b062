import { ConfigError } from './config-error.js';
import { redactUrl } from './redact-url.js';
import { EXECUTOR_SCHEMES, type ExecutorSpec } from './executor-spec.js';

/**
 * An executor URL checked: grpc:// or grpcs://, a host and a port, nothing else (credentials
 * go in token_file, never in the URL). `where` names the setting in errors.
 */
export function executorSpecFromUrl(where: string, raw: string, base: Omit<ExecutorSpec, 'url'>): ExecutorSpec {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${where}: ${JSON.stringify(redactUrl(raw))} is not a URL (expected grpc://HOST:PORT or grpcs://HOST:PORT)`);
  }
  if (!(EXECUTOR_SCHEMES as readonly string[]).includes(url.protocol)) throw new ConfigError(`${where}: ${url.protocol}// is not an executor scheme (expected grpc:// or grpcs://)`);
  if (url.username !== '' || url.password !== '') throw new ConfigError(`${where}: ${redactUrl(raw)} has credentials in it; give a token_file in an [[executor]] table instead`);
  if (url.port === '' || url.hostname === '') throw new ConfigError(`${where}: ${redactUrl(raw)} names no port (expected grpc://HOST:PORT)`);
  if ((url.pathname !== '' && url.pathname !== '/') || url.search !== '') throw new ConfigError(`${where}: ${redactUrl(raw)}: expected only a host and a port (the instance name is [[executor]]'s instance)`);
  return { ...base, platform: { ...base.platform }, url: `${url.protocol}//${url.host}` };
}
