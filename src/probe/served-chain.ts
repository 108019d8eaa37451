import type { X509Certificate } from 'node:crypto';

/** What the probe shows of the certificate chain a server sent. */
export interface ServedChain {
  readonly subject: string;
  readonly issuer: string;
  /** subjectAltName of the leaf, as OpenSSL prints it */
  readonly san: string;
  readonly notBefore: string;
  /** the leaf's expiry, ISO 8601 */
  readonly notAfter: string;
  /** the earliest expiry in the chain and whose it is */
  readonly earliestNotAfterMs: number;
  readonly earliestSubject: string;
}

/** X509Certificate prints names one attribute per line; messages want them on one. */
const dn = (name: string | undefined): string => (name ? name.split('\n').filter(Boolean).join(', ') : '');

const iso = (openssl: string): string => {
  const ms = Date.parse(openssl);
  return Number.isNaN(ms) ? openssl : new Date(ms).toISOString();
};

/** Longer than any real chain; stops a walk that would not end. */
const MAX_CHAIN = 10;

/**
 * Reads the served chain from the peer's X509Certificate (`getPeerX509Certificate()`), following
 * `issuerCertificate`; null when the server sent none. X509Certificate parses its fields lazily,
 * where `getPeerCertificate(true)` builds every field and fingerprint of every certificate: this
 * halves what reading the chain costs a TLS probe.
 */
export function servedChain(leaf: X509Certificate | null | undefined): ServedChain | null {
  if (!leaf) return null;
  let earliest = Number.POSITIVE_INFINITY;
  let earliestSubject = '';
  let c: X509Certificate | undefined = leaf;
  for (let n = 0; c && n < MAX_CHAIN; n++) {
    const t = Date.parse(c.validTo);
    if (t < earliest) {
      earliest = t;
      earliestSubject = dn(c.subject);
    }
    if (c.subject === c.issuer) break; // a self-signed root is its own issuer
    c = c.issuerCertificate;
  }
  return {
    subject: dn(leaf.subject),
    issuer: dn(leaf.issuer),
    san: leaf.subjectAltName ?? '',
    notBefore: iso(leaf.validFrom),
    notAfter: iso(leaf.validTo),
    earliestNotAfterMs: earliest,
    earliestSubject,
  };
}
