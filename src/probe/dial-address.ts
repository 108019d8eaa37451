import type { LookupAddress } from 'node:dns';
import type { NetConnectOpts } from 'node:net';

/**
 * Where a probe dials, as the DNS layer lists it: an IPv4 or IPv6 address, or a gRPC exporter's
 * unix socket (`unix:///path`), which stands in the list as family 0 with its path as the address.
 */
export const UNIX_FAMILY = 0;

export const isUnixSocket = (a: Pick<LookupAddress, 'family'>): boolean => a.family === UNIX_FAMILY;

/** node:net's connect options for an address and the endpoint's port (a socket has no port). */
export function connectTo(a: LookupAddress, port: number): NetConnectOpts {
  return isUnixSocket(a) ? { path: a.address } : { host: a.address, port, family: a.family };
}

/** An address as the facts show it: `1.2.3.4:4317`, `[::1]:4317` or `unix:///run/otel.sock`. */
export function shownAddress(a: LookupAddress, port: number): string {
  if (isUnixSocket(a)) return `unix://${a.address}`;
  return a.family === 6 ? `[${a.address}]:${port}` : `${a.address}:${port}`;
}
