import type { ReasonSpec } from '../reason-spec.js';
import { cert, code, detail, exporter, hostOf, key, plaintextKey, portOf, s, target, tlsKey } from './probe-wording.js';

const sClient = (f: Parameters<ReasonSpec['fix']>[0]): string => `\`openssl s_client -connect ${hostOf(f)}:${portOf(f)} -showcerts\``;

/** Reasons of the `tls` cause (docs/reasons.md) found by the probe; tls_config_invalid is in config.ts. */
export const tlsReasons = {
  tls_unknown_authority: {
    cause: 'tls',
    severity: 'critical',
    summary: 'The server certificate is not signed by a CA the exporter trusts.',
    message: (f) =>
      `${exporter(f)}: the certificate of ${target(f)} is not signed by a trusted CA${code(f)}: ${cert(f)}`,
    fix: (f) =>
      `Set ${key(f, 'tls.ca_file')} to the CA that signed the server certificate (issuer "${s(f.issuer)}"; ${sClient(f)} shows the chain), or make the server send its intermediate certificates; ${key(f, 'tls.insecure_skip_verify')} only for a test`,
  },
  tls_cert_expired: {
    cause: 'tls',
    severity: 'critical',
    summary: 'The server certificate has expired.',
    message: (f) => `${exporter(f)}: the certificate of ${target(f)} expired${code(f)}: ${cert(f)}`,
    fix: (f) => `Renew the server certificate of ${hostOf(f)} (subject "${s(f.subject)}") and reload the server; check with ${sClient(f)}`,
  },
  tls_cert_not_yet_valid: {
    cause: 'tls',
    severity: 'critical',
    summary: 'The server certificate is not valid yet (or a clock is wrong).',
    message: (f) =>
      `${exporter(f)}: the certificate of ${target(f)} is not valid before ${s(f.not_before)}${code(f)}: ${cert(f)}`,
    fix: (f) =>
      `Check the clocks of the collector's host and of ${hostOf(f)} (NTP), or reissue the server certificate with a validity that has started`,
  },
  tls_hostname_mismatch: {
    cause: 'tls',
    severity: 'critical',
    summary: 'The server certificate does not cover the name the exporter connects to.',
    message: (f) =>
      `${exporter(f)}: the certificate of ${target(f)} is not valid for "${s(f.server_name)}"${code(f)}: it covers ${s(f.san, 'no names')}; ${cert(f)}`,
    fix: (f) =>
      `Use a host name in ${key(f, 'endpoint')} that the certificate covers, set ${key(f, 'tls.server_name_override')} to one of them, or reissue the certificate with "${s(f.server_name)}" in its subjectAltName`,
  },
  tls_client_cert_required: {
    cause: 'tls',
    severity: 'critical',
    summary: 'The server requires a client certificate (mTLS) and none is configured.',
    message: (f) =>
      `${exporter(f)}: ${target(f)} requires a client certificate and the exporter has none${code(f)}${detail(f)}`,
    fix: (f) =>
      `Set ${key(f, 'tls.cert_file')} and ${key(f, 'tls.key_file')} to a client certificate signed by a CA the server trusts, and its key`,
  },
  tls_bad_client_cert: {
    cause: 'tls',
    severity: 'critical',
    summary: 'The server rejected the client certificate.',
    message: (f) =>
      `${exporter(f)}: ${target(f)} rejected the client certificate${f.client_subject ? ` "${s(f.client_subject)}"` : ''}${code(f)}${detail(f)}`,
    fix: (f) =>
      `Use in ${key(f, 'tls.cert_file')} a client certificate that is current, made for client authentication, and signed by a CA the server trusts (the server's client CA); check the server's logs for why it refused`,
  },
  tls_server_plaintext: {
    cause: 'tls',
    severity: 'critical',
    summary: 'TLS is configured but the server speaks plaintext.',
    message: (f) =>
      `${exporter(f)}: the exporter speaks TLS but ${target(f)} answered in plaintext${code(f)}${detail(f)}`,
    fix: (f) => `Either turn TLS off for this exporter (${plaintextKey(f)}), or enable TLS on the server's receiver`,
  },
  tls_required: {
    cause: 'tls',
    severity: 'critical',
    summary: 'Plaintext is configured but the server speaks TLS.',
    message: (f) =>
      `${exporter(f)}: the exporter speaks plaintext but ${target(f)} answered with TLS${detail(f)}`,
    fix: (f) => `Turn TLS on for this exporter: ${tlsKey(f)}, and set ${key(f, 'tls.ca_file')} if the server's CA is private`,
  },
  tls_cert_expiring: {
    cause: 'tls',
    severity: 'warning',
    summary: 'A certificate in the served chain expires within thresholds.cert_expiry.',
    message: (f) =>
      `${exporter(f)}: the certificate "${s(f.expiring_subject, s(f.subject))}" served by ${target(f)} expires at ${s(f.not_after)} (in ${s(f.days_left)} days, within thresholds.cert_expiry)`,
    fix: (f) =>
      `Renew the certificate "${s(f.expiring_subject, s(f.subject))}" of ${hostOf(f)} before ${s(f.not_after)}; once it expires the exporter stops sending`,
  },
  tls_handshake_failed: {
    cause: 'tls',
    severity: 'critical',
    summary: 'The TLS handshake failed for another reason (versions, ciphers, a reset).',
    message: (f) => `${exporter(f)}: the TLS handshake with ${target(f)} failed${code(f)}${detail(f)}`,
    fix: (f) =>
      `Compare the server's TLS settings with ${key(f, 'tls.min_version')} and the exporter's TLS settings; ${sClient(f)} shows what the server offers`,
  },
} satisfies Record<string, ReasonSpec>;
