/**
 * The cause/reason taxonomy of CONTRACT §5, as the minimum the runbooks and alert rules must cover.
 * The catalogue in src/diagnose may add reasons; it may never drop one of these.
 */
export const CONTRACT_REASONS = {
  network: [
    'connection_refused',
    'connect_timeout',
    'host_unreachable',
    'connection_reset',
    'dns_unavailable',
    'proxy_unreachable',
    'proxy_rejected',
  ],
  endpoint: ['dns_not_found', 'invalid_endpoint', 'http_not_found', 'missing_endpoint'],
  tls: [
    'tls_unknown_authority',
    'tls_cert_expired',
    'tls_cert_not_yet_valid',
    'tls_hostname_mismatch',
    'tls_client_cert_required',
    'tls_bad_client_cert',
    'tls_server_plaintext',
    'tls_required',
    'tls_config_invalid',
    'tls_cert_expiring',
    'tls_handshake_failed',
  ],
  auth: ['unauthorized', 'forbidden', 'missing_credentials'],
  backend: ['unavailable', 'throttled', 'server_error', 'response_timeout', 'slow_response'],
  protocol: ['grpc_to_http_server', 'http_to_grpc_server', 'unsupported_media_type', 'grpc_unimplemented', 'bad_request'],
  resources: ['fd_near_limit', 'fd_exhausted', 'memory_near_limit', 'oom_killed', 'collector_not_found'],
  queue: ['queue_near_capacity', 'queue_full', 'send_failing'],
} as const satisfies Record<string, readonly string[]>;

export type ContractCause = keyof typeof CONTRACT_REASONS;
export const CONTRACT_CAUSES = Object.keys(CONTRACT_REASONS) as ContractCause[];
