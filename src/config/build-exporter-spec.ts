import { problem } from '../diagnose/catalogue.js';
import type { Problem } from '../diagnose/problem.js';
import { headerSecrets, redact } from '../diagnose/redact.js';
import type { Facts } from '../diagnose/reason-spec.js';
import { ConfigError } from './config-error.js';
import { child, flag, isRaw, setKey, text, type Raw } from './collector-values.js';
import { isDuration, parseDuration } from './duration.js';
import type { ExporterProtocol, ExporterSpec, TlsSettings } from './exporter-spec.js';
import { formatPath, type EnvReference, type TreePath } from './expand-env.js';
import { readAuthenticator } from './read-authenticator.js';
import { describeValue } from './read-yaml-file.js';
import { quote } from './quote.js';
import { staticProblems } from './static-problems.js';

/** Looked up with exporter types from the config: no prototype, so `constructor` is no type. */
export const OTLP_TYPES: Readonly<Record<string, ExporterProtocol>> = Object.freeze(
  Object.assign(Object.create(null) as Record<string, ExporterProtocol>, {
    otlp: 'grpc',
    otlp_grpc: 'grpc',
    otlphttp: 'http',
    otlp_http: 'http',
  }),
);

const DEFAULT_TIMEOUT_MS: Readonly<Record<ExporterProtocol, number>> = { grpc: 5_000, http: 30_000 };

export interface ExporterInput {
  readonly name: string;
  readonly type: string;
  /** the exporter's block, env-expanded */
  readonly block: unknown;
  /** where the block is in its tree (`exporters.NAME` or `probe.extra_targets[i]`), to match references */
  readonly path: TreePath;
  readonly source: string;
  /** env references of the tree the block comes from */
  readonly references: readonly EnvReference[];
  /** env references of the collector config (for authenticator extensions) */
  readonly collectorReferences: readonly EnvReference[];
  readonly extensions: Raw;
  readonly enabledExtensions: readonly string[] | null;
  readonly now: number;
  readonly certExpiryMs: number;
}

function opt(v: unknown): string | undefined {
  const t = text(v);
  return t === undefined || t === '' ? undefined : t;
}

function readTls(block: unknown): TlsSettings {
  const t = child(block, 'tls');
  return {
    insecure: flag(child(t, 'insecure')),
    insecureSkipVerify: flag(child(t, 'insecure_skip_verify')),
    caFile: opt(child(t, 'ca_file')),
    caPem: opt(child(t, 'ca_pem')),
    certFile: opt(child(t, 'cert_file')),
    certPem: opt(child(t, 'cert_pem')),
    keyFile: opt(child(t, 'key_file')),
    keyPem: opt(child(t, 'key_pem')),
    serverNameOverride: opt(child(t, 'server_name_override')),
    minVersion: opt(child(t, 'min_version')),
  };
}

function readTimeout(input: ExporterInput, protocol: ExporterProtocol, key: string, secrets: readonly string[]): number {
  const v = child(input.block, 'timeout');
  if (v === undefined || v === null || v === '') return DEFAULT_TIMEOUT_MS[protocol];
  const got = typeof v === 'string' ? quote(v) : describeValue(v);
  let ms: number | undefined;
  // mapstructure decodes a bare integer into time.Duration as nanoseconds.
  if (typeof v === 'number') ms = Number.isFinite(v) ? v / 1e6 : undefined;
  else if (typeof v === 'string') ms = isDuration(v) ? parseDuration(v) : undefined;
  if (ms === undefined) throw new ConfigError(input.source, key, redact(`expected a duration like "5s" or "1m30s", got ${got}`, secrets));
  // the collector refuses to start with a negative timeout
  if (ms < 0) throw new ConfigError(input.source, key, redact(`expected a duration of 0 or more (0: no timeout), got ${got}`, secrets));
  return ms;
}

const startsWith = (path: TreePath, prefix: TreePath): boolean =>
  path.length >= prefix.length && prefix.every((s, i) => path[i] === s);

