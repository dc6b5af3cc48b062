import type { Config } from '../config/load-config.js';
import { createRemoteTiers } from '../store/remote/create-remote-tiers.js';

export interface RemoteFinding {
  level: 'ok' | 'warn' | 'fail';
  what: string;
  fix?: string;
}

/** `reprise doctor`'s look at the team cache: how results are signed and trusted, and whether each remote answers a lookup. */
export async function checkRemotes(config: Config): Promise<RemoteFinding[]> {
  if (config.remotes.length === 0) return [];
  const out: RemoteFinding[] = [];
  // The keys themselves are checked where the settings are (loadConfig, and doctor's config findings for the signing key file).
  const { signingKeyFile, publicKeys } = config.trust;
  out.push({ level: 'ok', what: `team cache: ${signingKeyFile !== undefined ? 'uploads are signed' : 'uploads are not signed'}; ${publicKeys.length > 0 ? `only results signed by one of ${publicKeys.length} trusted keys are used` : 'remote results are used unsigned (no REPRISE_TRUSTED_KEYS)'}` });
  // Doctor's probes are not the daemon's statistics: nothing is counted.
  const tiers = createRemoteTiers(config.remotes, config.digest, () => undefined);
  for (const t of tiers.tiers) {
    try {
      await t.backend.ac.get('0'.repeat(64), new AbortController().signal);
      out.push({ level: 'ok', what: `remote ${t.name} answers (${t.role})` });
    } catch (e) {
      const msg = (e as Error).message;
      // Store errors already start with the remote's name.
      out.push({ level: 'warn', what: `remote ${msg.startsWith(t.name) ? msg : `${t.name}: ${msg}`}; builds compile locally while it is down`, fix: 'check the URL, the server and the network (docs/team-cache.md)' });
    }
  }
  await tiers.close(0);
  return out;
}
