import * as tls from 'node:tls';
import { readBoundedTextSync, FILE_LIMITS } from './read-bounded-file.js';

/**
 * The system's trusted roots, as Go's crypto/x509 SystemCertPool finds them on Linux, for an
 * exporter with `tls.include_system_ca_certs_pool: true` (configtls adds its `ca_file` to them).
 * Node.js 22.15 and later read the same store through OpenSSL's default locations, which honour
 * SSL_CERT_FILE and SSL_CERT_DIR as Go does. Older Node.js has no such call: the PEM bundle Go would
 * read is read here (SSL_CERT_FILE, else the first of Go's files that exists); an unreadable one
 * gives no roots, so only the exporter's CA is trusted, as before. PEM text, read once.
 */
let roots: readonly string[] | null = null;

/** Go's certFiles for Linux (crypto/x509/root_linux.go), in its order. */
const GO_CERT_FILES = [
  '/etc/ssl/certs/ca-certificates.crt',
  '/etc/pki/tls/certs/ca-bundle.crt',
  '/etc/ssl/ca-bundle.pem',
  '/etc/pki/tls/cacert.pem',
  '/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem',
  '/etc/ssl/cert.pem',
];

type WithSystemStore = typeof tls & { getCACertificates?: (type: 'system') => string[] };

export function systemRoots(env: NodeJS.ProcessEnv = process.env): readonly string[] {
  if (roots) return roots;
  const fromNode = (tls as WithSystemStore).getCACertificates;
  if (typeof fromNode === 'function') return (roots = Object.freeze(fromNode('system')));
  const files = env.SSL_CERT_FILE ? [env.SSL_CERT_FILE] : GO_CERT_FILES;
  for (const file of files) {
    try {
      // one string: a TLS context's `ca` takes a bundle of concatenated PEM certificates as it is
      return (roots = Object.freeze([readBoundedTextSync(file, FILE_LIMITS.tls)]));
    } catch {
      // not there: Go tries the next
    }
  }
  return (roots = Object.freeze([]));
}
