// A certificate authority made by `openssl` for one test, and a server certificate it signed
// for 127.0.0.1 and localhost: TLS tests trust the CA and nothing else.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, text } from './run.js';

export interface TestCa {
  /** The CA's certificate (PEM): what clients trust. */
  caCert: string;
  caPem: Buffer;
  /** The server's certificate and key files (PEM). */
  certFile: string;
  keyFile: string;
}

export async function makeTestCa(dir: string): Promise<TestCa> {
  const f = (name: string): string => join(dir, name);
  const openssl = async (args: string[]): Promise<void> => {
    const r = await run('openssl', args, { cwd: dir });
    if (r.code !== 0) throw new Error(`openssl ${args.join(' ')}: ${text(r)}`);
  };
  await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.crt'), '-days', '2', '-subj', '/CN=reprise test CA']);
  await openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=localhost']);
  writeFileSync(f('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n');
  await openssl(['x509', '-req', '-in', f('server.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('server.crt'), '-days', '2', '-extfile', f('server.ext')]);
  return { caCert: f('ca.crt'), caPem: readFileSync(f('ca.crt')), certFile: f('server.crt'), keyFile: f('server.key') };
}
