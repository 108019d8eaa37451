/**
 * The loopback backends of bench/probe-cost.ts, run in their own process so the benchmark measures
 * only the prober's CPU. Prints one JSON line with the ports and the CA file, then serves until its
 * stdin closes.
 */
import { testCerts } from '../test/helpers/certs.js';
import { startGrpcServer } from '../test/helpers/grpc-server.js';
import { startHttpServer } from '../test/helpers/http-server.js';

const certs = testCerts();
const tls = { cert: certs.server.cert, key: certs.server.key };
const servers = {
  grpc: await startGrpcServer(),
  grpcTls: await startGrpcServer({ tls }),
  http: await startHttpServer(),
  https: await startHttpServer({ tls }),
};
process.stdout.write(
  `${JSON.stringify({
    caFile: certs.ca.certFile,
    grpc: servers.grpc.port,
    grpcTls: servers.grpcTls.port,
    http: servers.http.port,
    https: servers.https.port,
  })}\n`,
);
process.stdin.resume();
process.stdin.on('end', async () => {
  await Promise.all(Object.values(servers).map((s) => s.close()));
  process.exit(0);
});
