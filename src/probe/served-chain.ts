import type { DetailedPeerCertificate, PeerCertificate } from 'node:tls';

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

const dn = (name: PeerCertificate['subject'] | undefined): string => {
  if (!name) return '';
  return Object.entries(name)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : String(v)}`)
    .join(', ');
};

const iso = (openssl: string): string => {
  const ms = Date.parse(openssl);
  return Number.isNaN(ms) ? openssl : new Date(ms).toISOString();
};

/** Reads the served chain from `getPeerCertificate(true)`; null when the server sent none. */
export function servedChain(leaf: DetailedPeerCertificate | null | undefined): ServedChain | null {
  if (!leaf || !leaf.subject) return null;
  let earliest = Number.POSITIVE_INFINITY;
  let earliestSubject = '';
  const seen = new Set<DetailedPeerCertificate>();
  for (let c: DetailedPeerCertificate | undefined = leaf; c && !seen.has(c); c = c.issuerCertificate) {
    seen.add(c);
    const t = Date.parse(c.valid_to);
    if (t < earliest) {
      earliest = t;
      earliestSubject = dn(c.subject);
    }
  }
  return {
    subject: dn(leaf.subject),
    issuer: dn(leaf.issuer),
    san: leaf.subjectaltname ?? '',
    notBefore: iso(leaf.valid_from),
    notAfter: iso(leaf.valid_to),
    earliestNotAfterMs: earliest,
    earliestSubject,
  };
}
