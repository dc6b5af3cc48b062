// nginx as a bazel-remote-layout HTTP cache (DESIGN.md §4): WebDAV PUT into a directory,
// GET and HEAD from it, in the foreground on a loopback port, everything under `dir`.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { startServer, type StartedServer } from './started-server.js';

export const NGINX = '/usr/sbin/nginx';

export function nginxMissing(): string | undefined {
  return existsSync(NGINX) ? undefined : 'nginx is not installed (apt-get install nginx)';
}

export interface NginxOptions {
  /** Extra directives inside `location /` (e.g. auth rules). */
  location?: string;
  port?: number;
}

export async function startNginx(dir: string, opts: NginxOptions = {}): Promise<StartedServer & { root: string; url: string }> {
  const port = opts.port ?? (await freePort());
  const root = join(dir, 'root');
  for (const d of [root, join(dir, 'tmp'), join(dir, 'logs')]) mkdirSync(d, { recursive: true });
  const conf = join(dir, 'nginx.conf');
  const user = process.getuid?.() === 0 ? 'user root;\n' : '';
  writeFileSync(conf, `${user}worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'logs', 'error.log')} warn;
events { worker_connections 256; }
http {
  access_log ${join(dir, 'logs', 'access.log')};
  client_body_temp_path ${join(dir, 'tmp', 'body')};
  proxy_temp_path ${join(dir, 'tmp', 'proxy')};
  fastcgi_temp_path ${join(dir, 'tmp', 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'tmp', 'uwsgi')};
  scgi_temp_path ${join(dir, 'tmp', 'scgi')};
  server {
    listen 127.0.0.1:${port};
    root ${root};
    client_max_body_size 0;
    location / {
      dav_methods PUT DELETE MKCOL;
      create_full_put_path on;
      ${opts.location ?? ''}
    }
  }
}
`);
  const errors = (): string => {
    try {
      return readFileSync(join(dir, 'logs', 'error.log'), 'utf8');
    } catch {
      return '';
    }
  };
  const s = await startServer(NGINX, ['-c', conf, '-p', dir, '-e', join(dir, 'logs', 'error.log'), '-g', 'daemon off;'], port, errors);
  return { ...s, root, url: `http://127.0.0.1:${port}/cache` };
}
