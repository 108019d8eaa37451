import type { ReasonSpec } from '../reason-spec.js';
import { answer, exporter, key, request } from './probe-wording.js';

/** Reasons of the `auth` cause (docs/reasons.md) found by the probe; missing_credentials is in config.ts. */
export const authReasons = {
  unauthorized: {
    cause: 'auth',
    severity: 'critical',
    summary: 'The backend rejected the credentials (HTTP 401, gRPC UNAUTHENTICATED).',
    message: (f) =>
      `${exporter(f)}: ${request(f)} was rejected as unauthenticated: ${answer(f)}${f.sent_headers ? `; headers sent: ${f.sent_headers}` : '; no credentials were sent'}`,
    fix: (f) =>
      `Give the exporter valid credentials: ${key(f, 'headers')} (e.g. authorization: "Bearer \${env:TOKEN}") or ${key(f, 'auth.authenticator')} (bearertokenauth, basicauth); check that the token is current and meant for this backend`,
  },
  forbidden: {
    cause: 'auth',
    severity: 'critical',
    summary: 'The backend accepted the identity but denies it (HTTP 403, gRPC PERMISSION_DENIED).',
    message: (f) =>
      `${exporter(f)}: ${request(f)} was denied: ${answer(f)}${f.sent_headers ? `; headers sent: ${f.sent_headers}` : ''}`,
    fix: (f) =>
      `The credentials in ${key(f, 'headers')} or ${key(f, 'auth.authenticator')} are known but not allowed to write traces: grant the token or API key write access, and set the tenant or organisation header the backend expects (e.g. X-Scope-OrgID) in ${key(f, 'headers')}`,
  },
} satisfies Record<string, ReasonSpec>;
