import { promises as dns, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { errorCode } from './error-code.js';
import { fail, OBSERVED, type Layer } from './layer.js';
import type { LookupAll } from './prober.js';
import { settle } from './settle.js';
import { UNIX_FAMILY } from './dial-address.js';

const systemLookup: LookupAll = (host) => dns.lookup(host, { all: true, verbatim: true });

/**
 * Resolves every address of the host to dial: the endpoint's, or the proxy's when proxied. IP
 * literals skip DNS. A lookup cannot be cancelled; at the deadline the probe stops waiting for it.
 */
export const dnsLayer: Layer = {
  name: 'dns',
  phase: 'dns_seconds',
  waitsFor: 'the DNS answer',
  skip(run) {
    const socketPath = run.prep.endpoint.socketPath;
    if (socketPath !== undefined) {
      // a unix socket: nothing to look up (and no proxy: the proxy layer skips it)
      run.addresses = [{ address: socketPath, family: UNIX_FAMILY }];
      return true;
    }
    const host = run.proxy ? run.proxy.host : run.prep.endpoint.host;
    const family = isIP(host);
    if (family === 0) return false;
    run.addresses = [{ address: host, family }];
    return true;
  },
  async run(run) {
    const host = run.proxy ? run.proxy.host : run.prep.endpoint.host;
    const lookup = run.ctx.lookup ?? systemLookup;
    try {
      const addresses = await settle<LookupAddress[]>(run.signal, (resolve, reject) => {
        lookup(host).then(resolve, reject);
        return () => {};
      });
      if (addresses.length === 0) return fail('dns', 'ENOTFOUND', { looked_up: host });
      run.addresses = addresses;
      return undefined;
    } catch (err) {
      const code = errorCode(err);
      return fail('dns', code === 'TIMEOUT' ? OBSERVED.timeout : code, { looked_up: host }, err);
    }
  },
};
