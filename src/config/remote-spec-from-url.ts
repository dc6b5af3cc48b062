import { ConfigError } from './config-error.js';
import { redactUrl } from './redact-url.js';
import { REMOTE_SCHEMES, type RemoteSpec } from './remote-spec.js';

/**
 * A remote URL checked, with credentials in it moved to the spec (so the URL can be shown).
 * `where` names the setting in errors (`REPRISE_REMOTE`, `config.toml:9: remote[1].url`).
 */
export function remoteSpecFromUrl(where: string, raw: string, base: Omit<RemoteSpec, 'url'>): RemoteSpec {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${where}: ${JSON.stringify(redactUrl(raw))} is not a URL (expected grpc://, grpcs://, http://, https://, redis:// or rediss://)`);
  }
  if (!(REMOTE_SCHEMES as readonly string[]).includes(url.protocol)) throw new ConfigError(`${where}: ${url.protocol}// is not a remote scheme (expected ${REMOTE_SCHEMES.map((s) => `${s}//`).join(', ')})`);
  const spec: RemoteSpec = { ...base, headers: { ...base.headers }, url: '' };
  if (url.username !== '') spec.username = decodeURIComponent(url.username);
  if (url.password !== '') spec.password = decodeURIComponent(url.password);
  url.username = '';
  url.password = '';
  spec.url = url.toString().replace(/\/$/, '');
  return spec;
}
