/** The text shown in place of a secret. */
export const REDACTED = '[REDACTED]';

/**
 * Replaces every occurrence of each secret in a text. Overlapping secrets are cut out as one span
 * (the union of every match), so no part of either shows. Secrets shorter than 4 characters are
 * left alone: replacing "a" everywhere would make messages unreadable and hides nothing.
 */
export function redact(text: string, secrets: Iterable<string>): string {
  const spans: Array<[number, number]> = [];
  for (const s of secrets) {
    if (s.length < 4) continue;
    for (let i = text.indexOf(s); i >= 0; i = text.indexOf(s, i + 1)) spans.push([i, i + s.length]);
  }
  if (spans.length === 0) return text;
  spans.sort((a, b) => a[0] - b[0]);
  let out = '';
  let at = 0;
  let [start, end] = spans[0]!;
  for (const [s, e] of spans.slice(1)) {
    if (s <= end) {
      end = Math.max(end, e);
      continue;
    }
    out += text.slice(at, start) + REDACTED;
    at = end;
    [start, end] = [s, e];
  }
  return out + text.slice(at, start) + REDACTED + text.slice(end);
}

/** Header names whose values are shown whatever they look like: the request's own. */
export const SHOWN_HEADERS: ReadonlySet<string> = new Set(['content-type', 'user-agent', 'accept']);

/**
 * Header names that carry credentials: Authorization and Proxy-Authorization, cookies, and any
 * name speaking of a token, key, secret, password, signature, session, licence or credentials
 * (`x-api-key`, `dd-api-key`, `x-sf-token`, `lightstep-access-token`, `x-insert-key`...), plus
 * vendor names that say none of that (`x-honeycomb-team`).
 */
const CREDENTIAL_NAME = /auth|token|key|secret|pass(word|wd)?\b|pwd|cookie|credential|signature|session|licen[cs]e|x-honeycomb-team/i;

/** An authorization scheme written before the credential: `Bearer abc`, `Basic ...`, `ApiKey ...`. */
const SCHEME = /^(bearer|basic|token|apikey|api-key|key|dsn|sso-key|splunk|negotiate|digest)(\s+|$)/i;

/** A value that reads like a credential whatever its header's name: long, unspaced, letters and digits mixed. */
const TOKEN_LIKE = /^(?=.*\d)(?=.*[a-z])[\w\-.~+/=:]{16,}$/i;

/**
 * What to hide of one header: nothing for an ordinary header (`X-Scope-OrgID: tempo` is no secret,
 * and hiding "tempo" would cut it out of every exporter name and host); the value, and the
 * credential after its scheme, for a credential header or a value that looks like one. An empty
 * credential (`Bearer ` from an unset variable) is nothing to hide: hiding "Bearer " would garble
 * every text that shows the scheme.
 */
export function headerSecrets(name: string, value: string): string[] {
  const lower = name.toLowerCase();
  if (SHOWN_HEADERS.has(lower)) return [];
  const v = value.trim();
  const credential = v.replace(SCHEME, '').trim();
  if (credential === '') return [];
  if (!CREDENTIAL_NAME.test(lower) && credential === v && !TOKEN_LIKE.test(v)) return [];
  return [...new Set([v, credential])];
}
