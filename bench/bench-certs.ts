import { issueCert, makeCa } from '../test/helpers/certs.js';

/** The certificate files of one bench run (PEM), all for 127.0.0.1 and localhost. */
export interface BenchCerts {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  /** issued by the same CA, valid from 30 days ago until 2 days ago */
  readonly expiredCertFile: string;
  readonly expiredKeyFile: string;
}

const SAN = 'IP:127.0.0.1,IP:::1,DNS:localhost';

/**
 * A CA and two server certificates (one valid for a year, one expired) in `dir`, from the same
 * factory as the tests' certificates (EC P-256, as many current backends serve).
 */
export function makeBenchCerts(dir: string): BenchCerts {
  const ca = makeCa(dir, 'ca');
  const day = 86_400_000;
  const now = Date.now();
  const server = (name: string, start: number, end: number) =>
    issueCert(dir, 'ca', { name, cn: `${name}.bench.test`, san: SAN, start: new Date(start), end: new Date(end) });
  const good = server('server', now - day, now + 365 * day);
  const expired = server('expired', now - 30 * day, now - 2 * day);
  return { caFile: ca.certFile, certFile: good.certFile, keyFile: good.keyFile, expiredCertFile: expired.certFile, expiredKeyFile: expired.keyFile };
}
