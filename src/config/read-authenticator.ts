import { readFileSync } from 'node:fs';
import { problem } from '../diagnose/catalogue.js';
import { headerSecrets } from '../diagnose/redact.js';
import type { Problem } from '../diagnose/problem.js';
import type { Facts } from '../diagnose/reason-spec.js';
import { child, isRaw, setKey, text, type Raw } from './collector-values.js';
import { formatPath, type EnvReference } from './expand-env.js';

/** What an exporter's `auth.authenticator` adds to every request, where it is static. */
export interface AuthenticatorResult {
  readonly headers: Readonly<Record<string, string>>;
  readonly secrets: readonly string[];
  readonly problems: readonly Problem[];
  /** header names whose value the collector takes from the incoming request (not probeable) */
  readonly fromContext: readonly string[];
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
function missing(input: AuthenticatorInput, sub: readonly (string | number)[], detail: string): Problem[] {
  const unset = unsetUnder(input, sub);
  if (unset.length > 0) {
    return unset.map((r) => problem('missing_credentials', { ...input.where, key: formatPath(r.path), variable: r.variable }));
  }
  return [problem('missing_credentials', { ...input.where, key: formatPath(['extensions', input.id, ...sub]), detail })];
}

function bearer(input: AuthenticatorInput, cfg: Raw): AuthenticatorResult {
  const header = text(cfg.header) || 'Authorization';
  const scheme = cfg.scheme === undefined || cfg.scheme === null ? 'Bearer' : (text(cfg.scheme) ?? 'Bearer');
  const filename = text(cfg.filename) ?? '';
  let token = '';
  const problems: Problem[] = [];
  if (filename !== '') {
    // The extension reads the file at start and when it changes; a missing file leaves no token.
    try {
      const lines = readFileSync(filename, 'utf8').split('\n').map((l) => l.trim());
      token = lines.find((l) => l !== '') ?? '';
      if (token === '') {
        problems.push(
          problem('missing_credentials', { ...input.where, key: `extensions.${input.id}.filename`, file: filename, detail: 'the file is empty' }),
        );
      }
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      problems.push(problem('missing_credentials', { ...input.where, key: `extensions.${input.id}.filename`, file: filename, detail: code }));
    }
  } else {
    const tokens = Array.isArray(cfg.tokens) ? cfg.tokens.map(text).filter((t): t is string => !!t) : [];
    token = text(cfg.token) ?? tokens[0] ?? '';
    if (token === '') problems.push(...missing(input, ['token'], 'no token, tokens or filename is set'));
  }
  const value = scheme === '' ? token : `${scheme} ${token}`;
  return {
    headers: token === '' ? {} : { [header]: value },
    secrets: token === '' ? [] : [token, value],
    problems,
    fromContext: [],
  };
}

function basic(input: AuthenticatorInput, cfg: Raw): AuthenticatorResult {
  const client = child(cfg, 'client_auth');
  const username = text(child(client, 'username')) ?? '';
  const password = text(child(client, 'password')) ?? '';
  const problems: Problem[] = [];
  if (username === '') problems.push(...missing(input, ['client_auth', 'username'], 'no client_auth.username is set'));
  if (password === '') problems.push(...missing(input, ['client_auth', 'password'], 'no client_auth.password is set'));
  const pair = `${username}:${password}`;
  const value = `Basic ${Buffer.from(pair).toString('base64')}`;
  return {
    headers: { Authorization: value },
    secrets: [password, pair, value].filter((v) => v !== ''),
    problems,
    fromContext: [],
  };
}

function headersSetter(input: AuthenticatorInput, cfg: Raw): AuthenticatorResult {
  const headers: Record<string, string> = {};
  const secrets: string[] = [];
  const fromContext: string[] = [];
  const problems: Problem[] = [];
  const list = Array.isArray(cfg.headers) ? cfg.headers : [];
  list.forEach((h, i) => {
    const key = text(child(h, 'key'));
    if (!key || text(child(h, 'action'))?.toLowerCase() === 'delete') return;
    const value = text(child(h, 'value'));
    if (value !== undefined) {
      if (value === '') problems.push(...missing(input, ['headers', i, 'value'], `header ${key} has an empty value`));
      setKey(headers, key, value);
      secrets.push(...headerSecrets(key, value));
      return;
    }
    // from_context comes from the incoming request's metadata: the probe can only use default_value.
    const fallback = text(child(h, 'default_value'));
    if (fallback !== undefined && fallback !== '') {
      setKey(headers, key, fallback);
      secrets.push(...headerSecrets(key, fallback));
    } else {
      fromContext.push(key);
    }
  });
  return { headers, secrets, problems, fromContext };
}

const READERS: Readonly<Record<string, (input: AuthenticatorInput, cfg: Raw) => AuthenticatorResult>> = {
  bearertokenauth: bearer,
  basicauth: basic,
  headers_setter: headersSetter,
};

/**
 * Reads the extension an exporter's `auth.authenticator` names. Other authenticator types
 * (oauth2client, sigv4auth ...) add nothing: their credentials are dynamic.
 */
export function readAuthenticator(input: AuthenticatorInput): AuthenticatorResult {
  const none: AuthenticatorResult = { headers: {}, secrets: [], problems: [], fromContext: [] };
  const cfg = child(input.extensions, input.id);
  if (!Object.hasOwn(input.extensions, input.id)) {
    return {
      ...none,
      problems: [
        problem('missing_credentials', {
          ...input.where,
          key: 'auth.authenticator',
          detail: `it names extension "${input.id}", which is not defined under extensions:`,
        }),
      ],
    };
  }
  const problems: Problem[] = [];
  if (input.enabled && !input.enabled.includes(input.id)) {
    problems.push(
      problem('missing_credentials', {
        ...input.where,
        key: 'auth.authenticator',
        detail: `extension "${input.id}" is not listed in service.extensions, so the collector cannot use it`,
      }),
    );
  }
  const type = input.id.split('/')[0] ?? '';
  // own keys only: an extension type `constructor` has no reader
  const reader = Object.hasOwn(READERS, type) ? READERS[type] : undefined;
  if (!reader) return { ...none, problems };
  const result = reader(input, isRaw(cfg) ? cfg : {});
  return { ...result, problems: [...problems, ...result.problems] };
}
