import type * as Http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { createSecureContext } from 'node:tls';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { ConfigError } from '../config/config-error.js';
import { FILE_LIMITS, FileTooLargeError, readBoundedFileSync } from '../config/read-bounded-file.js';
import type { SentinelConfig } from '../config/sentinel-config.js';
import type { Diagnosis } from '../diagnose/diagnosis.js';
import { CONTENT_TYPES, negotiateFormat } from '../metrics/metrics-format.js';
import { renderMetrics } from '../metrics/render-metrics.js';
import { createBasicAuth } from './basic-auth.js';
import { Connections } from './connections.js';
import { SECURITY_HEADERS } from './security-headers.js';
import { STATIC_ASSETS } from './static-assets.js';
import { renderStatusPage } from '../views/status-page.js';
import { http } from '../net/node-http.js';

export interface HttpTimeouts {
  /** a client must send all request headers within this */
  readonly headersMs: number;
  /** … and the whole request within this */
  readonly requestMs: number;
  /** an idle keep-alive connection is closed after this */
  readonly keepAliveMs: number;
  /** a connection with no traffic at all (e.g. a client that stopped reading) is closed after this */
  readonly socketIdleMs: number;
  /** close(): requests in flight get this long before their connections are cut */
  readonly closeGraceMs: number;
}

export const DEFAULT_HTTP_TIMEOUTS: HttpTimeouts = {
  headersMs: 5_000,
  requestMs: 10_000,
  keepAliveMs: 5_000,
  socketIdleMs: 30_000,
  closeGraceMs: 250,
};

/** The most request header bytes a connection may send: Prometheus and the kubelet send well under 1 KiB. */
export const MAX_HEADER_BYTES = 8 * 1024;
/** Connections waiting to be accepted; below the default web.max_connections (see `Connections`). */
export const LISTEN_BACKLOG = 511;

export interface HttpServerOptions {
  readonly listen: { readonly host: string; readonly port: number };
  readonly web: SentinelConfig['web'];
  readonly registry: Registry;
  /** the latest diagnosis; null before the first probe round finished */
  readonly diagnosis: () => Diagnosis | null;
  readonly live: () => boolean;
  readonly ready: () => boolean;
  /** `POST /-/reload`; served only when web.enableLifecycle is set too */
  readonly reload?: () => Promise<{ ok: boolean; error?: string }>;
  readonly logger: Logger;
  readonly timeouts?: Partial<HttpTimeouts>;
}

/** The daemon's HTTP(S) server. Lifecycle: `start()` once, then `close()` once. */
export interface HttpServer {
  /** listens; port 0 picks a free port. Resolves to the bound address. Throws ConfigError for unusable web.tls_* files. */
  start(): Promise<{ host: string; port: number }>;
  /** stops accepting, closes idle keep-alive connections at once and the rest after a short grace */
  close(): Promise<void>;
  /** connections held now, and how many were closed since start to make room, refused, or cut for silence */
  connections(): { open: number; shed: number; refused: number; silent: number };
}

type Res = Http.ServerResponse;
type Handler = (req: Http.IncomingMessage, res: Res) => Promise<void> | void;
interface Route {
  readonly methods: readonly string[];
  readonly handle: Handler;
}

const TEXT = 'text/plain; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';
const HTML = 'text/html; charset=utf-8';

