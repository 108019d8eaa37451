/** An HTTP proxy an exporter sends through, parsed once; never shows its credentials. */
export interface ProxyTarget {
  /** host name or IP literal, without IPv6 brackets */
  readonly host: string;
  readonly port: number;
  /** `http://host:port`, without user info: what messages show */
  readonly display: string;
  /** where it came from: `proxy_url`, `HTTPS_PROXY`, `https_proxy`, `HTTP_PROXY` or `http_proxy` */
  readonly source: string;
  /** the value of Proxy-Authorization when the URL carries user info */
  readonly authorization?: string;
  /** the proxy URL's scheme; only http is spoken */
  readonly scheme: string;
  /** user info parts to redact from anything shown */
  readonly secrets: readonly string[];
}

/**
 * Parses a proxy URL as Go's net/http does: a value without a scheme is read as http://; the port
 * defaults to 80 (443 for https). Returns null for a value that does not parse.
 */
export function parseProxyUrl(raw: string, source: string): ProxyTarget | null {
  const value = raw.trim();
  if (value === '') return null;
  let u: URL | null = null;
  try {
    u = new URL(value);
    if (!['http:', 'https:', 'socks5:', 'socks5h:'].includes(u.protocol)) u = null;
  } catch {
    u = null;
  }
  if (u === null) {
    try {
      u = new URL(`http://${value}`);
    } catch {
      return null;
    }
  }
  if (!u.hostname) return null;
  const scheme = u.protocol.slice(0, -1);
  const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  const port = u.port ? Number(u.port) : scheme === 'https' ? 443 : scheme.startsWith('socks') ? 1080 : 80;
  const user = decodeURIComponent(u.username);
  const pass = decodeURIComponent(u.password);
  const secrets = [u.username, u.password, user, pass].filter((x) => x.length > 0);
  const authorization = u.username ? `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` : undefined;
  if (authorization) secrets.push(authorization.slice(6));
  const bracketed = host.includes(':') ? `[${host}]` : host;
  return Object.freeze({
    host,
    port,
    display: `${scheme}://${bracketed}:${port}`,
    source,
    authorization,
    scheme,
    secrets: Object.freeze(secrets),
  });
}
