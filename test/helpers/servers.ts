/**
 * Every loopback fixture the probe tests (and others) use, in one import:
 *
 *   import { startGrpcServer, startHttpServer, startConnectProxy, startSilentServer, startRawServer,
 *            closedPort, startBacklogFullListener, testLookup, failingLookup, resolverLookup,
 *            startDnsStub } from './servers.js';
 *
 * Each start* returns `{ port, close() }`; register `t.teardown(() => s.close())`.
 */
export * from './grpc-server.js';
export * from './http-server.js';
export * from './connect-proxy.js';
export * from './raw-servers.js';
export * from './lookup.js';
export * from './dns-stub.js';