export function createHttpServer(opts: HttpServerOptions): HttpServer {
  const timeouts = { ...DEFAULT_HTTP_TIMEOUTS, ...opts.timeouts };
  const log = opts.logger;
  const auth = createBasicAuth(opts.web.basicAuthUsers);
  const open = new Set<string>(opts.web.unauthenticatedPaths);
  const routes = buildRoutes(opts);
  const connections = new Connections(opts.web.maxConnections);
  let server: Http.Server | https.Server | null = null;
  let sweeper: NodeJS.Timeout | null = null;
  let closing: Promise<void> | null = null;
  let lastShedWarning = 0;
  let shedSinceWarning = 0;

  const handle = async (req: Http.IncomingMessage, res: Res): Promise<void> => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    // Bodies are never read: the connection closes after the answer instead of draining one.
    if (req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined) {
      if (req.headers['content-length'] !== '0') res.setHeader('Connection', 'close');
    }
    const path = pathOf(req.url);
    if (path === null) return send(res, 400, TEXT, 'bad request target\n');

    if (auth.enabled && !open.has(path)) {
      const user = await auth.verify(req.headers.authorization);
      if (user === null) {
        log.debug({ path, remote: req.socket.remoteAddress }, 'request without valid credentials');
        res.setHeader('WWW-Authenticate', 'Basic realm="otel-sentinel", charset="UTF-8"');
        return send(res, 401, TEXT, 'unauthorized\n');
      }
    }

    const route = routes.get(path);
    if (!route) return send(res, 404, TEXT, '404 page not found\n');
    const method = req.method ?? 'GET';
    if (!route.methods.includes(method)) {
      res.setHeader('Allow', route.methods.join(', '));
      return send(res, 405, TEXT, `method not allowed: use ${route.methods.join(' or ')}\n`);
    }
    await route.handle(req, res);
  };

  const listener = (req: Http.IncomingMessage, res: Res): void => {
    const socket = req.socket;
    connections.begin(socket);
    handle(req, res)
      .catch((err: unknown) => {
        log.error({ path: pathOf(req.url), err: (err as Error)?.message }, 'request failed');
        if (!res.headersSent) send(res, 500, TEXT, 'internal error\n');
        else res.destroy();
      })
      .finally(() => connections.end(socket));
  };

  const accept = (socket: Socket): void => {
    const shed = connections.shed + connections.refused;
    connections.add(socket);
    const more = connections.shed + connections.refused - shed;
    if (more === 0) return;
    shedSinceWarning += more;
    const now = Date.now();
    if (now - lastShedWarning > 60_000) {
      lastShedWarning = now;
      log.warn(
        { max_connections: opts.web.maxConnections, closed: shedSinceWarning },
        'web.max_connections reached: the least recently active idle or unfinished connections were closed to make room',
      );
      shedSinceWarning = 0;
    }
  };

  return {
    async start() {
      if (server) throw new Error('the HTTP server is already started');
      const checkEveryMs = Math.max(100, Math.min(1_000, timeouts.headersMs / 2));
      const options: Http.ServerOptions = {
        headersTimeout: timeouts.headersMs,
        requestTimeout: timeouts.requestMs,
        keepAliveTimeout: timeouts.keepAliveMs,
        // how often Node looks for connections past headersTimeout/requestTimeout (default 30 s)
        connectionsCheckingInterval: checkEveryMs,
        maxHeaderSize: MAX_HEADER_BYTES,
      };
      const s = opts.web.tlsCertFile
        ? https.createServer({ ...options, ...(await readTls(opts.web)), handshakeTimeout: timeouts.headersMs }, listener)
        : http.createServer(options, listener);
      s.setTimeout(timeouts.socketIdleMs);
      // first of the 'connection' listeners: a socket closed here is never parsed
      s.prependListener('connection', accept);
      // connections that never send a byte: Node's headersTimeout starts with the first one
      sweeper = setInterval(() => connections.sweep(timeouts.headersMs), checkEveryMs);
      sweeper.unref();
      s.on('tlsClientError', (err: Error) => log.debug({ err: err.message }, 'TLS handshake with a client failed'));
      server = s;

      await new Promise<void>((resolve, reject) => {
        const onError = (err: NodeJS.ErrnoException): void => {
          reject(
            new Error(
              `cannot listen on ${opts.listen.host}:${opts.listen.port} (${err.code ?? err.message}); set \`listen\` (or --listen) to a free local address and port`,
            ),
          );
        };
        s.once('error', onError);
        s.listen({ host: opts.listen.host || undefined, port: opts.listen.port, backlog: LISTEN_BACKLOG }, () => {
          s.off('error', onError);
          s.on('error', (err) => log.error({ err: err.message }, 'HTTP server error'));
          resolve();
        });
      });
      const address = s.address() as AddressInfo;
      return { host: address.address, port: address.port };
    },

    connections() {
      return { open: connections.size, shed: connections.shed, refused: connections.refused, silent: connections.silent };
    },

    close() {
      const s = server;
      if (!s) return Promise.resolve();
      if (sweeper) clearInterval(sweeper);
      closing ??= new Promise<void>((resolve) => {
        const cut = setTimeout(() => {
          s.closeAllConnections();
          for (const socket of [...connections.sockets()]) socket.destroy();
        }, timeouts.closeGraceMs);
        s.close(() => {
          clearTimeout(cut);
          resolve();
        });
        s.closeIdleConnections();
      });
      return closing;
    },
  };
}

