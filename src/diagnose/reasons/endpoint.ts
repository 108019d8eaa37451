import type { ReasonSpec } from '../reason-spec.js';
import { answer, code, exporter, hostOf, key, s } from './probe-wording.js';

/** Reasons of the `endpoint` cause (docs/reasons.md) found by the probe; config-time ones are in config.ts. */
export const endpointReasons = {
  dns_not_found: {
    cause: 'endpoint',
    severity: 'critical',
    summary: 'The endpoint host name does not exist in DNS.',
    message: (f) => `${exporter(f)}: the host name "${hostOf(f)}" does not exist${code(f)}`,
    fix: (f) =>
      `Correct the host in ${key(f, 'endpoint')} (in Kubernetes a service in another namespace is SERVICE.NAMESPACE.svc.cluster.local); \`getent hosts ${hostOf(f)}\` on the collector's host must find it`,
  },
  http_not_found: {
    cause: 'endpoint',
    severity: 'critical',
    summary: 'The server answered 404 on the path of the probed signal: no OTLP/HTTP receiver there.',
    message: (f) => `${exporter(f)}: POST ${s(f.url)} answered ${answer(f)}: nothing receives OTLP ${s(f.signal, 'traces')} at that path`,
    fix: (f) =>
      `An otlp_http exporter appends /v1/${s(f.signal, 'traces')} to ${key(f, 'endpoint')}: set it to the base URL of the OTLP/HTTP receiver (usually port 4318, e.g. "http://host:4318", no path), or set ${key(f, `${s(f.signal, 'traces')}_endpoint`)} to the full URL ending in /v1/${s(f.signal, 'traces')}`,
  },
} satisfies Record<string, ReasonSpec>;
