import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The certificate files of one bench run (PEM), all for 127.0.0.1 and localhost. */
export interface BenchCerts {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  /** issued by the same CA, valid from 30 days ago until 2 days ago */
  readonly expiredCertFile: string;
  readonly expiredKeyFile: string;
}

const stamp = (d: Date): string => d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';

/**
 * Makes a CA and two server certificates (one valid for a year, one expired) with `openssl`, EC
 * P-256 as many current backends serve, into `dir`. `openssl ca` is used because it can date a
 * certificate in the past.
 */
export function makeBenchCerts(dir: string): BenchCerts {
  const ca = join(dir, 'ca');
  mkdirSync(join(ca, 'newcerts'), { recursive: true });
  writeFileSync(join(ca, 'index.txt'), '');
  writeFileSync(join(ca, 'serial'), '1000\n');
  const cnf = join(ca, 'ca.cnf');
  writeFileSync(
    cnf,
    [
      '[ca]', 'default_ca = own', '[own]', `dir = ${ca}`, 'database = $dir/index.txt', 'new_certs_dir = $dir/newcerts',
      'serial = $dir/serial', 'default_md = sha256', 'policy = any', 'unique_subject = no', 'copy_extensions = none',
      '[any]', 'commonName = supplied', '[req]', 'distinguished_name = dn', '[dn]',
      '[v3_ca]', 'basicConstraints = critical,CA:TRUE', 'keyUsage = critical,keyCertSign,cRLSign', 'subjectKeyIdentifier = hash',
      '[server]', 'basicConstraints = CA:FALSE', 'keyUsage = critical,digitalSignature', 'extendedKeyUsage = serverAuth',
      'subjectAltName = IP:127.0.0.1,IP:::1,DNS:localhost',
    ].join('\n'),
  );
  const openssl = (args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  };
  const caKey = join(ca, 'ca.key');
  const caFile = join(ca, 'ca.pem');
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', caKey]);
  openssl(['req', '-x509', '-new', '-key', caKey, '-sha256', '-days', '3650', '-subj', '/CN=otel-sentinel bench CA', '-config', cnf, '-extensions', 'v3_ca', '-out', caFile]);
  const issue = (name: string, start: Date, end: Date): { cert: string; key: string } => {
    const key = join(dir, `${name}.key`);
    const csr = join(dir, `${name}.csr`);
    const cert = join(dir, `${name}.pem`);
    openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', key]);
    openssl(['req', '-new', '-key', key, '-subj', `/CN=${name}.bench.test`, '-config', cnf, '-out', csr]);
    openssl(['ca', '-batch', '-notext', '-config', cnf, '-cert', caFile, '-keyfile', caKey, '-startdate', stamp(start), '-enddate', stamp(end), '-extensions', 'server', '-in', csr, '-out', cert]);
    return { cert, key };
  };
  const day = 86_400_000;
  const now = Date.now();
  const good = issue('server', new Date(now - day), new Date(now + 365 * day));
  const expired = issue('expired', new Date(now - 30 * day), new Date(now - 2 * day));
  return { caFile, certFile: good.cert, keyFile: good.key, expiredCertFile: expired.cert, expiredKeyFile: expired.key };
}
