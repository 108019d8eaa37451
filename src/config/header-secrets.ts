/**
 * Which header values are secrets: known to the config readers and the prober, which collect the
 * values never to show, and to diagnose/, which hides them (src/diagnose/redact.ts).
 */

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
