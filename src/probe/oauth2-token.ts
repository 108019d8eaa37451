import { AnswerReader } from '../net/answer-reader.js';
import { Client, closeClient } from '../net/undici-client.js';
import type { OAuth2ClientAuth } from '../config/exporter-spec.js';
import { loadTlsMaterial } from '../config/tls-material.js';
import type { Facts } from '../facts.js';
import { errorCode } from './error-code.js';

/** What a token request gave: the header to send, or what went wrong (facts safe to show). */
export type TokenAnswer =
  | { readonly ok: true; readonly token: string; readonly header: string }
  | { readonly ok: false; readonly code: string; readonly facts: Facts };

/** golang.org/x/oauth2 refreshes a token this long before it expires, unless told otherwise. */
const DEFAULT_EXPIRY_BUFFER_MS = 10_000;
/** A token endpoint's answer is a small JSON or form document; more is not read. */
const ANSWER_LIMIT = 64 * 1024;

/** Go's url.QueryEscape: what x/oauth2 applies to the client id and secret before Basic encoding. */
const queryEscape = (s: string): string =>
  encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');

/** x/oauth2's Token.Type(): "bearer" and friends get their canonical case; empty is Bearer. */
function tokenType(raw: string): string {
  const t = raw.trim();
  if (t === '' || t.toLowerCase() === 'bearer') return 'Bearer';
  if (t.toLowerCase() === 'mac') return 'MAC';
  if (t.toLowerCase() === 'basic') return 'Basic';
  return t;
}

interface Parsed {
  readonly accessToken: string;
  readonly type: string;
  readonly expiresInS: number | null;
  readonly error?: string;
  readonly description?: string;
}

/** The token endpoint's answer, JSON or form-encoded, as x/oauth2 reads both. */
function parseAnswer(contentType: string, body: string): Parsed | null {
  let get: (k: string) => unknown;
  if (/application\/x-www-form-urlencoded|text\/plain/i.test(contentType)) {
    const form = new URLSearchParams(body);
    get = (k) => form.get(k) ?? undefined;
  } else {
    let doc: unknown;
    try {
      doc = JSON.parse(body);
    } catch {
      return null;
    }
    if (doc === null || typeof doc !== 'object') return null;
    get = (k) => (doc as Record<string, unknown>)[k];
  }
  const str = (k: string): string => {
    const v = get(k);
    return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
  };
  const expires = Number(str('expires_in'));
  return {
    accessToken: str('access_token'),
    type: str('token_type'),
    expiresInS: str('expires_in') !== '' && Number.isFinite(expires) && expires > 0 ? expires : null,
    error: str('error') || undefined,
    description: str('error_description') || undefined,
  };
}

/**
 * The client credentials grant of an oauth2client extension, run as the collector runs it
 * (golang.org/x/oauth2/clientcredentials): POST `grant_type=client_credentials`, the scopes joined by
 * spaces and `endpoint_params` to `token_url`, the client authenticated with HTTP Basic first and,
 * if the server refuses that, in the form (x/oauth2's auto-detection, remembered once one works);
 * the extension's TLS settings and `timeout`, within the probe's deadline. The token is kept until
 * `expiry_buffer` (default 10s) before it expires, as the collector keeps it. Lifecycle: one per
 * prober; a reload makes a new one.
 */
export class OAuth2TokenSource {
  private cached: { token: string; header: string; expiresAt: number | null } | null = null;
  private style: 'header' | 'params' | null = null;

  constructor(
    private readonly auth: OAuth2ClientAuth,
    private readonly now: () => number = Date.now,
  ) {}

  /** Facts every token problem carries: where the token comes from. */
  private where(): Facts {
    let shown = this.auth.tokenUrl;
    try {
      const u = new URL(this.auth.tokenUrl);
      u.username = '';
      u.password = '';
      shown = u.toString();
    } catch {
      // shown as written; the spec's secrets are redacted from every problem anyway
    }
    return { authenticator: this.auth.id, token_url: shown };
  }

