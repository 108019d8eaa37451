/**
 * Peers that run in their own process, so a test can kill -9 them and start them again on the same
 * port: an OTLP backend (HTTP and gRPC), a CONNECT proxy, the collector's telemetry endpoint, and
 * an idle stand-in for the collector process. Each prints one JSON line with its ports when
 * listening. Lifecycle: start, kill(), start again with the same ports, teardown kills it.
 */
import type { Test } from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

export type PeerKind = 'backend' | 'proxy' | 'telemetry' | 'idle';

const SCRIPT = String.raw`
import { createServer } from 'node:http';
import { connect } from 'node:net';
const kind = process.env.PEER_KIND;
const ports = JSON.parse(process.env.PEER_PORTS || '{}');
const listen = (server, port) => new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(port ?? 0, '127.0.0.1', () => resolve(server.address().port));
});
const out = {};
if (kind === 'backend') {
  const grpc = await import('@grpc/grpc-js');
  const http = createServer((req, res) => { req.resume(); req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end()); });
  out.http = await listen(http, ports.http);
  const g = new grpc.Server();
  const raw = (b) => b;
  g.register('/opentelemetry.proto.collector.trace.v1.TraceService/Export', (_c, cb) => cb(null, Buffer.alloc(0)), raw, raw, 'unary');
  out.grpc = await new Promise((resolve, reject) => g.bindAsync('127.0.0.1:' + (ports.grpc ?? 0), grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
} else if (kind === 'proxy') {
  const proxy = createServer((req, res) => res.writeHead(405).end());
  proxy.on('connect', (req, client, head) => {
    client.on('error', () => client.destroy());
    const [host, port] = (req.url || '').split(':');
    if (host !== '127.0.0.1') return client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
    const up = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection established\r\n\r\n');
      if (head.length) up.write(head);
      up.pipe(client);
      client.pipe(up);
    });
    up.on('error', () => client.destroy());
  });
  out.http = await listen(proxy, ports.http);
} else if (kind === 'telemetry') {
  const names = JSON.parse(process.env.PEER_EXPORTERS || '[]');
  const server = createServer((req, res) => {
    req.resume();
    const lines = ['# TYPE otelcol_exporter_queue_size gauge'];
    for (const e of names) lines.push('otelcol_exporter_queue_size{exporter="' + e + '"} 1');
    lines.push('# TYPE otelcol_exporter_queue_capacity gauge');
    for (const e of names) lines.push('otelcol_exporter_queue_capacity{exporter="' + e + '"} 1000');
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(lines.join('\n') + '\n');
  });
  out.http = await listen(server, ports.http);
} else {
  setInterval(() => {}, 1 << 30);
}
process.stdout.write(JSON.stringify(out) + '\n');
`;

export interface Peer {
  readonly ports: { http?: number; grpc?: number };
  readonly pid: number;
  /** SIGKILL, resolves once the process is gone */
  kill(): Promise<void>;
}

/** Starts a peer process; `ports` from an earlier start reuses them. Resolves once it listens. */
export async function startPeer(t: Test, kind: PeerKind, ports: Peer['ports'] = {}, exporters: string[] = []): Promise<Peer> {
  const child: ChildProcess = spawn(process.execPath, ['--input-type=module', '-e', SCRIPT], {
    cwd: process.cwd(),
    env: { ...process.env, PEER_KIND: kind, PEER_PORTS: JSON.stringify(ports), PEER_EXPORTERS: JSON.stringify(exporters) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit');
  const kill = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    await exited;
  };
  t.teardown(kill);
  const lines = createInterface({ input: child.stdout! });
  const [first] = (await Promise.race([once(lines, 'line'), exited.then(() => [null])])) as [string | null];
  if (first === null) throw new Error(`the ${kind} peer exited before listening`);
  return { ports: JSON.parse(first) as Peer['ports'], pid: child.pid!, kill };
}

// Run as a test file of its own (tap runs every file under test/): a peer restarts on its ports.
