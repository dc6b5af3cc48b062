// What `reprise doctor` says about the config file, the files it names, and whether the
// running daemon's settings are the file's current ones.
import { accessSync, constants, statSync } from 'node:fs';
import type { ResolvedConfig } from '../config/types.js';
import type { DaemonConfigStatus } from '../daemon/config-watch.js';
import { loadSigningKey } from '../store/remote/entry-trust.js';
import type { Finding } from './doctor-finding.js';

/** The file itself, and the key and CA files it (or the environment) names. */
export function configFileFindings(r: ResolvedConfig): Finding[] {
  const out: Finding[] = [];
  const { file, config, sources } = r;
  if (file.exists) out.push({ level: 'ok', what: `config file ${file.path}` });
  else if (file.explicit) out.push({ level: 'warn', what: `REPRISE_CONFIG names ${file.path}, which does not exist: only defaults and REPRISE_* variables apply`, fix: 'create it, or point REPRISE_CONFIG at the right file' });
  else out.push({ level: 'ok', what: `no config file at ${file.path}: defaults and REPRISE_* variables apply (docs/config.md)` });

  // Secrets in a file others can read are everyone's secrets.
  const secretInFile = Object.entries(sources).some(([key, s]) => s.kind === 'file' && /^remote\[\d+\]\.(token|password)$/.test(key));
  if (file.exists && secretInFile) {
    const mode = statSync(file.path).mode & 0o777;
    if ((mode & 0o077) !== 0) out.push({ level: 'warn', what: `${file.path} holds a token or password and others may read it (mode ${mode.toString(8)})`, fix: `chmod 600 ${file.path}` });
  }
  config.remotes.forEach((remote, i) => {
    if (remote.caFile === undefined) return;
    try {
      accessSync(remote.caFile, constants.R_OK);
    } catch (e) {
      out.push({ level: 'fail', what: `remote[${i + 1}].ca ${remote.caFile}: ${(e as Error).message}`, fix: 'name a readable PEM file of the CA' });
    }
  });
  config.executors.forEach((executor, i) => {
    for (const [key, path] of [['ca', executor.caFile], ['token_file', executor.tokenFile]] as const) {
      if (path === undefined) continue;
      try {
        accessSync(path, constants.R_OK);
      } catch (e) {
        out.push({ level: 'fail', what: `executor[${i + 1}].${key} ${path}: ${(e as Error).message}`, fix: key === 'ca' ? 'name a readable PEM file of the CA' : 'name a readable file holding the token' });
      }
    }
    if (executor.tokenFile !== undefined) {
      try {
        const mode = statSync(executor.tokenFile).mode & 0o777;
        if ((mode & 0o077) !== 0) out.push({ level: 'warn', what: `executor[${i + 1}].token_file ${executor.tokenFile}: others may read it (mode ${mode.toString(8)})`, fix: `chmod 600 ${executor.tokenFile}` });
      } catch {
        // reported above
      }
    }
  });
  const keyFile = config.trust.signingKeyFile;
  if (keyFile !== undefined) {
    try {
      loadSigningKey(keyFile); // as the daemon will
      out.push({ level: 'ok', what: `signing key ${keyFile} (ed25519)` });
    } catch (e) {
      out.push({ level: 'fail', what: (e as Error).message, fix: 'name a readable PEM file of an ed25519 private key (openssl genpkey -algorithm ed25519 -out KEY.pem)' });
    }
  }
  return out;
}

/** The daemon's report on its config file (absent from daemons older than the config file). */
export function daemonConfigFindings(status: DaemonConfigStatus | undefined, cliFile: string | undefined): Finding[] {
  if (status === undefined) return [];
  const out: Finding[] = [];
  if (cliFile !== undefined && status.file !== cliFile) {
    out.push({ level: 'warn', what: `the daemon reads its settings from ${status.file}, this shell from ${cliFile}`, fix: 'restart it from this shell: reprise daemon stop' });
  }
  if (status.error !== undefined) {
    out.push({ level: 'warn', what: `the config file ${status.file} changed at ${status.changedAt ?? '?'} and cannot be used: ${status.error}; the daemon keeps its settings from ${status.loadedAt}`, fix: 'fix the file (reprise config show checks it)' });
  }
  if (status.pending.length > 0) {
    out.push({ level: 'warn', what: `the daemon runs with older settings from ${status.loadedAt}; restart it with \`reprise daemon stop\` (${status.file} now sets ${status.pending.join(', ')} differently)`, fix: 'reprise daemon stop (the next compile starts one with the new settings)' });
  }
  if (status.applied !== undefined) out.push({ level: 'ok', what: `the daemon applied ${status.applied.keys.join(', ')} from the edited config file at ${status.applied.at}` });
  if (status.error === undefined && status.pending.length === 0) out.push({ level: 'ok', what: `the daemon runs with the config file's current settings` });
  return out;
}