function buildRoutes(opts: HttpServerOptions): Map<string, Route> {
  const read = ['GET', 'HEAD'];
  let diagnosisCache: { d: Diagnosis; body: string } | null = null;

  const routes = new Map<string, Route>([
    [
      '/metrics',
      {
        methods: read,
        async handle(req, res) {
          const format = negotiateFormat(req.headers.accept);
          const body = await renderMetrics(opts.registry, format);
          res.setHeader('Vary', 'Accept');
          send(res, 200, CONTENT_TYPES[format], body);
        },
      },
    ],
    [
      '/livez',
      {
        methods: read,
        handle: (_req, res) =>
          opts.live() ? send(res, 200, TEXT, 'ok\n') : send(res, 503, TEXT, 'not live: the probe loop has not run within 3 intervals\n'),
      },
    ],
    [
      '/readyz',
      {
        methods: read,
        handle: (_req, res) =>
          opts.ready() ? send(res, 200, TEXT, 'ok\n') : send(res, 503, TEXT, 'not ready: the first probe round has not finished\n'),
      },
    ],
    [
      '/api/v1/diagnosis',
      {
        methods: read,
        handle(_req, res) {
          const d = opts.diagnosis();
          if (!d) return send(res, 503, JSON_TYPE, `${JSON.stringify({ error: 'no diagnosis yet: the first probe round has not finished' })}\n`);
          // The same diagnosis object is served from the same text until the next one.
          if (diagnosisCache?.d !== d) diagnosisCache = { d, body: `${JSON.stringify(d)}\n` };
          send(res, 200, JSON_TYPE, diagnosisCache.body);
        },
      },
    ],
    ['/', { methods: read, handle: (_req, res) => send(res, 200, HTML, renderStatusPage(opts.diagnosis(), Date.now())) }],
    [
      '/-/reload',
      {
        methods: ['POST', 'PUT'],
        async handle(_req, res) {
          if (!opts.web.enableLifecycle || !opts.reload) return send(res, 403, TEXT, 'Lifecycle API is not enabled.\n');
          const result = await opts.reload();
          if (result.ok) return send(res, 200, TEXT, 'configuration reloaded\n');
          send(res, 500, TEXT, `failed to reload config: ${result.error ?? 'unknown error'}\n`);
        },
      },
    ],
  ]);

  for (const [path, asset] of STATIC_ASSETS) {
    routes.set(path, {
      methods: read,
      handle(req, res) {
        res.setHeader('ETag', asset.etag);
        res.setHeader('Cache-Control', 'no-cache');
        if (req.headers['if-none-match'] === asset.etag) {
          res.statusCode = 304;
          res.end();
          return;
        }
        send(res, 200, asset.contentType, asset.body, false);
      },
    });
  }
  return routes;
}

function send(res: Res, status: number, contentType: string, body: string | Buffer, noStore = true): void {
  res.statusCode = status;
  res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Length', typeof body === 'string' ? Buffer.byteLength(body) : body.length);
  if (noStore) res.setHeader('Cache-Control', 'no-store');
  // Node sends no body for HEAD by itself; the length stays that of GET.
  res.end(body);
}

/** The path of an origin-form (or absolute-form) request target, query dropped; null when unusable. */
function pathOf(url: string | undefined): string | null {
  if (!url) return null;
  if (url.startsWith('/')) {
    const end = url.search(/[?#]/);
    return end < 0 ? url : url.slice(0, end);
  }
  try {
    return new URL(url).pathname;
  } catch {
    return null;
  }
}

async function readTls(web: SentinelConfig['web']): Promise<https.ServerOptions> {
  const read = async (file: string, key: string): Promise<Buffer> => {
    try {
      return readBoundedFileSync(file, FILE_LIMITS.tls);
    } catch (err) {
      if (err instanceof FileTooLargeError) throw new ConfigError(file, key, `${err.detail}; point ${key} at a PEM file`);
      throw new ConfigError(file, key, `cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'}); point ${key} at a PEM file readable by otel-sentinel`);
    }
  };
  if (!web.tlsKeyFile) throw new ConfigError(web.tlsCertFile, 'web.tls_key_file', 'HTTPS needs both web.tls_cert_file and web.tls_key_file; set both, or neither');
  const cert = await read(web.tlsCertFile, 'web.tls_cert_file');
  const key = await read(web.tlsKeyFile, 'web.tls_key_file');
  try {
    // Parsing here, not at the first handshake, turns a bad pair into an error at start.
    createSecureContext({ cert, key });
  } catch (err) {
    throw new ConfigError(
      web.tlsCertFile,
      'web.tls_cert_file',
      `with web.tls_key_file ${web.tlsKeyFile}: not a usable PEM certificate and matching private key (${(err as Error).message}); check both files`,
    );
  }
  return { cert, key, minVersion: 'TLSv1.2' };
}
