import { finding, type Finding } from '../diagnose/finding.js';
import { configProblems, exporterConfigProblems } from '../diagnose/static-problems.js';
import { headerSecrets, redact } from '../diagnose/redact.js';
import type { Facts } from '../diagnose/reason-spec.js';
import { ConfigError } from './config-error.js';
import { child, flag, isRaw, setKey, text, type Raw } from './collector-values.js';
import { isDuration, parseDuration } from './duration.js';
import type { ExporterProtocol, ExporterSpec, Signal, TlsSettings, ValueSource } from './exporter-spec.js';
import { SIGNALS } from './exporter-spec.js';
import { formatPath, type EnvReference, type FileReference, type TreePath, type UnsupportedReference } from './expand-env.js';
import { exportsOtlp, kindOf, type ExporterKind } from './exporter-kinds.js';
import { readAuthenticator } from './read-authenticator.js';
import { describeValue } from './read-yaml-file.js';
import { quote } from './quote.js';
import { resolveEndpoint, socketPathOf } from './endpoint.js';
import { PROTOCOLS } from './protocols.js';
import { lstatSync } from 'node:fs';


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
  /** references of that tree left unresolved (a file that cannot be read here, another scheme) */
  readonly unresolved?: readonly UnsupportedReference[];
  /** `${file:}` references of that tree that were read */
  readonly files?: readonly FileReference[];
  /** whose environment a variable came from */
  readonly envOrigin?: (variable: string) => 'collector' | 'sidecar';
  /** the signals of the pipelines that use the exporter; absent: not known (traces is probed) */
  readonly signals?: readonly Signal[];
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
    ...(flag(child(t, 'include_system_ca_certs_pool')) ? { includeSystemCaCertsPool: true } : {}),
  };
}

