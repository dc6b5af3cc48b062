import { spawn } from 'node:child_process';
import { adminRequest } from '../../client/admin-request.js';
import { loadConfig } from '../../config/load-config.js';
import { runtimePaths } from '../../runtime/runtime-paths.js';
import { startDaemon } from '../start-daemon.js';

/**
 * `reprise dashboard [--url]`: has the daemon (started if need be) serve its dashboard, then
 * prints the page's URL, token included, on one line (--url, or no browser configured), or
 * opens it with $BROWSER. The page lives as long as the daemon.
 */
export async function dashboardCommand(urlOnly: boolean): Promise<number> {
  const config = loadConfig();
  const started = startDaemon();
  if (!started.ok) {
    process.stderr.write(`reprise dashboard: the daemon did not start: ${started.problem}\n`);
    return 1;
  }
  const r = await adminRequest(runtimePaths(config.runtimeDir).socket, 'dashboard');
  if (r.kind !== 'reply' || !r.ok) {
    const why = r.kind === 'reply' ? (r.value as { error?: string }).error ?? 'failed' : r.reason;
    process.stderr.write(`reprise dashboard: ${why} (a daemon older than this CLI? reprise daemon stop, then try again)\n`);
    return 1;
  }
  const url = (r.value as { url: string }).url;
  const browser = process.env.BROWSER?.trim();
  if (urlOnly || !browser) {
    process.stdout.write(`${url}\n`);
    return 0;
  }
  // $BROWSER as the shells' convention has it: a command, the URL as its last argument.
  const [file, ...args] = browser.split(/\s+/);
  const child = spawn(file!, [...args, url], { detached: true, stdio: 'ignore' });
  child.on('error', (e) => process.stderr.write(`reprise dashboard: cannot run $BROWSER (${e.message}); open ${url}\n`));
  child.unref();
  process.stderr.write(`reprise dashboard: opening ${url}\n`);
  return 0;
}
