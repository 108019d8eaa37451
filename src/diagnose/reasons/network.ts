import { protocolTraits } from '../../config/protocols.js';
import type { ReasonSpec } from '../reason-spec.js';
import { code, detail, exporter, hostOf, key, portOf, s, target, via } from './probe-wording.js';
import type { Facts } from '../../facts.js';

/** a gRPC exporter's unix socket (`unix:///path`) rather than a host and port */
const isSocket = (f: Facts): boolean => typeof f.endpoint === 'string' && f.endpoint.startsWith('unix://');

const proxyKey = (f: Parameters<ReasonSpec['fix']>[0]): string =>
  f.proxy_source === 'proxy_url'
    ? key(f, 'proxy_url')
    : `${s(f.proxy_source, 'HTTPS_PROXY')} in the collector's environment`;

/** Reasons of the `network` cause (docs/reasons.md): the packets do not get through. */
export const networkReasons = {
  connection_refused: {
    cause: 'network',
    severity: 'critical',
    summary: 'The TCP connection was refused: nothing listens on that host and port.',
    message: (f) =>
      isSocket(f)
        ? `${exporter(f)}: the connection to the unix socket ${s(f.endpoint)} was refused${code(f)}: nothing listens on it`
        : `${exporter(f)}: the TCP connection to ${target(f)} was refused${code(f)}: nothing listens on that port`,
    fix: (f) =>
      isSocket(f)
        ? `Start the backend that listens on the socket, or correct its path in ${key(f, 'endpoint')}; \`ss -xl | grep ${s(f.endpoint).slice('unix://'.length)}\` on the collector's host shows whether anything listens on it`
        : `Start the backend, or correct the host and port in ${key(f, 'endpoint')}${protocolTraits(f.protocol)?.exportsOtlp ? ' (OTLP/gRPC listens on 4317, OTLP/HTTP on 4318)' : ''}; \`nc -vz ${hostOf(f)} ${portOf(f)}\` from the collector's host shows whether the port is open`,
  },
  connect_timeout: {
    cause: 'network',
    severity: 'critical',
    summary: 'The TCP connection did not complete in time: packets are dropped on the way.',
    message: (f) =>
      `${exporter(f)}: the TCP connection to ${target(f)} got no answer within ${s(f.timeout_ms)} ms: the packets are dropped on the way (firewall, security group, NetworkPolicy) or the host is down`,
    fix: (f) =>
      `Allow traffic from the collector to ${hostOf(f)} port ${portOf(f)} (firewall, cloud security group, Kubernetes NetworkPolicy egress), check that the host is up, and if the collector can only leave through a proxy set HTTPS_PROXY in its environment${protocolTraits(f.protocol)?.proxyUrlKey ? ` or ${key(f, 'proxy_url')}` : ''}`,
  },
  host_unreachable: {
    cause: 'network',
    severity: 'critical',
    summary: 'There is no route to the host.',
    message: (f) => `${exporter(f)}: no route to ${target(f)}${code(f)}`,
    fix: (f) =>
      `Check the network between the collector and ${hostOf(f)} (routes, VPN or peering, the host's interface), or correct the host in ${key(f, 'endpoint')}`,
  },
  connection_reset: {
    cause: 'network',
    severity: 'critical',
    summary: 'The peer or something on the way reset or closed the connection.',
    message: (f) =>
      `${exporter(f)}: the connection to ${target(f)}${via(f)} ${f.code === 'CLOSED' ? 'was closed by the peer without an answer' : `was reset${code(f)}`}${f.phase ? ` during ${s(f.phase)}` : ''}${detail(f)}`,
    fix: (f) =>
      `Something between the collector and ${hostOf(f)} (load balancer, proxy, firewall, service mesh) or the server itself closes the connection: check the backend's logs and listener port, and that ${key(f, 'endpoint')} names a port that speaks OTLP`,
  },
  dns_unavailable: {
    cause: 'network',
    severity: 'critical',
    summary: 'No DNS resolver answered for the host name.',
    message: (f) => `${exporter(f)}: no DNS resolver answered for "${hostOf(f)}"${code(f)}${detail(f)}`,
    fix: (f) =>
      `Check the resolver the collector uses (/etc/resolv.conf in its container, CoreDNS/kube-dns in Kubernetes) and that it is reachable; \`getent hosts ${hostOf(f)}\` on the collector's host must answer`,
  },
  proxy_unreachable: {
    cause: 'network',
    severity: 'critical',
    summary: 'The HTTP proxy the exporter must use cannot be reached.',
    message: (f) =>
      `${exporter(f)}: the proxy ${s(f.proxy)}${f.proxy_source ? ` (from ${s(f.proxy_source)})` : ''} cannot be reached${f.proxy_address ? ` at ${s(f.proxy_address)}` : ''}${code(f)}${detail(f)}`,
    fix: (f) =>
      `Correct or start the proxy named by ${proxyKey(f)}${f.proxy_source === 'proxy_url' ? '' : `, or add "${hostOf(f)}" to NO_PROXY in the collector's environment to go direct`}`,
  },
  proxy_rejected: {
    cause: 'network',
    severity: 'critical',
    summary: 'The HTTP proxy refused to open a tunnel to the endpoint, or to forward the export.',
    message: (f) =>
      f.forwarded
        ? `${exporter(f)}: the proxy ${s(f.proxy)}${f.proxy_source ? ` (from ${s(f.proxy_source)})` : ''} answered ${s(f.forwarded)} with ${s(f.status)}${f.status_text ? ` ${s(f.status_text)}` : ''}${Number(f.status) === 407 ? ': it wants credentials' : `: a gateway status, the proxy could not get an answer from ${s(f.endpoint)} (or passed on the backend's)`}`
        : `${exporter(f)}: the proxy ${s(f.proxy)}${f.proxy_source ? ` (from ${s(f.proxy_source)})` : ''} refused the tunnel to ${s(f.endpoint)}: CONNECT answered ${s(f.status)}${f.status_text ? ` ${s(f.status_text)}` : ''}`,
    fix: (f) =>
      `${
        Number(f.status) === 407
          ? `Put the proxy credentials in the proxy URL (http://USER:PASSWORD@host:port) in ${proxyKey(f)}`
          : f.forwarded
            ? `Check that the proxy ${s(f.proxy)} can reach ${s(f.endpoint)} (its access rules, its DNS, its upstream timeout) and that the backend there is up`
            : `Allow ${s(f.endpoint)} in the proxy's access rules`
      }${f.proxy_source === 'proxy_url' ? '' : `, or add "${hostOf(f)}" to NO_PROXY in the collector's environment to go direct`}`,
  },
} satisfies Record<string, ReasonSpec>;
