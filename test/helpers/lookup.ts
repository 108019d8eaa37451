/**
 * Test-only DNS for the probe's injected `lookup`: names such as `backend.test` resolve to loopback
 * (so a "remote" host can go through an environment proxy while traffic stays on this machine),
 * a lookup that fails with a chosen resolver code, and a lookup through a real resolver pointed at
 * a loopback DNS server (see dns-stub.ts).
 */
import { promises as dns, type LookupAddress } from 'node:dns';
import type { LookupAll } from '../../src/probe/prober.js';

const errorWith = (code: string, host: string): Error =>
  Object.assign(new Error(`getaddrinfo ${code} ${host}`), { code, hostname: host, syscall: 'getaddrinfo' });

/** Resolves the given names (default backend.test and proxy.test) to loopback; others are ENOTFOUND. */
export function testLookup(names: Readonly<Record<string, string | readonly string[]>> = {}): LookupAll {
  const table: Record<string, string | readonly string[]> = { 'backend.test': '127.0.0.1', 'proxy.test': '127.0.0.1', localhost: '127.0.0.1', ...names };
  return async (host) => {
    const hit = table[host];
    if (hit === undefined) throw errorWith('ENOTFOUND', host);
    const list = typeof hit === 'string' ? [hit] : hit;
    return list.map((address): LookupAddress => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
}

/** A lookup that always fails with `code` (EAI_AGAIN: the resolver did not answer). */
export function failingLookup(code = 'EAI_AGAIN'): LookupAll {
  return async (host) => {
    throw errorWith(code, host);
  };
}

/** A lookup through a real resolver asking only the DNS server at 127.0.0.1:port. */
export function resolverLookup(port: number, timeoutMs = 500): LookupAll {
  const resolver = new dns.Resolver({ timeout: timeoutMs, tries: 1 });
  resolver.setServers([`127.0.0.1:${port}`]);
  return async (host) => (await resolver.resolve4(host)).map((address) => ({ address, family: 4 }));
}