  async get(signal: AbortSignal): Promise<TokenAnswer> {
    const c = this.cached;
    const buffer = this.auth.expiryBufferMs > 0 ? this.auth.expiryBufferMs : DEFAULT_EXPIRY_BUFFER_MS;
    if (c && (c.expiresAt === null || this.now() < c.expiresAt - buffer)) return { ok: true, token: c.token, header: c.header };
    let url: URL;
    try {
      url = new URL(this.auth.tokenUrl);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
    } catch {
      return { ok: false, code: 'TOKEN_URL', facts: { ...this.where(), detail: 'token_url is not an http:// or https:// URL' } };
    }
    const sig = this.auth.timeoutMs > 0 ? AbortSignal.any([signal, AbortSignal.timeout(this.auth.timeoutMs)]) : signal;
    const styles: Array<'header' | 'params'> = this.style ? [this.style] : ['header', 'params'];
    let last: TokenAnswer | null = null;
    for (const style of styles) {
      const got = await this.request(url, style, sig, signal);
      if (got.ok) {
        this.style = style;
        return got;
      }
      last = got;
      // only a refusal by the server is worth the other way of sending the client credentials
      if (got.code !== 'TOKEN_REFUSED') break;
    }
    return last!;
  }

  private async request(url: URL, style: 'header' | 'params', signal: AbortSignal, probeSignal: AbortSignal): Promise<TokenAnswer> {
    const a = this.auth;
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (a.scopes.length > 0) form.set('scope', a.scopes.join(' '));
    for (const [k, v] of a.endpointParams) {
      if (k === 'grant_type') form.set(k, v);
      else form.append(k, v);
    }
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'otel-sentinel' };
    if (style === 'header') {
      headers.authorization = `Basic ${Buffer.from(`${queryEscape(a.clientId)}:${queryEscape(a.clientSecret)}`).toString('base64')}`;
    } else {
      form.set('client_id', a.clientId);
      if (a.clientSecret !== '') form.set('client_secret', a.clientSecret);
    }
    let connect: Record<string, unknown> = {};
    if (url.protocol === 'https:') {
      const loaded = loadTlsMaterial(a.tls);
      if (!loaded.ok) {
        return { ok: false, code: 'TOKEN_TLS', facts: { ...this.where(), detail: `extensions.${a.id}.${loaded.key}: ${loaded.detail}` } };
      }
      const m = loaded.material;
      const name = a.tls.serverNameOverride || url.hostname;
      connect = { ca: m.ca, cert: m.cert, key: m.key, servername: /^[\d.]+$|:/.test(name) ? undefined : name, rejectUnauthorized: !a.tls.insecureSkipVerify };
    }
    const client = new Client(url.origin, { connect, headersTimeout: 0, bodyTimeout: 0 });
    const answer = new AnswerReader(ANSWER_LIMIT);
    const unfollow = answer.follow(signal);
    try {
      const body = form.toString();
      client.dispatch({ method: 'POST', path: `${url.pathname}${url.search}`, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, body }, answer);
      const res = await answer.done;
      const contentType = String(res.headers['content-type'] ?? '');
      const parsed = parseAnswer(contentType, res.body.toString('utf8'));
      if (res.status < 200 || res.status > 299) {
        const said = parsed?.error ? `: ${parsed.error}${parsed.description ? ` (${parsed.description.slice(0, 200)})` : ''}` : '';
        return { ok: false, code: 'TOKEN_REFUSED', facts: { ...this.where(), status: res.status, detail: `the token endpoint answered HTTP ${res.status}${said}` } };
      }
      if (!parsed || parsed.accessToken === '') {
        return { ok: false, code: 'TOKEN_MISSING', facts: { ...this.where(), status: res.status, detail: 'the token endpoint answered without an access_token' } };
      }
      const type = tokenType(parsed.type);
      const header = `${type} ${parsed.accessToken}`;
      const expiresAt = parsed.expiresInS === null ? null : this.now() + parsed.expiresInS * 1000;
      this.cached = { token: parsed.accessToken, header, expiresAt };
      return { ok: true, token: parsed.accessToken, header };
    } catch (err) {
      if (signal.aborted) {
        const byProbe = probeSignal.aborted;
        return {
          ok: false,
          code: 'TIMEOUT',
          facts: { ...this.where(), detail: byProbe ? 'no answer from the token endpoint before the probe deadline' : `no answer from the token endpoint within extensions.${a.id}.timeout (${a.timeoutMs} ms)` },
        };
      }
      const code = errorCode(err);
      return { ok: false, code, facts: { ...this.where(), detail: `the token request failed (${code})` } };
    } finally {
      unfollow();
      closeClient(client);
    }
  }
}
