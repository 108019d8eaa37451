import { isIP, BlockList } from 'node:net';
import { domainToASCII } from 'node:url';
import { parseProxyUrl, type ProxyTarget } from './proxy-target.js';

/**
 * The proxy settings of an environment, read the way Go's golang.org/x/net/http/httpproxy reads
 * them (which the collector's HTTP client and grpc-go both use): HTTPS_PROXY for https targets,
 * HTTP_PROXY for http targets, upper case before lower case, NO_PROXY entries being `*`, IPs, CIDRs,
 * domains (matching themselves and their subdomains), `.domain`/`*.domain` (subdomains only), each
 * optionally with `:port`. localhost and loopback IPs never go through a proxy from the environment.
 */
export interface EnvProxy {
  /** the proxy for a target, or null to go direct */
  proxyFor(scheme: 'http' | 'https', host: string, port: number): ProxyTarget | null;
}

type Env = Readonly<Record<string, string | undefined>>;

interface DomainMatch {
  readonly host: string;
  readonly port: string;
  readonly matchHost: boolean;
}
interface IpMatch {
  readonly ip: string;
  readonly port: string;
}

const pick = (env: Env, upper: string): { value: string; source: string } | null => {
  const lower = upper.toLowerCase();
  const u = env[upper];
  if (u) return { value: u, source: upper };
  const l = env[lower];
  if (l) return { value: l, source: lower };
  return null;
};

const normaliseIp = (ip: string): string => {
  // Go compares IPs by value: ::ffff:1.2.3.4 equals 1.2.3.4.
  const lower = ip.toLowerCase();
  return lower.startsWith('::ffff:') && isIP(lower.slice(7)) === 4 ? lower.slice(7) : lower;
};

const isLoopback = (ip: string): boolean => {
  const n = normaliseIp(ip);
  if (isIP(n) === 4) return n.startsWith('127.');
  return LOOPBACK6.check(n, 'ipv6');
};
const LOOPBACK6 = new BlockList();
LOOPBACK6.addAddress('::1', 'ipv6');

function splitHostPort(p: string): { host: string; port: string } | null {
  if (p.startsWith('[')) {
    const end = p.indexOf(']');
    if (end < 0 || p[end + 1] !== ':') return null;
    return { host: p.slice(0, end + 1), port: p.slice(end + 2) };
  }
  const colon = p.lastIndexOf(':');
  if (colon < 0 || p.indexOf(':') !== colon) return null;
  return { host: p.slice(0, colon), port: p.slice(colon + 1) };
}

class ParsedEnvProxy implements EnvProxy {
  private readonly httpProxy: ProxyTarget | null;
  private readonly httpsProxy: ProxyTarget | null;
  private readonly all: boolean = false;
  private readonly cidrs = new BlockList();
  private hasCidr = false;
  private readonly ips: IpMatch[] = [];
  private readonly domains: DomainMatch[] = [];

  constructor(env: Env) {
    const http = pick(env, 'HTTP_PROXY');
    const https = pick(env, 'HTTPS_PROXY');
    this.httpProxy = http ? parseProxyUrl(http.value, http.source) : null;
    this.httpsProxy = https ? parseProxyUrl(https.value, https.source) : null;
    const noProxy = pick(env, 'NO_PROXY')?.value ?? '';
    for (const raw of noProxy.split(',')) {
      const p = raw.trim().toLowerCase();
      if (p === '') continue;
      if (p === '*') {
        this.all = true;
        return;
      }
      if (this.addCidr(p)) continue;
      let phost = p;
      let pport = '';
      const hp = splitHostPort(p);
      if (hp) {
        if (hp.host === '') continue;
        phost = hp.host.startsWith('[') && hp.host.endsWith(']') ? hp.host.slice(1, -1) : hp.host;
        pport = hp.port;
      }
      if (isIP(phost)) {
        this.ips.push({ ip: normaliseIp(phost), port: pport });
        continue;
      }
      if (phost === '') continue;
      if (phost.startsWith('*.')) phost = phost.slice(1);
      let matchHost = false;
      if (!phost.startsWith('.')) {
        matchHost = true;
        phost = `.${phost}`;
      }
      const ascii = domainToASCII(phost.slice(1));
      if (ascii) phost = `.${ascii}`;
      this.domains.push({ host: phost, port: pport, matchHost });
    }
  }

  private addCidr(p: string): boolean {
    const slash = p.indexOf('/');
    if (slash < 0) return false;
    const ip = p.slice(0, slash);
    const bitsText = p.slice(slash + 1);
    const family = isIP(ip);
    if (family === 0 || !/^\d{1,3}$/.test(bitsText)) return false;
    const bits = Number(bitsText);
    if (bits > (family === 4 ? 32 : 128)) return false;
    this.cidrs.addSubnet(ip, bits, family === 4 ? 'ipv4' : 'ipv6');
    this.hasCidr = true;
    return true;
  }

  proxyFor(scheme: 'http' | 'https', host: string, port: number): ProxyTarget | null {
    const proxy = scheme === 'https' ? this.httpsProxy : this.httpProxy;
    if (proxy === null) return null;
    return this.useProxy(host, String(port)) ? proxy : null;
  }

  private useProxy(rawHost: string, port: string): boolean {
    if (rawHost === 'localhost') return false;
    const family = isIP(rawHost);
    if (family !== 0 && isLoopback(rawHost)) return false;
    if (this.all) return false;
    const host = rawHost.trim().toLowerCase();
    if (family !== 0) {
      const ip = normaliseIp(host);
      const ipFamily = isIP(ip) === 4 ? 'ipv4' : 'ipv6';
      if (this.hasCidr && this.cidrs.check(ip, ipFamily)) return false;
      for (const m of this.ips) if (m.ip === ip && (m.port === '' || m.port === port)) return false;
    }
    const ascii = family === 0 ? domainToASCII(host) || host : host;
    for (const m of this.domains) {
      if (ascii.endsWith(m.host) || (m.matchHost && ascii === m.host.slice(1))) {
        if (m.port === '' || m.port === port) return false;
      }
    }
    return true;
  }
}

const NONE: EnvProxy = { proxyFor: () => null };

/** Reads the proxy variables of an environment; cheap to call again with an equal environment. */
export function envProxy(env: Env): EnvProxy {
  const k = `${env.HTTP_PROXY ?? ''}\n${env.http_proxy ?? ''}\n${env.HTTPS_PROXY ?? ''}\n${env.https_proxy ?? ''}\n${env.NO_PROXY ?? ''}\n${env.no_proxy ?? ''}`;
  if (k === '\n\n\n\n\n') return NONE;
  const hit = cache.get(k);
  if (hit) return hit;
  const parsed = new ParsedEnvProxy(env);
  if (cache.size > 32) cache.clear();
  cache.set(k, parsed);
  return parsed;
}
const cache = new Map<string, EnvProxy>();