function readTimeout(input: ExporterInput, protocol: ExporterProtocol, key: string, secrets: readonly string[]): number {
  const v = child(input.block, 'timeout');
  if (v === undefined || v === null || v === '') return PROTOCOLS[protocol].defaultTimeoutMs;
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

/** Keys whose values are secrets wherever they appear in an exporter that is not OTLP. */
const SECRET_KEY = /(^key$|password|passwd|secret|token|api_?key|key_pem|credentials?)$/i;

/** Secrets in an exporter block that is not OTLP: values of secret-named keys, header values, URL userinfo. */
function blockSecrets(node: unknown, key = ''): string[] {
  if (typeof node === 'string') return SECRET_KEY.test(key) && node !== '' ? [node] : userinfoSecrets(node);
  if (Array.isArray(node)) return node.flatMap((v) => blockSecrets(v, key));
  if (isRaw(node)) {
    return Object.entries(node).flatMap(([k, v]) =>
      k === 'headers' && isRaw(v) ? Object.values(v).flatMap((h) => (text(h) ? [text(h)!] : [])) : blockSecrets(v, k),
    );
  }
  return [];
}

/** Where the exporter's `${...}` values came from, for the diagnosis. */
function valueSources(input: ExporterInput): ValueSource[] {
  const under = (path: TreePath): boolean => startsWith(path, input.path);
  const key = (path: TreePath): string => formatPath(path.slice(input.path.length));
  const out: ValueSource[] = [];
  for (const r of input.references) {
    if (!under(r.path)) continue;
    const from = r.set ? (input.envOrigin?.(r.variable) ?? 'sidecar') : r.defaulted ? 'default' : 'unset';
    out.push({ key: key(r.path), reference: `\${env:${r.variable}}`, from });
  }
  for (const f of input.files ?? []) if (under(f.path)) out.push({ key: key(f.path), reference: f.reference, from: 'file' });
  for (const u of input.unresolved ?? []) if (under(u.path)) out.push({ key: key(u.path), reference: u.reference, from: 'unreadable' });
  return out;
}

/** `${env:NAME}` or `${NAME}`: a variable, not a file or another scheme. */
const ENV_REFERENCE = /^\$\{(?:env:)?[A-Za-z_][A-Za-z0-9_]*(?::-[\s\S]*)?\}$/;

/** How a note says that a referenced value is not known here: unreadable, or over its size limit. */
function notRead(input: ExporterInput, reference: string): string {
  const why = (input.unresolved ?? []).find((u) => u.reference === reference && u.why !== undefined)?.why;
  if (why !== undefined) return `which otel-sentinel does not read: the file ${why} for a referenced file`;
  if (ENV_REFERENCE.test(reference)) {
    return "a variable otel-sentinel's environment lacks and the collector's may hold (the collector's environment could not be read)";
  }
  return 'which otel-sentinel cannot read here (the collector may)';
}

/** The signal a probe exports: the first the pipelines carry (traces, metrics, logs). */
const probedSignal = (signals: readonly Signal[] | undefined): Signal | undefined =>
  signals === undefined ? undefined : SIGNALS.find((s) => signals.includes(s));

/** Reads one exporter block as the collector reads it, and its static problems. */
export function buildExporterSpec(input: ExporterInput): ExporterSpec {
  const kind = kindOf(input.type);
  const sources = valueSources(input);
  const unreadable = sources.filter((v) => v.from === 'unreadable');
  const signal = probedSignal(input.signals);
  // A value that cannot be read here (a file only the collector sees) in a key the probe needs:
  // nothing is probed rather than a guess; in a header only, the request is left out.
  const blocking = unreadable.find((v) => !v.key.startsWith('headers'));
  if (blocking || !exportsOtlp(kind.protocol) || (input.signals !== undefined && signal === undefined)) {
    return otherExporter(input, kind, sources, blocking);
  }
  return otlpExporter(input, kind.protocol, sources, signal, unreadable[0]);
}

/** A gRPC client's `authority`, when it sets one (grpc.WithAuthority). */
const authorityOf = (block: unknown): { authority?: string } => {
  const authority = opt(child(block, 'authority'));
  return authority ? { authority } : {};
};

/** The spec's `keyPrefix`: set only where the keys are not under `exporters.NAME` (an extra target). */
const ownKeyPrefix = (name: string, prefix: string): { keyPrefix?: string } => (prefix === `exporters.${name}` ? {} : { keyPrefix: prefix });

/** An exporter that gets a transport probe (tcp) or none. */
function otherExporter(input: ExporterInput, kind: ExporterKind, sources: ValueSource[], blocking: ValueSource | undefined): ExporterSpec {
  const prefix = formatPath(input.path);
  const where: Facts = { exporter: input.name, prefix, source: input.source };
  const block = input.block;
  const secrets = [...new Set(blockSecrets(block))].sort((a, b) => b.length - a.length);
  const base = {
    name: input.name,
    type: input.type,
    tls: readTls(block),
    headers: {},
    timeoutMs: PROTOCOLS.none.defaultTimeoutMs,
    source: input.source,
    ...ownKeyPrefix(input.name, prefix),
    secrets,
    ...(input.signals ? { signals: [...input.signals] } : {}),
    valueSources: sources,
  };
  // Unset variables are warned about only in the keys a transport probe uses: the values of an
  // exporter that is not probed are not checked here (value_sources still shows them unset).
  const unsetIn = (roots: readonly string[]): Finding[] =>
    input.references
      .filter((r) => !r.set && !r.defaulted && startsWith(r.path, input.path) && roots.includes(String(r.path[input.path.length])))
      .map((r) => finding('env_var_unset', { ...where, key: formatPath(r.path.slice(input.path.length)), variable: r.variable }));
  const safe = (found: Finding[]) => configProblems(found, secrets);
  const none = (note: string): ExporterSpec => ({ ...base, protocol: 'none', endpoint: '', note: redact(note, secrets), configProblems: [] });
  if (blocking) {
    return none(`cannot be checked: ${prefix}.${blocking.key} is ${blocking.reference}, ${notRead(input, blocking.reference)}; nothing is probed`);
  }
  if (exportsOtlp(kind.protocol)) return none(`not probed: ${input.type} carries no traces, metrics or logs in any pipeline`);
  if (!PROTOCOLS[kind.protocol].probed) return none(`not probed: ${input.type} (${kind.why})`);
  // tcp: the endpoint, or the first entry of a list of them
  let key = kind.endpointKey ?? 'endpoint';
  let value = child(block, key);
  if ((value === undefined || value === null || value === '') && kind.altKey) {
    key = kind.altKey;
    value = child(block, key);
  }
  if (Array.isArray(value)) {
    value = value[0];
    key = `${key}[0]`;
  }
  const endpoint = text(value)?.trim() ?? '';
  if (endpoint === '') {
    const unset = unsetIn([key.replace(/\[\d+\]$/, '')]);
    return { ...none(`not probed: ${input.type} has no ${kind.endpointKey ?? 'endpoint'} set here (${kind.why})`), configProblems: safe(unset) };
  }
  const unseen = kind.form === 'grpc' ? unseenSocket(`${prefix}.${key}`, endpoint) : null;
  if (unseen) return none(unseen);
  const tlsBlock = child(block, 'tls');
  const spec: ExporterSpec = {
    ...base,
    protocol: 'tcp',
    endpoint: kind.form === 'host_port' && !/:\d+$/.test(endpoint) && kind.defaultPort ? `${endpoint}:${kind.defaultPort}` : endpoint,
    endpointForm: kind.form ?? 'url',
    endpointKey: key,
    plainTls: kind.form === 'host_port' && isRaw(tlsBlock) && !flag(child(tlsBlock, 'insecure')),
    // a gRPC client (otelarrow) checks the certificate against its authority, as an otlp exporter does
    ...(kind.form === 'grpc' ? authorityOf(block) : {}),
    note: `transport only: ${kind.why}`,
    configProblems: [],
  };
  const findings = unsetIn([key.replace(/\[\d+\]$/, ''), 'tls']);
  const r = resolveEndpoint(spec);
  if (!r.ok) findings.push(finding(r.reason, { ...where, key, detail: r.detail }));
  return { ...spec, configProblems: safe(findings) };
}

/** Reads one OTLP exporter block as the collector reads it, and its static findings. */
function otlpExporter(
  input: ExporterInput,
  protocol: 'grpc' | 'http',
  sources: ValueSource[],
  signal: Signal | undefined,
  unreadableHeader: ValueSource | undefined,
): ExporterSpec {
  const prefix = formatPath(input.path);
  const where: Facts = { exporter: input.name, prefix, source: input.source };
  const block = input.block;
  const headers: Record<string, string> = {};
  const rawHeaders = child(block, 'headers');
  if (isRaw(rawHeaders)) {
    for (const [k, v] of Object.entries(rawHeaders)) setKey(headers, k, text(v) ?? '');
  }
  const secrets: string[] = Object.entries(headers).flatMap(([k, v]) => headerSecrets(k, v));
  const findings: Finding[] = [];
  findings.push(
    ...unsendableHeaders(headers, protocol, where, (k) => {
      // where the value came from, to point at it (a variable's name or a file's path, never the value)
      const at = [...input.path, 'headers', k];
      const variable = input.references.find((r) => startsWith(r.path, at))?.variable;
      const reference = (input.files ?? []).find((r) => startsWith(r.path, at))?.reference ?? (variable !== undefined ? `\${env:${variable}}` : undefined);
      return { key: `headers.${k}`, reference };
    }),
  );

  const tls = readTls(block);
  if (tls.keyPem) secrets.push(tls.keyPem);
  const traits = PROTOCOLS[protocol];
  const proxyUrl = traits.proxyUrlKey ? opt(child(block, 'proxy_url')) : undefined;
  const endpoint = text(child(block, 'endpoint')) ?? '';
  const tracesEndpoint = traits.signalEndpointKeys ? opt(child(block, 'traces_endpoint')) : undefined;
  const metricsEndpoint = traits.signalEndpointKeys ? opt(child(block, 'metrics_endpoint')) : undefined;
  const logsEndpoint = traits.signalEndpointKeys ? opt(child(block, 'logs_endpoint')) : undefined;
  // Credentials written into a URL are secrets wherever the URL is.
  for (const url of [proxyUrl, endpoint, tracesEndpoint, metricsEndpoint, logsEndpoint]) if (url) secrets.push(...userinfoSecrets(url));

  let handshakeOnly = unreadableHeader;
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
    // a value the extension sends as is (bearertokenauth trims a token file's lines, not an inline token)
    const authKey = `extensions.${authenticator}.${authenticator.split('/')[0] === 'bearertokenauth' ? 'token' : 'headers'}`;
    const authVariable = input.collectorReferences.find((r) => startsWith(r.path, ['extensions', authenticator]))?.variable;
    findings.push(...unsendableHeaders(auth.headers, protocol, where, () => ({ key: authKey, reference: authVariable !== undefined ? `\${env:${authVariable}}` : undefined })));
    secrets.push(...auth.secrets);
    dynamicAuth = auth.dynamic;
    findings.push(...auth.findings);
    const extPath = ['extensions', authenticator];
    const u = (input.unresolved ?? []).find((r) => startsWith(r.path, extPath));
    if (u) handshakeOnly ??= { key: formatPath(u.path), reference: u.reference, from: 'unreadable' };
  }

  // Unset variables: in a header they leave the request without credentials; elsewhere a warning.
  for (const r of input.references) {
    if (r.set || r.defaulted || !startsWith(r.path, input.path)) continue;
    const key = formatPath(r.path.slice(input.path.length));
    const reason = r.path[input.path.length] === 'headers' ? 'missing_credentials' : 'env_var_unset';
    findings.push(finding(reason, { ...where, key, variable: r.variable }));
  }

  const spec: ExporterSpec = {
    name: input.name,
    type: input.type,
    protocol,
    endpoint,
    tracesEndpoint,
    ...(metricsEndpoint ? { metricsEndpoint } : {}),
    ...(logsEndpoint ? { logsEndpoint } : {}),
    ...(signal ? { signal } : {}),
    ...(input.signals ? { signals: [...input.signals] } : {}),
    tls,
    headers,
    compression: opt(child(block, 'compression')),
    timeoutMs: readTimeout(input, protocol, `${prefix}.timeout`, secrets),
    proxyUrl,
    ...(protocol === 'grpc' ? authorityOf(block) : {}),
    source: input.source,
    ...ownKeyPrefix(input.name, prefix),
    // longest first: redacting "tok" before "user:tok en" would leave "user:[REDACTED] en" and the rest shown
    secrets: [...new Set(secrets)].sort((a, b) => b.length - a.length),
    configProblems: [],
    ...(sources.length > 0 ? { valueSources: sources } : {}),
    ...(handshakeOnly
      ? {
          handshakeOnly: true,
          note: `request not sent: ${handshakeOnly.key.startsWith('extensions.') ? handshakeOnly.key : `${prefix}.${handshakeOnly.key}`} is ${handshakeOnly.reference}, ${notRead(input, handshakeOnly.reference)}, so the credentials cannot be checked; DNS, TCP and TLS are probed`,
        }
      : {}),
    ...(dynamicAuth ? { dynamicAuth } : {}),
  };
  const unseen = protocol === 'grpc' ? unseenSocket(`${prefix}.endpoint`, endpoint) : null;
  if (unseen) return { ...spec, protocol: 'none', endpoint: '', note: redact(unseen, spec.secrets), configProblems: [] };
  // Messages quote endpoints and details as written; whatever secret they hold is hidden there.
  return { ...spec, configProblems: exporterConfigProblems(spec, { where, now: input.now, certExpiryMs: input.certExpiryMs }, findings) };
}

