// What the first failing layer saw -> the reason code, as one table: each row is a layer, the code
// it reports (an errno, an OpenSSL code or TLS alert, or one of OBSERVED), its facts, and the reason.
import t from 'tap';
import { classifyFailure, type ClassifyContext } from '../../src/diagnose/classify-failure.js';
import { reasonSpec, type ReasonCode } from '../../src/diagnose/catalogue.js';
import { OBSERVED, type LayerName } from '../../src/probe/layer.js';
import type { Facts } from '../../src/diagnose/reason-spec.js';

interface Row {
  readonly layer: LayerName;
  readonly code: string;
  readonly facts?: Facts;
  readonly ctx?: Partial<ClassifyContext>;
  readonly reason: ReasonCode;
}

const TABLE: readonly Row[] = [
  // auth (the oauth2client token)
  { layer: 'auth', code: 'TOKEN_URL', reason: 'oauth2_token_failed' },
  // proxy
  { layer: 'proxy', code: 'ECONNREFUSED', reason: 'proxy_unreachable' },
  { layer: 'proxy', code: OBSERVED.timeout, reason: 'proxy_unreachable' },
  { layer: 'proxy', code: OBSERVED.proxyStatus, facts: { status: 407 }, reason: 'proxy_rejected' },
  // dns
  { layer: 'dns', code: 'ENOTFOUND', reason: 'dns_not_found' },
  { layer: 'dns', code: 'EAI_NONAME', reason: 'dns_not_found' },
  { layer: 'dns', code: 'ENODATA', reason: 'dns_not_found' },
  { layer: 'dns', code: 'EAI_NODATA', reason: 'dns_not_found' },
  { layer: 'dns', code: 'NXDOMAIN', reason: 'dns_not_found' },
  { layer: 'dns', code: 'EAI_AGAIN', reason: 'dns_unavailable' },
  { layer: 'dns', code: OBSERVED.timeout, reason: 'dns_unavailable' },
  { layer: 'dns', code: 'ENOTFOUND', ctx: { proxied: true }, reason: 'proxy_unreachable' },
  // connect
  { layer: 'connect', code: 'ECONNREFUSED', reason: 'connection_refused' },
  { layer: 'connect', code: OBSERVED.timeout, reason: 'connect_timeout' },
  { layer: 'connect', code: 'ETIMEDOUT', reason: 'connect_timeout' },
  { layer: 'connect', code: 'EHOSTUNREACH', reason: 'host_unreachable' },
  { layer: 'connect', code: 'ENETUNREACH', reason: 'host_unreachable' },
  { layer: 'connect', code: 'EHOSTDOWN', reason: 'host_unreachable' },
  { layer: 'connect', code: 'ENETDOWN', reason: 'host_unreachable' },
  { layer: 'connect', code: 'EADDRNOTAVAIL', reason: 'host_unreachable' },
  { layer: 'connect', code: 'ECONNRESET', reason: 'connection_reset' },
  { layer: 'connect', code: 'ECONNABORTED', reason: 'connection_reset' },
  { layer: 'connect', code: 'EPIPE', reason: 'connection_reset' },
  { layer: 'connect', code: 'ESOMETHINGELSE', reason: 'host_unreachable' },
  // tls
  { layer: 'tls', code: OBSERVED.timeout, reason: 'response_timeout' },
  { layer: 'tls', code: OBSERVED.noAlpn, reason: 'tls_handshake_failed' },
  { layer: 'tls', code: 'ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL', ctx: { protocol: 'grpc' }, reason: 'grpc_to_http_server' },
  { layer: 'tls', code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', reason: 'tls_unknown_authority' },
  { layer: 'tls', code: 'SELF_SIGNED_CERT_IN_CHAIN', reason: 'tls_unknown_authority' },
  { layer: 'tls', code: 'DEPTH_ZERO_SELF_SIGNED_CERT', reason: 'tls_unknown_authority' },
  { layer: 'tls', code: 'UNABLE_TO_GET_ISSUER_CERT', reason: 'tls_unknown_authority' },
  { layer: 'tls', code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', reason: 'tls_unknown_authority' },
  { layer: 'tls', code: 'CERT_UNTRUSTED', reason: 'tls_unknown_authority' },
  { layer: 'tls', code: 'CERT_HAS_EXPIRED', reason: 'tls_cert_expired' },
  { layer: 'tls', code: 'CERT_NOT_YET_VALID', reason: 'tls_cert_not_yet_valid' },
  { layer: 'tls', code: 'ERR_TLS_CERT_ALTNAME_INVALID', reason: 'tls_hostname_mismatch' },
  { layer: 'tls', code: 'HOSTNAME_MISMATCH', reason: 'tls_hostname_mismatch' },
  { layer: 'tls', code: 'IP_ADDRESS_MISMATCH', reason: 'tls_hostname_mismatch' },
  { layer: 'tls', code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', reason: 'tls_client_cert_required' },
  { layer: 'tls', code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', ctx: { sentClientCert: true }, reason: 'tls_client_cert_required' },
  { layer: 'tls', code: OBSERVED.clientCertRefused, reason: 'tls_bad_client_cert' },
  { layer: 'tls', code: 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', reason: 'tls_client_cert_required' },
  { layer: 'tls', code: 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', ctx: { sentClientCert: true }, reason: 'tls_bad_client_cert' },
  { layer: 'tls', code: 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE', ctx: { sentClientCert: true }, reason: 'tls_bad_client_cert' },
  { layer: 'tls', code: 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', ctx: { sentClientCert: true }, reason: 'tls_bad_client_cert' },
  { layer: 'tls', code: 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', reason: 'tls_client_cert_required' },
  { layer: 'tls', code: 'ERR_SSL_WRONG_VERSION_NUMBER', reason: 'tls_server_plaintext' },
  { layer: 'tls', code: 'ERR_SSL_PACKET_LENGTH_TOO_LONG', reason: 'tls_server_plaintext' },
  { layer: 'tls', code: 'ERR_SSL_HTTP_REQUEST', reason: 'tls_server_plaintext' },
  { layer: 'tls', code: 'ERR_SSL_RECORD_LAYER_FAILURE', reason: 'tls_server_plaintext' },
  { layer: 'tls', code: 'ERR_SSL_UNEXPECTED_EOF_WHILE_READING', reason: 'tls_server_plaintext' },
  { layer: 'tls', code: 'ECONNRESET', reason: 'tls_handshake_failed' },
  { layer: 'tls', code: OBSERVED.closed, reason: 'tls_handshake_failed' },
  // request: what the answer was
  { layer: 'request', code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', reason: 'tls_client_cert_required' },
  { layer: 'request', code: 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE', ctx: { sentClientCert: true }, reason: 'tls_bad_client_cert' },
  { layer: 'request', code: 'ERR_SSL_WRONG_VERSION_NUMBER', reason: 'connection_reset' },
  { layer: 'request', code: OBSERVED.peerTls, reason: 'tls_required' },
  { layer: 'request', code: OBSERVED.peerHttp1, reason: 'grpc_to_http_server' },
  { layer: 'request', code: OBSERVED.peerHttp2, reason: 'http_to_grpc_server' },
  { layer: 'request', code: OBSERVED.peerUnknown, reason: 'unexpected_answer' },
  { layer: 'request', code: OBSERVED.timeout, reason: 'response_timeout' },
  { layer: 'request', code: OBSERVED.closed, reason: 'connection_reset' },
  { layer: 'request', code: 'ECONNRESET', reason: 'connection_reset' },
  // request: an HTTP status
  { layer: 'request', code: OBSERVED.httpStatus, facts: { status: 400 }, reason: 'bad_request' },
  { layer: 'request', code: OBSERVED.httpStatus, facts: { status: 401 }, reason: 'unauthorized' },
  { layer: 'request', code: OBSERVED.httpStatus, facts: { status: 403 }, reason: 'forbidden' },
  { layer: 'request', code: OBSERVED.httpStatus, facts: { status: 404 }, reason: 'http_not_found' },
  { layer: 'request', code: OBSERVED.httpStatus, facts: { status: 405 }, reason: 'http_not_found' },
  { layer: 'request', code: OBSERVED.httpStatus, facts: { status: 415 }, reason: 'unsupported_media_type' },
  { layer: 'request', code: OBSERVED.httpStatus, facts: { status: 429 }, reason: 'throttled' },
  { layer: 'request', code: OBSERVED.httpStatus, facts: { status: 500 }, reason: 'server_error' },
  { layer: 'request', code: OBSERVED.httpStatus, facts: { status: 501 }, reason: 'server_error' },
  { layer: 'request', code: OBSERVED.httpStatus, facts: { status: 502 }, reason: 'unavailable' },
  { layer: 'request', code: OBSERVED.httpStatus, facts: { status: 503 }, reason: 'unavailable' },
  { layer: 'request', code: OBSERVED.httpStatus, facts: { status: 504 }, reason: 'unavailable' },
  { layer: 'request', code: OBSERVED.httpStatus, facts: { status: 413 }, reason: 'bad_request' },
  // request: a gRPC status
  { layer: 'request', code: OBSERVED.grpcStatus, facts: { grpc_status: 'UNAUTHENTICATED' }, reason: 'unauthorized' },
  { layer: 'request', code: OBSERVED.grpcStatus, facts: { grpc_status: 'PERMISSION_DENIED' }, reason: 'forbidden' },
  { layer: 'request', code: OBSERVED.grpcStatus, facts: { grpc_status: 'UNAVAILABLE' }, reason: 'unavailable' },
  { layer: 'request', code: OBSERVED.grpcStatus, facts: { grpc_status: 'RESOURCE_EXHAUSTED' }, reason: 'throttled' },
  { layer: 'request', code: OBSERVED.grpcStatus, facts: { grpc_status: 'UNIMPLEMENTED' }, reason: 'grpc_unimplemented' },
  { layer: 'request', code: OBSERVED.grpcStatus, facts: { grpc_status: 'INTERNAL' }, reason: 'server_error' },
  { layer: 'request', code: OBSERVED.grpcStatus, facts: { grpc_status: 'UNKNOWN' }, reason: 'server_error' },
  { layer: 'request', code: OBSERVED.grpcStatus, facts: { grpc_status: 'DEADLINE_EXCEEDED' }, reason: 'response_timeout' },
  { layer: 'request', code: OBSERVED.grpcStatus, facts: { grpc_status: 'INVALID_ARGUMENT' }, reason: 'bad_request' },
  { layer: 'request', code: OBSERVED.grpcStatus, facts: { grpc_status: 'DATA_LOSS' }, reason: 'server_error' },
  // request: a gRPC call answered by plain HTTP (grpc-js keeps the HTTP status)
  { layer: 'request', code: OBSERVED.grpcStatus, facts: { grpc_status: 'UNAUTHENTICATED', status: 401 }, reason: 'unauthorized' },
  { layer: 'request', code: OBSERVED.grpcStatus, facts: { grpc_status: 'PERMISSION_DENIED', status: 403 }, reason: 'forbidden' },
  { layer: 'request', code: OBSERVED.grpcStatus, facts: { grpc_status: 'UNAVAILABLE', status: 429 }, reason: 'throttled' },
  { layer: 'request', code: OBSERVED.grpcStatus, facts: { grpc_status: 'UNAVAILABLE', status: 503 }, reason: 'unavailable' },
  { layer: 'request', code: OBSERVED.grpcStatus, facts: { grpc_status: 'UNKNOWN', status: 500 }, reason: 'server_error' },
  { layer: 'request', code: OBSERVED.grpcStatus, facts: { grpc_status: 'UNIMPLEMENTED', status: 404 }, reason: 'grpc_to_http_server' },
  { layer: 'request', code: OBSERVED.grpcStatus, facts: { grpc_status: 'INTERNAL', status: 400 }, reason: 'grpc_to_http_server' },
];

t.test('each layer failure code gives its reason', (t) => {
  for (const row of TABLE) {
    const ctx: ClassifyContext = { sentClientCert: false, proxied: false, ...row.ctx };
    const got = classifyFailure({ layer: row.layer, code: row.code, facts: row.facts ?? {} }, ctx);
    const how = `${row.layer} ${row.code}${row.facts ? ` ${JSON.stringify(row.facts)}` : ''}${row.ctx ? ` ${JSON.stringify(row.ctx)}` : ''}`;
    t.equal(got, row.reason, how);
  }
  t.end();
});

t.test('the table covers every observation code and only reasons of the catalogue', (t) => {
  const codes = new Set(TABLE.map((r) => r.code));
  for (const code of Object.values(OBSERVED)) t.ok(codes.has(code), `${code} has a row`);
  for (const layer of ['proxy', 'dns', 'connect', 'tls', 'request'] as const) t.ok(TABLE.some((r) => r.layer === layer), `${layer} has rows`);
  for (const r of new Set(TABLE.map((r) => r.reason))) t.ok(reasonSpec(r), `${r} is in the catalogue`);
  t.end();
});
