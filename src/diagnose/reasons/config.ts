import type { Facts, ReasonSpec } from '../reason-spec.js';

/**
 * Reasons found by reading the configuration, before any probe (docs/reasons.md). The probe reuses
 * missing_endpoint, invalid_endpoint and tls_config_invalid with the same facts. Facts never
 * carry a secret: keys, variable names, file names and non-secret values only.
 */

const s = (v: Facts[string], fallback = '?'): string => (v === undefined || v === null || v === '' ? fallback : String(v));
const exporter = (f: Facts): string => `exporter "${s(f.exporter)}"`;
/** where the exporter's keys live: `exporters.NAME`, or `probe.extra_targets[i]` (fact `prefix`) */
const at = (f: Facts, sub: string): string => `${s(f.prefix, `exporters.${s(f.exporter)}`)}.${sub}`;
/** the full dotted key of fact `key`; authenticator keys already start at `extensions.` */
const fullKey = (f: Facts): string => {
  const key = s(f.key, 'endpoint');
  return key.startsWith('extensions.') ? key : at(f, key);
};
const inFile = (f: Facts): string => (f.source ? ` (in ${s(f.source)})` : '');

export const configReasons = {
  missing_endpoint: {
    cause: 'endpoint',
    severity: 'critical',
    summary: 'The exporter has no endpoint to send to.',
    message: (f) => `${exporter(f)} has no ${s(f.key, 'endpoint')}${inFile(f)}: ${s(f.detail, 'no endpoint is set')}`,
    fix: (f) =>
      `Set ${fullKey(f)}: host:port (e.g. "tempo:4317") for a gRPC exporter, a base URL (e.g. "https://tempo:4318") for an HTTP one (a per-signal key such as traces_endpoint takes the full URL, e.g. "https://tempo:4318/v1/traces"); if it comes from an environment variable, set that variable in the collector's environment`,
  },
  invalid_endpoint: {
    cause: 'endpoint',
    severity: 'critical',
    summary: 'The exporter endpoint cannot be parsed the way the collector parses it.',
    message: (f) => `${exporter(f)}: ${s(f.key, 'endpoint')} is unusable${inFile(f)}: ${s(f.detail)}`,
    fix: (f) =>
      `Change ${fullKey(f)}: a gRPC exporter takes host:port (the port is required), http(s)://host:port or dns:///host:port without a path, or unix:///path for a unix socket; an HTTP exporter takes an http:// or https:// URL (traces_endpoint: the full URL ending in /v1/traces)`,
  },
  missing_credentials: {
    cause: 'auth',
    severity: 'critical',
    summary: 'A header or authenticator refers to an environment variable or file that is not there.',
    message: (f) => {
      const what = f.variable
        ? `environment variable ${s(f.variable)} is not set, so the collector sends an empty value`
        : f.file
          ? `file "${s(f.file)}" cannot be read${f.detail ? ` (${s(f.detail)})` : ''}`
          : s(f.detail, 'the credentials are missing');
      return `${exporter(f)}: ${fullKey(f)} has no credentials: ${what}`;
    },
    fix: (f) =>
      f.variable
        ? `Set ${s(f.variable)} in the collector's environment (and restart it), or change ${fullKey(f)}`
        : f.file
          ? `Create "${s(f.file)}" readable by the collector (e.g. mount the token secret there), or change ${fullKey(f)}`
          : f.unlisted_extension
            ? `Add "${s(f.unlisted_extension)}" to service.extensions (the collector starts only the extensions listed there), or change ${fullKey(f)}`
            : f.undefined_extension
              ? `Define extensions.${s(f.undefined_extension)} (and list it in service.extensions), or change ${fullKey(f)} to an extension that is defined`
              : `Fill in ${fullKey(f)}`,
  },
  tls_config_invalid: {
    cause: 'tls',
    severity: 'critical',
    summary: 'A TLS file or PEM of the exporter cannot be read or parsed, or the key does not match the certificate.',
    message: (f) => `${exporter(f)}: ${s(f.key, 'tls')} is unusable: ${s(f.detail)}`,
    fix: (f) =>
      `Fix ${at(f, s(f.key, 'tls'))}: a readable PEM file (ca_file: the CA that signed the server certificate; cert_file and key_file: the client certificate and its matching private key)`,
  },
  grpc_port_mismatch: {
    cause: 'protocol',
    severity: 'warning',
    summary: 'A gRPC exporter is aimed at the OTLP/HTTP port 4318.',
    message: (f) =>
      `${exporter(f)} speaks OTLP/gRPC but its endpoint "${s(f.endpoint)}" is port 4318, the OTLP/HTTP port`,
    fix: (f) =>
      `Set ${at(f, 'endpoint')} to the gRPC port (usually 4317, e.g. "host:4317"), or use an otlp_http exporter for port 4318: otlp_http exporters send to port 4318 and append /v1/traces`,
  },
  http_port_mismatch: {
    cause: 'protocol',
    severity: 'warning',
    summary: 'An HTTP exporter is aimed at the OTLP/gRPC port 4317.',
    message: (f) =>
      `${exporter(f)} speaks OTLP/HTTP but its endpoint "${s(f.endpoint)}" is port 4317, the OTLP/gRPC port`,
    fix: (f) =>
      `Set ${at(f, 'endpoint')} to the HTTP port (otlp_http exporters send to port 4318 and append /v1/traces, e.g. "http://host:4318"), or use an otlp_grpc exporter for port 4317`,
  },
  insecure_with_https: {
    cause: 'tls',
    severity: 'warning',
    summary: 'The endpoint is https:// but tls.insecure is true; the collector speaks TLS anyway.',
    message: (f) =>
      `${exporter(f)}: endpoint "${s(f.endpoint)}" is https:// and tls.insecure is true; the collector ignores insecure for an https:// endpoint and speaks TLS, verifying the server against ${f.ca ? 'the configured CA' : "the system's roots"}`,
    fix: (f) =>
      `For plaintext, set ${at(f, 'endpoint')} to an http:// URL; for TLS, remove ${at(f, 'tls.insecure')} (and set tls.ca_file if the server's CA is private)`,
  },
  traces_path_unusual: {
    cause: 'endpoint',
    severity: 'warning',
    summary: 'traces_endpoint does not end in /v1/traces.',
    message: (f) =>
      `${exporter(f)}: traces_endpoint "${s(f.traces_endpoint)}" has path "${s(f.path, '/')}", not ending in /v1/traces; traces_endpoint is used as is (nothing is appended)`,
    fix: (f) =>
      `Set ${at(f, 'traces_endpoint')} to the full URL ending in /v1/traces (e.g. "https://host:4318/v1/traces"), or remove it and set endpoint to the base URL (the collector appends /v1/traces)`,
  },
  tls_client_cert_expired: {
    cause: 'tls',
    severity: 'critical',
    summary: 'The exporter client certificate has expired.',
    message: (f) =>
      `${exporter(f)}: the client certificate ${s(f.subject)} from ${s(f.key)}${f.file ? ` "${s(f.file)}"` : ''} expired at ${s(f.not_after)}`,
    fix: (f) =>
      `Renew the client certificate and replace ${at(f, s(f.key))} (and its key) with the new one, then restart or reload the collector`,
  },
  tls_client_cert_expiring: {
    cause: 'tls',
    severity: 'warning',
    summary: 'The exporter client certificate expires soon.',
    message: (f) =>
      `${exporter(f)}: the client certificate ${s(f.subject)} from ${s(f.key)}${f.file ? ` "${s(f.file)}"` : ''} expires at ${s(f.not_after)} (in ${s(f.remaining)}, within thresholds.cert_expiry ${s(f.threshold)})`,
    fix: (f) =>
      `Renew the client certificate before ${s(f.not_after)} and replace ${at(f, s(f.key))} (and its key)`,
  },
  invalid_header_value: {
    cause: 'auth',
    severity: 'critical',
    summary: 'A header value holds a character the collector refuses to send, so every export fails.',
    message: (f) =>
      `${exporter(f)}: ${fullKey(f)} holds ${s(f.what)}, which the collector cannot send in ${f.protocol === 'grpc' ? 'gRPC metadata ("contains value with non-printable ASCII characters")' : 'an HTTP header ("invalid header field value")'}: every export fails, and is not retried`,
    fix: (f) =>
      `Remove it from the value of ${fullKey(f)}${f.reference ? ` (it comes from ${s(f.reference)})` : ''}: a file or secret written with a trailing newline (echo, a text editor) is the usual cause; write it with printf '%s' or kubectl create secret --from-literal`,
  },
  env_var_unset: {
    cause: 'endpoint',
    severity: 'warning',
    summary: 'The exporter config refers to an environment variable that is not set.',
    message: (f) =>
      `${exporter(f)}: ${fullKey(f)} refers to environment variable ${s(f.variable)}, which is not set in the collector's environment; the collector uses an empty value`,
    fix: (f) =>
      `Set ${s(f.variable)} in the collector's environment, or give a default with \${env:${s(f.variable)}:-VALUE} in ${fullKey(f)}`,
  },
  unknown_exporter_key: {
    cause: 'endpoint',
    severity: 'warning',
    summary: 'The exporter has a key that the OTLP exporters of the collector release otel-sentinel knows do not have.',
    message: (f) =>
      `${exporter(f)} has the key ${at(f, s(f.key))}${inFile(f)}, which a ${s(f.type)} exporter of collector ${s(f.release)} does not have: that release refuses the whole config ("has invalid keys: ${s(f.key)}") and does not start`,
    fix: (f) =>
      `Remove ${at(f, s(f.key))}${f.hint ? ` (${s(f.hint)})` : ''}; if the collector is a newer release that has this key, nothing needs to change (\`otelcol validate --config FILE\` says which)`,
  },
} satisfies Record<string, ReasonSpec>;
