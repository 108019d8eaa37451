import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Client certificates for config tests, made with the openssl command per run: a CA, then
 * client certificates signed by it with `openssl ca` (which takes explicit start and end dates,
 * so an already expired certificate is real, with no clock tricks).
 */
export interface CertDir {
  readonly dir: string;
  readonly caCert: string;
  /** signs a client certificate valid between two dates (YYYYMMDDHHMMSSZ); returns cert and key paths */
  client(name: string, startdate: string, enddate: string): { cert: string; key: string };
  cleanup(): void;
}

const openssl = (cwd: string, args: string[]): void => {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
};

/** YYYYMMDDHHMMSSZ for a time in ms since the epoch. */
export const opensslDate = (ms: number): string =>
  `${new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;

export function makeCertDir(): CertDir {
  const dir = mkdtempSync(join(tmpdir(), 'otel-sentinel-certs-'));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl(dir, ['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '3650', '-subj', '/CN=test-ca']);
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '1000\n');
  writeFileSync(
    join(dir, 'ca.cnf'),
    [
      '[ ca ]',
      'default_ca = local',
      '[ local ]',
      'database = index.txt',
      'new_certs_dir = .',
      'serial = serial',
      'default_md = sha256',
      'policy = any',
      'unique_subject = no',
      '[ any ]',
      'commonName = supplied',
      '',
    ].join('\n'),
  );
  return {
    dir,
    caCert: join(dir, 'ca.crt'),
    client(name, startdate, enddate) {
      openssl(dir, ['req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`]);
      openssl(dir, [
        'ca', '-batch', '-config', 'ca.cnf', '-cert', 'ca.crt', '-keyfile', 'ca.key', '-in', `${name}.csr`,
        '-out', `${name}.crt`, '-startdate', startdate, '-enddate', enddate, '-notext',
      ]);
      return { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
