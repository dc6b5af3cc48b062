import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The config file's path: REPRISE_CONFIG, else `$XDG_CONFIG_HOME/reprise/config.toml`, else
 * `~/.config/reprise/config.toml`. `explicit` when REPRISE_CONFIG named it.
 */
export function configFilePath(env: Record<string, string | undefined>): { path: string; explicit: boolean } {
  if (env.REPRISE_CONFIG) return { path: env.REPRISE_CONFIG, explicit: true };
  const xdg = env.XDG_CONFIG_HOME;
  // The XDG spec says a relative XDG_CONFIG_HOME is invalid and to be ignored.
  const base = xdg && xdg.startsWith('/') ? xdg : join(env.HOME || homedir(), '.config');
  return { path: join(base, 'reprise', 'config.toml'), explicit: false };
}
