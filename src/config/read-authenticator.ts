import { finding, type Finding } from '../diagnose/finding.js';
import { headerSecrets } from '../diagnose/redact.js';
import type { Facts } from '../diagnose/reason-spec.js';
import { child, flag, isRaw, setKey, text, type Raw } from './collector-values.js';
import { isDuration, parseDuration } from './duration.js';
import type { DynamicAuth, TlsSettings } from './exporter-spec.js';
import { formatPath, type EnvReference } from './expand-env.js';
import { FILE_LIMITS, FileTooLargeError, readBoundedTextSync } from './read-bounded-file.js';

/** What an exporter's `auth.authenticator` adds to every request, where it is static. */
export interface AuthenticatorResult {
  readonly headers: Readonly<Record<string, string>>;
  readonly secrets: readonly string[];
  readonly findings: readonly Finding[];
  /** credentials the collector fetches or computes per request: an OAuth2 token, or none the probe can make */
  readonly dynamic?: DynamicAuth;
}

export interface AuthenticatorInput {
  /** facts that place the exporter in messages: exporter name and key prefix */
  readonly where: Facts;
  /** the extension id, e.g. `bearertokenauth/tempo` */
  readonly id: string;
  /** the collector's `extensions:` map, env-expanded */
  readonly extensions: Raw;
  /** `service.extensions`, or null when the collector config has none to check against */
  readonly enabled: readonly string[] | null;
  /** env references of the whole collector config */
  readonly references: readonly EnvReference[];
}

/** Unset variables referenced from below `extensions.ID.<sub>`. */
function unsetUnder(input: AuthenticatorInput, sub: readonly (string | number)[]): EnvReference[] {
  const prefix = ['extensions', input.id, ...sub];
  return input.references.filter(
    (r) => !r.set && !r.defaulted && prefix.every((seg, i) => r.path[i] === seg),
  );
}

/** missing_credentials for an empty value: names the unset variable when one explains it. */
function missing(input: AuthenticatorInput, sub: readonly (string | number)[], detail: string): Finding[] {
  const unset = unsetUnder(input, sub);
  if (unset.length > 0) {
    return unset.map((r) => finding('missing_credentials', { ...input.where, key: formatPath(r.path), variable: r.variable }));
  }
  return [finding('missing_credentials', { ...input.where, key: formatPath(['extensions', input.id, ...sub]), detail })];
}

function bearer(input: AuthenticatorInput, cfg: Raw): AuthenticatorResult {
  const header = text(cfg.header) || 'Authorization';
  const scheme = cfg.scheme === undefined || cfg.scheme === null ? 'Bearer' : (text(cfg.scheme) ?? 'Bearer');
  const filename = text(cfg.filename) ?? '';
  let token = '';
  const findings: Finding[] = [];
  if (filename !== '') {
    // The extension reads the file at start and when it changes; a missing file leaves no token.
    try {
      const lines = readBoundedTextSync(filename, FILE_LIMITS.token).split('\n').map((l) => l.trim());
      token = lines.find((l) => l !== '') ?? '';
      if (token === '') {
        findings.push(
          finding('missing_credentials', { ...input.where, key: `extensions.${input.id}.filename`, file: filename, detail: 'the file is empty' }),
        );
      }
    } catch (err) {
      const code = err instanceof FileTooLargeError ? err.detail : ((err as NodeJS.ErrnoException).code ?? 'error');
      findings.push(finding('missing_credentials', { ...input.where, key: `extensions.${input.id}.filename`, file: filename, detail: code }));
    }
  } else {
    const tokens = Array.isArray(cfg.tokens) ? cfg.tokens.map(text).filter((t): t is string => !!t) : [];
    token = text(cfg.token) ?? tokens[0] ?? '';
    if (token === '') findings.push(...missing(input, ['token'], 'no token, tokens or filename is set'));
  }
  const value = scheme === '' ? token : `${scheme} ${token}`;
  return {
    headers: token === '' ? {} : { [header]: value },
    secrets: token === '' ? [] : [token, value],
    findings,
  };
}

