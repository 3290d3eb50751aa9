import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A fresh self-signed certificate for localhost / 127.0.0.1 (and `extraNames`), made with the openssl command. */
export function makeSelfSignedCert(extraNames: string[] = []): { dir: string; certFile: string; keyFile: string; cert: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unifone-tls-'));
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '2',
      '-subj', '/CN=localhost',
      '-addext', `subjectAltName=${['DNS:localhost', 'IP:127.0.0.1', ...extraNames.map((n) => (/^[\d.]+$/.test(n) ? `IP:${n}` : `DNS:${n}`))].join(',')}`,
      '-keyout', keyFile, '-out', certFile,
    ],
    { stdio: 'ignore' },
  );
  return { dir, certFile, keyFile, cert: fs.readFileSync(certFile, 'utf8') };
}
