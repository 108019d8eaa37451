/** A listen address: `HOST:PORT`, `[IPv6]:PORT`, or `:PORT` (every IPv4 address). */
export type ListenAddress = { readonly host: string; readonly port: number };

export const LISTEN_FORM = 'HOST:PORT (e.g. "0.0.0.0:13134", "127.0.0.1:13134" or "[::1]:13134")';

/** Returns the address, or null when the text is not HOST:PORT with a port 0..65535. */
export function parseListen(text: string): ListenAddress | null {
  let host: string;
  let port: string;
  if (text.startsWith('[')) {
    const end = text.indexOf(']');
    if (end < 0 || text[end + 1] !== ':') return null;
    host = text.slice(1, end);
    port = text.slice(end + 2);
    if (!host.includes(':')) return null;
  } else {
    const colon = text.lastIndexOf(':');
    if (colon < 0 || text.indexOf(':') !== colon) return null; // no port, or IPv6 without brackets
    host = text.slice(0, colon);
    port = text.slice(colon + 1);
  }
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) return null;
  if (/[\s/]/.test(host)) return null;
  return { host: host === '' ? '0.0.0.0' : host, port: Number(port) };
}