function basic(input: AuthenticatorInput, cfg: Raw): AuthenticatorResult {
  const client = child(cfg, 'client_auth');
  const username = text(child(client, 'username')) ?? '';
  const password = text(child(client, 'password')) ?? '';
  const findings: Finding[] = [];
  if (username === '') findings.push(...missing(input, ['client_auth', 'username'], 'no client_auth.username is set'));
  if (password === '') findings.push(...missing(input, ['client_auth', 'password'], 'no client_auth.password is set'));
  const pair = `${username}:${password}`;
  const value = `Basic ${Buffer.from(pair).toString('base64')}`;
  return {
    headers: { Authorization: value },
    secrets: [password, pair, value].filter((v) => v !== ''),
    findings,
  };
}

function headersSetter(input: AuthenticatorInput, cfg: Raw): AuthenticatorResult {
  const headers: Record<string, string> = {};
  const secrets: string[] = [];
  // keys whose value the collector takes from each incoming request (the probe sends their default, if any)
  const fromContext: string[] = [];
  const findings: Finding[] = [];
  const list = Array.isArray(cfg.headers) ? cfg.headers : [];
  list.forEach((h, i) => {
    const key = text(child(h, 'key'));
    if (!key || text(child(h, 'action'))?.toLowerCase() === 'delete') return;
    const value = text(child(h, 'value'));
    if (value !== undefined) {
      if (value === '') findings.push(...missing(input, ['headers', i, 'value'], `header ${key} has an empty value`));
      setKey(headers, key, value);
      secrets.push(...headerSecrets(key, value));
      return;
    }
    // from_context comes from the incoming request's metadata: the probe can only use default_value.
    fromContext.push(key);
    const fallback = text(child(h, 'default_value'));
    if (fallback !== undefined && fallback !== '') {
      setKey(headers, key, fallback);
      secrets.push(...headerSecrets(key, fallback));
    }
  });
  if (fromContext.length === 0) return { headers, secrets, findings };
  // The collector sends these with what each request brings (a tenant, a token), the default only
  // when a request brings none: a backend that refuses the probe says nothing of the exports.
  const detail = `${fromContext.join(', ')} from each request's context, which the probe does not have`;
  return { headers, secrets, findings, dynamic: { kind: 'unverifiable', id: input.id, type: 'headers_setter', detail } };
}

/** A string key or the first non-empty line of its `_file` twin (the file wins, as in the extension). */
function valueOrFile(input: AuthenticatorInput, cfg: Raw, key: string, findings: Finding[]): string {
  const file = text(cfg[`${key}_file`]) ?? '';
  if (file === '') return text(cfg[key]) ?? '';
  try {
    return readBoundedTextSync(file, FILE_LIMITS.token).trim();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    findings.push(finding('missing_credentials', { ...input.where, key: `extensions.${input.id}.${key}_file`, file, detail: code }));
    return '';
  }
}

const durationMs = (v: unknown): number => {
  const t = text(v);
  if (t === undefined || !isDuration(t)) return 0;
  return parseDuration(t);
};

function oauth2TlsOf(cfg: Raw): TlsSettings {
  const t = child(cfg, 'tls');
  const opt = (k: string): string | undefined => {
    const v = text(child(t, k));
    return v === undefined || v === '' ? undefined : v;
  };
  return {
    insecure: flag(child(t, 'insecure')),
    insecureSkipVerify: flag(child(t, 'insecure_skip_verify')),
    caFile: opt('ca_file'),
    caPem: opt('ca_pem'),
    certFile: opt('cert_file'),
    certPem: opt('cert_pem'),
    keyFile: opt('key_file'),
    keyPem: opt('key_pem'),
    serverNameOverride: opt('server_name_override'),
    minVersion: opt('min_version'),
  };
}

/**
 * oauth2client: the collector fetches a token with the client credentials grant (golang.org/x/oauth2
 * clientcredentials) from `token_url` and sends `Authorization: <type> <token>`. The probe does the
 * same, so it is read here; other grant types are reported as not verifiable.
 */
