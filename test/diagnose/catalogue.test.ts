import t from 'tap';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CATALOGUE, problem, reasonSpec, type ReasonCode } from '../../src/diagnose/catalogue.js';
import { CAUSES } from '../../src/diagnose/problem.js';
import { fixShape, messageShape } from '../helpers/reason-shape.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const doc = readFileSync(`${root}docs/reasons.md`, 'utf8');

/**
 * Reason codes are public (alert rules, dashboards and runbook links use them) and are never
 * dropped: these, per cause, must stay in the catalogue and so in docs/reasons.md.
 */
const PUBLIC_REASONS: Readonly<Record<string, readonly string[]>> = {
  network: ['connection_refused', 'connect_timeout', 'host_unreachable', 'connection_reset', 'dns_unavailable', 'proxy_unreachable', 'proxy_rejected'],
  endpoint: ['dns_not_found', 'invalid_endpoint', 'http_not_found', 'missing_endpoint'],
  tls: [
    'tls_unknown_authority', 'tls_cert_expired', 'tls_cert_not_yet_valid', 'tls_hostname_mismatch', 'tls_client_cert_required',
    'tls_bad_client_cert', 'tls_server_plaintext', 'tls_required', 'tls_config_invalid', 'tls_cert_expiring', 'tls_handshake_failed',
  ],
  auth: ['unauthorized', 'forbidden', 'missing_credentials'],
  backend: ['unavailable', 'throttled', 'server_error', 'response_timeout', 'slow_response'],
  protocol: ['grpc_to_http_server', 'http_to_grpc_server', 'unsupported_media_type', 'grpc_unimplemented', 'bad_request'],
  resources: ['fd_near_limit', 'fd_exhausted', 'memory_near_limit', 'oom_killed', 'collector_not_found'],
  queue: ['queue_near_capacity', 'queue_full', 'send_failing'],
};
const WARNINGS = new Set(['tls_cert_expiring', 'slow_response']);

interface DocSection {
  readonly cause?: string;
  readonly severity?: string;
  readonly text: string;
}

function sections(markdown: string): Map<string, DocSection> {
  const out = new Map<string, DocSection>();
  const parts = markdown.split(/^### /m).slice(1);
  for (const part of parts) {
    const name = /^`([a-z0-9_]+)`/.exec(part)?.[1];
    if (!name) continue;
    out.set(name, {
      cause: /^- cause: `([a-z]+)`/m.exec(part)?.[1],
      severity: /^- severity: `([a-z]+)`/m.exec(part)?.[1],
      text: part,
    });
  }
  return out;
}

const documented = sections(doc);

t.test('every reason of the catalogue is documented with its cause, severity and summary', (t) => {
  for (const [reason, spec] of Object.entries(CATALOGUE)) {
    const d = documented.get(reason);
    t.ok(d, `docs/reasons.md has a section for ${reason}`);
    if (!d) continue;
    t.equal(d.cause, spec.cause, `${reason}: cause`);
    t.equal(d.severity, spec.severity, `${reason}: severity`);
    t.ok(d.text.includes(spec.summary), `${reason}: the summary is in its section`);
    const message = messageShape(spec);
    const fix = fixShape(spec);
    t.ok(d.text.split('\n').includes(message), `${reason}: the message shape is up to date; expected the line\n${message}`);
    t.ok(d.text.split('\n').includes(fix), `${reason}: the fix is up to date; expected the line\n${fix}`);
  }
  t.end();
});

t.test('docs/reasons.md documents no reason the catalogue lacks', (t) => {
  for (const reason of documented.keys()) t.ok(reasonSpec(reason), `${reason} is in the catalogue`);
  t.end();
});

t.test('every public reason is still in the catalogue under its cause', (t) => {
  for (const [cause, reasons] of Object.entries(PUBLIC_REASONS)) {
    for (const reason of reasons) {
      t.equal(reasonSpec(reason)?.cause, cause, `${reason} -> ${cause}`);
      if (WARNINGS.has(reason)) t.equal(reasonSpec(reason)?.severity, 'warning', `${reason} is a warning`);
    }
  }
  t.end();
});

t.test('every reason builds a problem from empty facts, without throwing', (t) => {
  for (const reason of Object.keys(CATALOGUE) as ReasonCode[]) {
    const p = problem(reason);
    t.ok(p.message.length > 10 && p.fix.length > 10, reason);
    t.ok((CAUSES as readonly string[]).includes(p.cause), `${reason}: a known cause`);
  }
  // @ts-expect-error a code that is not in the catalogue does not compile (npm run typecheck)
  t.throws(() => problem('no_such_reason'));
  t.equal(reasonSpec('toString'), undefined, 'a code read at run time is looked up in the catalogue alone');
  t.end();
});
