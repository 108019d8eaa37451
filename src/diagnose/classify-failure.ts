import type { LayerFailure } from '../probe/layer.js';
import { OBSERVED } from '../probe/layer.js';
import { NO_APPLICATION_PROTOCOL } from '../probe/error-code.js';
import type { ExporterProtocol } from '../config/exporter-spec.js';
import { PROTOCOLS } from '../config/protocols.js';
import type { ReasonCode } from './catalogue.js';

/** What the classifier needs to know beyond the failure itself. */
export interface ClassifyContext {
  /** whether the exporter presented a client certificate */
  readonly sentClientCert: boolean;
  /** whether the exporter went through a proxy */
  readonly proxied: boolean;
  /** the exporter's protocol (absent: not known) */
  readonly protocol?: ExporterProtocol;
}

const DNS_NOT_FOUND = new Set(['ENOTFOUND', 'EAI_NONAME', 'ENODATA', 'EAI_NODATA', 'NXDOMAIN']);

const CONNECT: Readonly<Record<string, ReasonCode>> = {
  ECONNREFUSED: 'connection_refused',
  // a unix socket's path that is gone (the backend removed it when it stopped)
  ENOENT: 'connection_refused',
  [OBSERVED.timeout]: 'connect_timeout',
  ETIMEDOUT: 'connect_timeout',
  EHOSTUNREACH: 'host_unreachable',
  ENETUNREACH: 'host_unreachable',
  EHOSTDOWN: 'host_unreachable',
  ENETDOWN: 'host_unreachable',
  EADDRNOTAVAIL: 'host_unreachable',
  ECONNRESET: 'connection_reset',
  ECONNABORTED: 'connection_reset',
  EPIPE: 'connection_reset',
};

/** OpenSSL verification results (X509_V_ERR_*) and Node's own check of the name. */
const VERIFY: Readonly<Record<string, ReasonCode>> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'tls_unknown_authority',
  SELF_SIGNED_CERT_IN_CHAIN: 'tls_unknown_authority',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'tls_unknown_authority',
  UNABLE_TO_GET_ISSUER_CERT: 'tls_unknown_authority',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'tls_unknown_authority',
  CERT_UNTRUSTED: 'tls_unknown_authority',
  CERT_HAS_EXPIRED: 'tls_cert_expired',
  CERT_NOT_YET_VALID: 'tls_cert_not_yet_valid',
  ERR_TLS_CERT_ALTNAME_INVALID: 'tls_hostname_mismatch',
  HOSTNAME_MISMATCH: 'tls_hostname_mismatch',
  IP_ADDRESS_MISMATCH: 'tls_hostname_mismatch',
};

/** The server saying plaintext where a TLS record was expected. */
const PLAINTEXT = new Set([
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_SSL_PACKET_LENGTH_TOO_LONG',
  'ERR_SSL_HTTP_REQUEST',
  'ERR_SSL_RECORD_LAYER_FAILURE',
  'ERR_SSL_UNEXPECTED_EOF_WHILE_READING',
]);

/** Alerts a server sends about the client certificate (TLS 1.2 during, TLS 1.3 after, the handshake). */
const CLIENT_CERT_ALERTS = new Set([
  'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
  'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE',
  'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
  'ERR_SSL_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_REVOKED',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN',
  'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
  'ERR_SSL_TLSV1_ALERT_ACCESS_DENIED',
  'ERR_SSL_TLSV1_ALERT_DECRYPT_ERROR',
]);

function tlsReason(code: string, c: ClassifyContext): ReasonCode | undefined {
  const verify = VERIFY[code];
  if (verify) return verify;
  if (code === 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED') return 'tls_client_cert_required';
  if (code === OBSERVED.clientCertRefused) return 'tls_bad_client_cert';
  if (CLIENT_CERT_ALERTS.has(code)) return c.sentClientCert ? 'tls_bad_client_cert' : 'tls_client_cert_required';
  if (PLAINTEXT.has(code)) return 'tls_server_plaintext';
  return undefined;
}

function httpStatusReason(status: number): ReasonCode {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404 || status === 405) return 'http_not_found';
  if (status === 415) return 'unsupported_media_type';
  if (status === 429) return 'throttled';
  if (status === 502 || status === 503 || status === 504) return 'unavailable';
  if (status >= 500) return 'server_error';
  return 'bad_request';
}

const GRPC: Readonly<Record<string, ReasonCode>> = {
  UNAUTHENTICATED: 'unauthorized',
  PERMISSION_DENIED: 'forbidden',
  UNAVAILABLE: 'unavailable',
  RESOURCE_EXHAUSTED: 'throttled',
  UNIMPLEMENTED: 'grpc_unimplemented',
  INTERNAL: 'server_error',
  UNKNOWN: 'server_error',
  DEADLINE_EXCEEDED: 'response_timeout',
  INVALID_ARGUMENT: 'bad_request',
};

/**
 * A gRPC call that got a plain HTTP answer (grpc-js turns the status into a gRPC code and keeps the
 * number in its details). A gRPC server always answers HTTP 200, so the answer came from an HTTP
 * server that is not gRPC, or from a proxy or load balancer in front of one: its credentials and
 * availability statuses say more than the derived gRPC code; anything else means "not gRPC".
 */
function grpcHttpReason(status: number): ReasonCode {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 429) return 'throttled';
  if (status === 502 || status === 503 || status === 504) return 'unavailable';
  if (status >= 500) return 'server_error';
  return 'grpc_to_http_server';
}

/**
 * Turns what the first failing layer saw into a reason code of the catalogue: by errno, OpenSSL
 * verification code or TLS alert, HTTP status, gRPC status, or what the first bytes looked like.
 */
export function classifyFailure(f: LayerFailure, c: ClassifyContext): ReasonCode {
  const code = f.code;
  switch (f.layer) {
    case 'auth':
      return 'oauth2_token_failed';
    case 'proxy':
      return code === OBSERVED.proxyStatus ? 'proxy_rejected' : 'proxy_unreachable';
    case 'dns':
      if (c.proxied) return 'proxy_unreachable';
      return DNS_NOT_FOUND.has(code) ? 'dns_not_found' : 'dns_unavailable';
    case 'connect':
      return CONNECT[code] ?? 'host_unreachable';
    case 'tls':
      if (code === OBSERVED.timeout) return 'response_timeout';
      if (code === NO_APPLICATION_PROTOCOL && c.protocol !== undefined && PROTOCOLS[c.protocol].requiresAlpnH2) return 'grpc_to_http_server';
      return tlsReason(code, c) ?? 'tls_handshake_failed';
    case 'request': {
      const tls = tlsReason(code, c);
      if (tls && tls !== 'tls_server_plaintext') return tls;
      switch (code) {
        case OBSERVED.peerTls:
          return 'tls_required';
        case OBSERVED.peerHttp1:
          return 'grpc_to_http_server';
        case OBSERVED.peerHttp2:
          return 'http_to_grpc_server';
        case OBSERVED.peerUnknown:
          return 'unexpected_answer';
        case OBSERVED.timeout:
          return 'response_timeout';
        case OBSERVED.httpStatus:
          return httpStatusReason(Number(f.facts.status));
        case OBSERVED.grpcStatus: {
          const http = f.facts.status;
          if (typeof http === 'number') return grpcHttpReason(http);
          return GRPC[String(f.facts.grpc_status)] ?? 'server_error';
        }
        default:
          return 'connection_reset';
      }
    }
  }
}
