/**
 * The bench's Node.js floor (bench/node-floor.ts): Node's own modules doing the daemon's probes.
 * It is a baseline, so it must really probe: ready only once every target answered as a healthy
 * backend does, a failed first round named, and with an interval it keeps probing. Real servers on
 * loopback: OTLP/HTTP, OTLP/HTTPS, gRPC in plaintext and over TLS. Needs `npm run build` (pretest).
 */
import t from 'tap';
import { freePort } from '../../bench/free-port.js';
import { startNodeFloor } from '../../bench/node-floor-process.js';
import type { FloorTarget } from '../../bench/node-floor.js';
import { testCerts } from '../helpers/certs.js';
import { startGrpcServer, startHttpServer } from '../helpers/servers.js';

t.test('ready once every kind of target answered; then it keeps probing at the interval', async (t) => {
  const certs = testCerts();
  const tls = { cert: certs.server.cert, key: certs.server.key };
  const servers = await Promise.all([startHttpServer(), startHttpServer({ tls }), startGrpcServer(), startGrpcServer({ tls })]);
  t.teardown(() => Promise.all(servers.map((s) => s.close())));
  const [http, https, grpc, grpcTls] = servers;
  const targets: FloorTarget[] = [
    { kind: 'http', endpoint: `http://127.0.0.1:${http!.port}` },
    { kind: 'http', endpoint: `https://127.0.0.1:${https!.port}`, caFile: certs.ca.certFile },
    { kind: 'grpc', endpoint: `127.0.0.1:${grpc!.port}` },
    { kind: 'grpc', endpoint: `127.0.0.1:${grpcTls!.port}`, caFile: certs.ca.certFile },
  ];
  const floor = await startNodeFloor(targets, 200);
  t.teardown(() => floor.stop());
  t.ok((await floor.waitReady()) > 0, 'ready');
  t.same(
    [http!.requests.length, https!.requests.length, grpc!.calls.length, grpcTls!.calls.length].map((n) => n >= 1),
    [true, true, true, true],
    'every server was asked',
  );
  t.match(http!.requests[0], { method: 'POST', url: '/v1/traces', headers: { 'content-type': 'application/x-protobuf' } }, 'an OTLP/HTTP export');
  let stats = await floor.stats();
  for (let i = 0; i < 200 && stats.probes < 3 * targets.length; i++) {
    await new Promise((r) => setTimeout(r, 25));
    stats = await floor.stats();
  }
  t.ok(stats.probes >= 3 * targets.length, `probing goes on (${stats.probes} probes)`);
  t.equal(stats.failed, 0, 'none failed');
});

t.test('a failed first round is an error that names the target and what it saw', async (t) => {
  const refusing = await freePort();
  const unavailable = await startHttpServer({ status: 503 });
  t.teardown(() => unavailable.close());
  const floor = await startNodeFloor([
    { kind: 'http', endpoint: `http://127.0.0.1:${unavailable.port}` },
    { kind: 'grpc', endpoint: `127.0.0.1:${refusing}` },
  ]);
  t.teardown(() => floor.stop());
  const err = await floor.waitReady().then(
    () => null,
    (e: Error) => e.message,
  );
  t.match(err, `127.0.0.1:${unavailable.port}: HTTP 503`, 'the 503 named');
  t.match(err, new RegExp(`127\\.0\\.0\\.1:${refusing}: .*ECONNREFUSED`), 'the refused connection named');
});

t.test('a TLS target whose chain is not trusted fails, so the floor checks what the daemon checks', async (t) => {
  const certs = testCerts();
  const server = await startHttpServer({ tls: { cert: certs.untrusted.cert, key: certs.untrusted.key } });
  t.teardown(() => server.close());
  const floor = await startNodeFloor([{ kind: 'http', endpoint: `https://127.0.0.1:${server.port}`, caFile: certs.ca.certFile }]);
  t.teardown(() => floor.stop());
  const err = await floor.waitReady().then(
    () => null,
    (e: Error) => e.message,
  );
  t.match(err, /unable to verify|self.signed|certificate/i, 'the untrusted chain refused');
});
