/**
 * Test certificates made with `openssl` at test time, once per test process, in a temp dir that is
 * removed when the process exits. EC P-256 keys keep generation fast. Every certificate is issued
 * by `openssl ca` so validity dates can be set in the past or the future.
 *
 *   const c = testCerts();
 *   c.ca.cert          // PEM of the trusted CA
 *   c.server.cert/key  // 127.0.0.1, ::1, localhost, backend.test
 *   c.expired, c.notYetValid, c.expiringSoon, c.wrongHost, c.untrusted (signed by another CA)
 *   c.client           // clientAuth certificate signed by the CA
 *   c.untrustedClient  // clientAuth certificate signed by the untrusted CA
 *   c.paths.*          // the same as files (for tls.ca_file, cert_file, key_file)
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CertPair {
  readonly cert: string;
  readonly key: string;
  readonly certFile: string;
  readonly keyFile: string;
}

export interface TestCerts {
  readonly dir: string;
  readonly ca: CertPair;
  readonly otherCa: CertPair;
  readonly server: CertPair;
  readonly expired: CertPair;
  readonly notYetValid: CertPair;
  readonly expiringSoon: CertPair;
  readonly wrongHost: CertPair;
  readonly untrusted: CertPair;
  readonly client: CertPair;
  readonly untrustedClient: CertPair;
}

const SERVER_NAMES = 'IP:127.0.0.1,IP:::1,DNS:localhost,DNS:backend.test';

let cached: TestCerts | undefined;

const openssl = (dir: string, args: string[]): void => {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
};

const execFileAsync = promisify(execFile);

const stamp = (d: Date): string => d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';

function caPlan(dir: string, name: string): Plan {
  const d = join(dir, name);
  mkdirSync(join(d, 'newcerts'), { recursive: true });
  writeFileSync(join(d, 'index.txt'), '');
  writeFileSync(join(d, 'serial'), '1000\n');
  writeFileSync(
    join(d, 'ca.cnf'),
    [
      '[ca]',
      'default_ca = own',
      '[own]',
      `dir = ${d}`,
      'database = $dir/index.txt',
      'new_certs_dir = $dir/newcerts',
      'serial = $dir/serial',
      'default_md = sha256',
      'policy = any',
      'unique_subject = no',
      'copy_extensions = none',
      'email_in_dn = no',
      '[any]',
      'commonName = supplied',
      '[req]',
      'distinguished_name = dn',
      '[dn]',
      '[v3_ca]',
      'basicConstraints = critical,CA:TRUE',
      'keyUsage = critical,keyCertSign,cRLSign',
      'subjectKeyIdentifier = hash',
    ].join('\n'),
  );
  const keyFile = join(d, 'ca.key');
  const certFile = join(d, 'ca.pem');
  return {
    cwd: d,
    certFile,
    keyFile,
    steps: [
      ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', keyFile],
      [
        'req', '-x509', '-new', '-key', keyFile, '-sha256', '-days', '3650', '-subj', `/CN=otel-sentinel test ${name}`,
        '-config', join(d, 'ca.cnf'), '-extensions', 'v3_ca', '-out', certFile,
      ],
    ],
  };
}

export interface Issue {
  /** file stem: `dir/<name>.pem` and `dir/<name>.key` */
  readonly name: string;
  readonly cn: string;
  readonly san?: string;
  readonly client?: boolean;
  readonly start: Date;
  readonly end: Date;
}

function issuePlan(dir: string, caName: string, o: Issue): Plan {
  const d = join(dir, caName);
  const keyFile = join(dir, `${o.name}.key`);
  const csr = join(dir, `${o.name}.csr`);
  const certFile = join(dir, `${o.name}.pem`);
  const ext = join(dir, `${o.name}.ext`);
  writeFileSync(
    ext,
    [
      '[ext]',
      'basicConstraints = CA:FALSE',
      'keyUsage = critical,digitalSignature',
      `extendedKeyUsage = ${o.client ? 'clientAuth' : 'serverAuth'}`,
      ...(o.san ? [`subjectAltName = ${o.san}`] : []),
    ].join('\n'),
  );
  return {
    cwd: dir,
    certFile,
    keyFile,
    steps: [
      ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', keyFile],
      ['req', '-new', '-key', keyFile, '-subj', `/CN=${o.cn}`, '-config', join(d, 'ca.cnf'), '-out', csr],
      [
        'ca', '-batch', '-notext', '-config', join(d, 'ca.cnf'), '-cert', join(d, 'ca.pem'), '-keyfile', join(d, 'ca.key'),
        '-startdate', stamp(o.start), '-enddate', stamp(o.end), '-extfile', ext, '-extensions', 'ext', '-in', csr, '-out', certFile,
      ],
    ],
  };
}