/**
 * The note of a gRPC endpoint on a unix socket (`unix:///path`) that otel-sentinel cannot see:
 * the socket lives in the collector's file system, and a sidecar sees it only where both mount
 * its folder. Then nothing is probed. Null for any other endpoint.
 */
function unseenSocket(key: string, endpoint: string): string | null {
  const socket = socketPathOf(endpoint);
  if (socket === undefined || visibleHere(socket)) return null;
  return `cannot be checked: ${key} is the unix socket ${endpoint}, which otel-sentinel cannot see here (mount its folder into otel-sentinel's container as into the collector's to probe it); nothing is probed`;
}

/** invalid_header_value for each header the collector cannot send; `origin` names its key and the reference it came from. */
function unsendableHeaders(
  headers: Readonly<Record<string, string>>,
  protocol: 'grpc' | 'http',
  where: Facts,
  origin: (header: string) => { key: string; reference: string | undefined },
): Finding[] {
  const out: Finding[] = [];
  for (const [k, v] of Object.entries(headers)) {
    const what = unsendable(k, v, protocol);
    if (!what) continue;
    const { key, reference } = origin(k);
    out.push(finding('invalid_header_value', { ...where, key, what, protocol, ...(reference ? { reference } : {}) }));
  }
  return out;
}

/**
 * What in a header value the collector refuses to send, in words (never the value: it may be a
 * secret); null when it can send it. gRPC (grpc-go's metadata check): only printable ASCII, except
 * in `-bin` keys. HTTP (Go's net/http): no control character but the tab.
 */
export function unsendable(key: string, value: string, protocol: 'grpc' | 'http'): string | null {
  if (protocol === 'grpc' && key.toLowerCase().endsWith('-bin')) return null;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    const bad = protocol === 'grpc' ? c < 0x20 || c > 0x7e : (c < 0x20 && c !== 0x09) || c === 0x7f;
    if (!bad) continue;
    const name =
      c === 0x0a ? 'a newline (\\n)' : c === 0x0d ? 'a carriage return (\\r)' : c === 0x09 ? 'a tab' : c > 0x7f ? 'a character outside ASCII' : `a control character (0x${c.toString(16).padStart(2, '0')})`;
    const where = i === value.length - 1 ? 'at its end' : i === 0 ? 'at its start' : `at character ${i + 1} of ${value.length}`;
    return `${name} ${where}`;
  }
  return null;
}

/** Whether a path exists in otel-sentinel's file system (one it may not read still exists). */
function visibleHere(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code !== 'ENOENT' && code !== 'ENOTDIR';
  }
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