/** Reads one OTLP exporter block as the collector reads it, and its static problems. */
export function buildExporterSpec(input: ExporterInput): ExporterSpec {
  const protocol = OTLP_TYPES[input.type];
  if (!protocol) throw new Error(`not an OTLP exporter type: ${input.type}`);
  const prefix = formatPath(input.path);
  const where: Facts = { exporter: input.name, prefix, source: input.source };
  const block = input.block;
  const headers: Record<string, string> = {};
  const rawHeaders = child(block, 'headers');
  if (isRaw(rawHeaders)) {
    for (const [k, v] of Object.entries(rawHeaders)) setKey(headers, k, text(v) ?? '');
  }
  const secrets: string[] = Object.entries(headers).flatMap(([k, v]) => headerSecrets(k, v));
  const problems: Problem[] = [];

  const tls = readTls(block);
  if (tls.keyPem) secrets.push(tls.keyPem);
  const proxyUrl = protocol === 'http' ? opt(child(block, 'proxy_url')) : undefined;
  const endpoint = text(child(block, 'endpoint')) ?? '';
  const tracesEndpoint = protocol === 'http' ? opt(child(block, 'traces_endpoint')) : undefined;
  // Credentials written into a URL are secrets wherever the URL is.
  for (const url of [proxyUrl, endpoint, tracesEndpoint]) if (url) secrets.push(...userinfoSecrets(url));

  const authenticator = opt(child(child(block, 'auth'), 'authenticator'));
  let dynamicAuth;
  if (authenticator) {
    const auth = readAuthenticator({
      where,
      id: authenticator,
      extensions: input.extensions,
      enabled: input.enabledExtensions,
      references: input.collectorReferences,
    });
    Object.assign(headers, auth.headers);
    secrets.push(...auth.secrets);
    dynamicAuth = auth.dynamic;
    problems.push(...auth.problems);
  }

  // Unset variables: in a header they leave the request without credentials; elsewhere a warning.
  for (const r of input.references) {
    if (r.set || r.defaulted || !startsWith(r.path, input.path)) continue;
    const key = formatPath(r.path.slice(input.path.length));
    const reason = r.path[input.path.length] === 'headers' ? 'missing_credentials' : 'env_var_unset';
    problems.push(problem(reason, { ...where, key, variable: r.variable }));
  }

  const spec: ExporterSpec = {
    name: input.name,
    type: input.type,
    protocol,
    endpoint,
    tracesEndpoint,
    tls,
    headers,
    compression: opt(child(block, 'compression')),
    timeoutMs: readTimeout(input, protocol, `${prefix}.timeout`, secrets),
    proxyUrl,
    source: input.source,
    // longest first: redacting "tok" before "user:tok en" would leave "user:[REDACTED] en" and the rest shown
    secrets: [...new Set(secrets)].sort((a, b) => b.length - a.length),
    configProblems: [],
    ...(dynamicAuth ? { dynamicAuth } : {}),
  };
  const all = [...staticProblems(spec, { where, now: input.now, certExpiryMs: input.certExpiryMs }), ...problems];
  // Messages quote endpoints and details as written; whatever secret they hold is hidden here.
  const safe = all.map((p) => Object.freeze({ ...p, message: redact(p.message, spec.secrets), fix: redact(p.fix, spec.secrets) }));
  return { ...spec, configProblems: safe };
}

/** The userinfo of a URL: user, password, and both as written and decoded. */
function userinfoSecrets(url: string): string[] {
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^@/?#]*)@/i.exec(url.trim());
  const info = m?.[1];
  if (!info) return [];
  const decode = (t: string): string => {
    try {
      return decodeURIComponent(t);
    } catch {
      return t;
    }
  };
  const colon = info.indexOf(':');
  const parts = colon < 0 ? [info] : [info.slice(0, colon), info.slice(colon + 1)];
  return [info, decode(info), ...parts, ...parts.map(decode)].filter((t) => t !== '');
}
