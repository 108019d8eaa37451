/**
 * Run by test/probe/network.test.ts inside a fresh network namespace (`unshare -n`), where even loopback is
 * down, so a connect fails with ENETUNREACH without any packet leaving the namespace. Prints the
 * probe result as JSON.
 */
import { exporterSpec, probeOnce } from './probe-fixtures.js';

const r = await probeOnce(exporterSpec({ endpoint: '127.0.0.1:4317', tls: { insecure: true } }), { timeoutMs: 10_000 });
process.stdout.write(JSON.stringify(r));