/** The openssl commands that make one key and certificate, run in `cwd`. */
interface Plan {
  readonly cwd: string;
  readonly certFile: string;
  readonly keyFile: string;
  readonly steps: readonly string[][];
}

const pairOf = (p: Plan): CertPair => ({
  cert: readFileSync(p.certFile, 'utf8'), key: readFileSync(p.keyFile, 'utf8'), certFile: p.certFile, keyFile: p.keyFile,
});

function runPlan(p: Plan): CertPair {
  for (const args of p.steps) openssl(p.cwd, args);
  return pairOf(p);
}

async function runPlanAsync(p: Plan): Promise<CertPair> {
  for (const args of p.steps) await execFileAsync('openssl', args, { cwd: p.cwd });
  return pairOf(p);
}

/**
 * A CA in `dir/name` (key, self-signed certificate and the `openssl ca` database), EC P-256.
 * Every certificate of the project's tests and benchmarks comes from here and `issueCert`.
 */
export const makeCa = (dir: string, name: string): CertPair => runPlan(caPlan(dir, name));

/** A leaf certificate signed by the CA `makeCa(dir, caName)` made, dated `start` to `end`. */
export const issueCert = (dir: string, caName: string, o: Issue): CertPair => runPlan(issuePlan(dir, caName, o));

/** `makeCa` without holding up the event loop (for servers running in the same process). */
export const makeCaAsync = (dir: string, name: string): Promise<CertPair> => runPlanAsync(caPlan(dir, name));

/** `issueCert` without holding up the event loop. */
export const issueCertAsync = (dir: string, caName: string, o: Issue): Promise<CertPair> => runPlanAsync(issuePlan(dir, caName, o));

/** The test certificates of this process, made on first use. */
export function testCerts(): TestCerts {
  if (cached) return cached;
  const dir = mkdtempSync(join(tmpdir(), 'otel-sentinel-certs-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const day = 86_400_000;
  const now = Date.now();
  const past = new Date(now - day);
  const year = new Date(now + 365 * day);
  const ca = makeCa(dir, 'ca');
  const otherCa = makeCa(dir, 'other-ca');
  const server = (name: string, start: Date, end: Date, san = SERVER_NAMES, cn = 'backend.test', caName = 'ca'): CertPair =>
    issueCert(dir, caName, { name, cn, san, start, end });
  cached = {
    dir,
    ca,
    otherCa,
    server: server('server', past, year),
    expired: server('expired', new Date(now - 30 * day), new Date(now - 2 * day), SERVER_NAMES, 'expired.backend.test'),
    notYetValid: server('not-yet-valid', new Date(now + 30 * day), new Date(now + 400 * day), SERVER_NAMES, 'future.backend.test'),
    expiringSoon: server('expiring-soon', past, new Date(now + 3 * day), SERVER_NAMES, 'expiring.backend.test'),
    wrongHost: server('wrong-host', past, year, 'DNS:other.example', 'other.example'),
    untrusted: server('untrusted', past, year, SERVER_NAMES, 'untrusted.backend.test', 'other-ca'),
    client: issueCert(dir, 'ca', { name: 'client', cn: 'otel-sentinel test client', client: true, start: past, end: year }),
    untrustedClient: issueCert(dir, 'other-ca', {
      name: 'untrusted-client', cn: 'untrusted test client', client: true, start: past, end: year,
    }),
  };
  return cached;
}

/** A server certificate from the trusted CA with the given subject CN and subjectAltName (none: CN only). */
export function issueServerCert(name: string, cn: string, san?: string): CertPair {
  const { dir } = testCerts();
  const day = 86_400_000;
  return issueCert(dir, 'ca', { name, cn, san, start: new Date(Date.now() - day), end: new Date(Date.now() + 365 * day) });
}
