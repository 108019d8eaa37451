import type { ReasonSpec } from '../reason-spec.js';
import { answer, detail, exporter, key, request, s } from './probe-wording.js';

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
  oauth2_token_failed: {
    cause: 'auth',
    severity: 'critical',
    summary: "The exporter's oauth2client authenticator cannot get a token from its token_url.",
    message: (f) =>
      `${exporter(f)}: no OAuth2 token from ${s(f.token_url)} (extension ${s(f.authenticator)}, client credentials grant)${detail(f)}; the collector cannot send without one`,
    fix: (f) =>
      `Check extensions.${s(f.authenticator)}: client_id and client_secret (or their _file), token_url, scopes and endpoint_params must be what the authorization server expects, and its tls settings must trust that server; \`curl -u CLIENT_ID:CLIENT_SECRET -d grant_type=client_credentials ${s(f.token_url)}\` from the collector's host shows the server's answer`,
  },
  auth_unverifiable: {
    cause: 'auth',
    severity: 'warning',
    summary: "The backend refused the probe, which cannot make the credentials of the exporter's authenticator.",
    message: (f) =>
      `${exporter(f)}: ${request(f)} answered ${answer(f)}, but the probe cannot send the credentials of extension ${s(f.authenticator)} (${s(f.authenticator_type)}), which the collector computes per request: whether the collector's exports are accepted is not known`,
    fix: (f) =>
      `Nothing to change if the collector sends: watch otelcol_exporter_send_failed_* for ${s(f.exporter)} in the collector's metrics (collector.telemetry_url); if sends fail, check the settings of extensions.${s(f.authenticator)} and the identity it uses`,
  },
} satisfies Record<string, ReasonSpec>;
