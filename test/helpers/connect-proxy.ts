/**
 * A real HTTP proxy on loopback: `CONNECT host:port` tunnels and absolute-form requests, as squid
 * or tinyproxy serve them. Can refuse every CONNECT with a status and can require
 * Proxy-Authorization. It only ever connects to loopback: names are mapped by `resolve`
 * (default: `*.test` and localhost to 127.0.0.1) and anything else is answered 502.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect as netConnect, isIP, type AddressInfo, type Socket } from 'node:net';

export interface ProxyOptions {
  /** answer every CONNECT with this status instead of tunnelling */
  readonly refuseStatus?: number;
  /** "user:password" the client must send as Proxy-Authorization: Basic */
  readonly requiredAuth?: string;
  /** maps a host name to the loopback address to dial */
  readonly resolve?: (host: string) => string | undefined;
}

export interface RunningProxy {
  readonly port: number;
  readonly url: string;
  /** CONNECT targets and absolute-form URLs seen, in order */
  readonly seen: string[];
  /** Proxy-Authorization values seen */
  readonly auths: string[];
  close(): Promise<void>;
}

const defaultResolve = (host: string): string | undefined => {
  if (host === 'localhost' || host.endsWith('.test')) return '127.0.0.1';
  return isIP(host) ? host : undefined;
};

const isLoopback = (ip: string): boolean => ip.startsWith('127.') || ip === '::1';

function splitTarget(target: string): { host: string; port: number } | null {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(target);
  return m ? { host: m[1]!, port: Number(m[2]) } : null;
}

export async function startConnectProxy(o: ProxyOptions = {}): Promise<RunningProxy> {
  const seen: string[] = [];
  const auths: string[] = [];
  const sockets = new Set<Socket>();
  const resolve = o.resolve ?? defaultResolve;
  const expected = o.requiredAuth ? `Basic ${Buffer.from(o.requiredAuth).toString('base64')}` : undefined;
  const addressOf = (host: string): string | undefined => {
    const ip = resolve(host);
    return ip && isLoopback(ip) ? ip : undefined;
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    seen.push(req.url ?? '');
    const auth = req.headers['proxy-authorization'];
    if (auth) auths.push(auth);
    if (expected && auth !== expected) {
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="test"' });
      res.end();
      return;
    }
    let u: URL;
    try {
      u = new URL(req.url ?? '');
    } catch {
      res.writeHead(400);
      res.end();
      return;
    }
    const ip = addressOf(u.hostname.replace(/^\[|\]$/g, ''));
    if (!ip) {
      res.writeHead(502);
      res.end();
      return;
    }
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    const up = httpRequest({ host: ip, port: Number(u.port || 80), method: req.method, path: `${u.pathname}${u.search}`, headers }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.pipe(res);
    });
    up.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(up);
  });

  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    const target = req.url ?? '';
    seen.push(target);
    const auth = req.headers['proxy-authorization'];
    if (auth) auths.push(auth);
    if (expected && auth !== expected) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\n\r\n');
      return;
    }
    if (o.refuseStatus) {
      client.end(`HTTP/1.1 ${o.refuseStatus} Refused By Policy\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    const t = splitTarget(target);
    const ip = t ? addressOf(t.host) : undefined;
    if (!t || !ip) {
      client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const upstream = netConnect({ host: ip, port: t.port });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.once('connect', () => {
      client.write('HTTP/1.1 200 Connection established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => {
      if (!client.destroyed) client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n');
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    seen,
    auths,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