function oauth2client(input: AuthenticatorInput, cfg: Raw): AuthenticatorResult {
  const findings: Finding[] = [];
  const grant = text(cfg.grant_type) ?? '';
  if (grant !== '' && grant !== 'client_credentials') {
    return { headers: {}, secrets: [], findings, dynamic: { kind: 'unverifiable', id: input.id, type: 'oauth2client', detail: `grant_type ${grant}` } };
  }
  const clientId = valueOrFile(input, cfg, 'client_id', findings);
  const clientSecret = valueOrFile(input, cfg, 'client_secret', findings);
  const tokenUrl = text(cfg.token_url) ?? '';
  // an unreadable `_file` was reported already
  const fromFile = (key: string): boolean => (text(cfg[`${key}_file`]) ?? '') !== '';
  if (clientId === '' && !fromFile('client_id')) findings.push(...missing(input, ['client_id'], 'no client_id is set'));
  if (clientSecret === '' && !fromFile('client_secret')) findings.push(...missing(input, ['client_secret'], 'no client_secret is set'));
  if (tokenUrl === '') findings.push(...missing(input, ['token_url'], 'no token_url is set'));
  const scopes = Array.isArray(cfg.scopes) ? cfg.scopes.map(text).filter((x): x is string => x !== undefined && x !== '') : [];
  const endpointParams: Array<[string, string]> = [];
  const params = child(cfg, 'endpoint_params');
  if (isRaw(params)) {
    for (const [k, v] of Object.entries(params)) {
      for (const one of Array.isArray(v) ? v : [v]) {
        const t = text(one);
        if (t !== undefined) endpointParams.push([k, t]);
      }
    }
  }
  return {
    headers: {},
    secrets: [clientSecret].filter((v) => v !== ''),
    findings,
    dynamic:
      clientId === '' || clientSecret === '' || tokenUrl === ''
        ? undefined
        : {
            kind: 'oauth2client',
            id: input.id,
            tokenUrl,
            clientId,
            clientSecret,
            scopes,
            endpointParams,
            tls: oauth2TlsOf(cfg),
            timeoutMs: durationMs(cfg.timeout),
            expiryBufferMs: durationMs(cfg.expiry_buffer),
          },
  };
}

const READERS: Readonly<Record<string, (input: AuthenticatorInput, cfg: Raw) => AuthenticatorResult>> = {
  bearertokenauth: bearer,
  basicauth: basic,
  headers_setter: headersSetter,
  oauth2client,
};

/**
 * Reads the extension an exporter's `auth.authenticator` names. Other authenticator types
 * (sigv4auth, googleclientauth, azureauth ...) add nothing the probe can send: their credentials
 * are computed per request from what the sidecar does not have, so the probe's auth is unverifiable.
 */
export function readAuthenticator(input: AuthenticatorInput): AuthenticatorResult {
  const none: AuthenticatorResult = { headers: {}, secrets: [], findings: [] };
  const cfg = child(input.extensions, input.id);
  if (!Object.hasOwn(input.extensions, input.id)) {
    return {
      ...none,
      findings: [
        finding('missing_credentials', {
          ...input.where,
          key: 'auth.authenticator',
          detail: `it names extension "${input.id}", which is not defined under extensions:`,
          undefined_extension: input.id,
        }),
      ],
    };
  }
  const findings: Finding[] = [];
  if (input.enabled && !input.enabled.includes(input.id)) {
    findings.push(
      finding('missing_credentials', {
        ...input.where,
        key: 'auth.authenticator',
        detail: `extension "${input.id}" is not listed in service.extensions, so the collector cannot use it`,
        unlisted_extension: input.id,
      }),
    );
  }
  const type = input.id.split('/')[0] ?? '';
  // own keys only: an extension type `constructor` has no reader
  const reader = Object.hasOwn(READERS, type) ? READERS[type] : undefined;
  if (!reader) return { ...none, findings, dynamic: { kind: 'unverifiable', id: input.id, type } };
  const result = reader(input, isRaw(cfg) ? cfg : {});
  return { ...result, findings: [...findings, ...result.findings] };
}
