/**
 * headers_setter with `from_context`: the collector sends each request's own value (a tenant, a
 * token), the default only when the request brings none. The probe has no request: a backend that
 * refuses it says nothing of the collector's exports, so that is a warning (auth_unverifiable), never
 * the critical `unauthorized` of a multi-tenant pipeline that is healthy. A header with a static
 * value is sent as the collector sends it, and its refusal stays critical. A real `check` against a
 * real HTTP backend on loopback that wants `X-Scope-OrgID: acme`.
 */
import t from 'tap';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectorYaml } from '../helpers/collector-yaml.js';
import { runCli } from '../helpers/run-cli.js';

interface Entry {
  name: string;
  state: string;
  problems: { reason: string; severity: string; message: string }[];
}

async function tenantBackend(): Promise<{ port: number; seen: (string | undefined)[]; server: Server }> {
  const seen: (string | undefined)[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const tenant = req.headers['x-scope-orgid'] as string | undefined;
      seen.push(tenant);
      res.writeHead(tenant === 'acme' ? 200 : 401, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as AddressInfo).port, seen, server };
}

t.test('a refusal of a header the request context supplies is a warning; of a static one, critical', async (t) => {
  const backend = await tenantBackend();
  t.teardown(() => new Promise<void>((r) => backend.server.close(() => r())));
  const dir = mkdtempSync(join(tmpdir(), 'headers-setter-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const endpoint = `http://127.0.0.1:${backend.port}`;
  const setter = (entry: Record<string, string>) => ({ headers: [{ action: 'upsert', key: 'X-Scope-OrgID', ...entry }] });
  const exporters = {
    'otlphttp/context': { endpoint, auth: { authenticator: 'headers_setter/context' } },
    'otlphttp/wrong-default': { endpoint, auth: { authenticator: 'headers_setter/wrong-default' } },
    'otlphttp/right-default': { endpoint, auth: { authenticator: 'headers_setter/right-default' } },
    'otlphttp/static': { endpoint, auth: { authenticator: 'headers_setter/static' } },
  };
  const collector = join(dir, 'collector.yaml');
  const extensions = {
    'headers_setter/context': setter({ from_context: 'tenant' }),
    'headers_setter/wrong-default': setter({ from_context: 'tenant', default_value: 'nobody' }),
    'headers_setter/right-default': setter({ from_context: 'tenant', default_value: 'acme' }),
    'headers_setter/static': setter({ value: 'nobody' }),
  };
  writeFileSync(collector, collectorYaml(exporters, { extensions, service: { extensions: Object.keys(extensions) } }));
  const run = await runCli(['check', '--no-collector', '--json', '--collector-config', collector]);
  t.equal(run.code, 1, `the static header's refusal is a problem; stderr: ${run.stderr}`);
  const byName = new Map((JSON.parse(run.stdout) as { exporters: Entry[] }).exporters.map((e) => [e.name, e]));
  const summary = (name: string) => {
    const e = byName.get(name)!;
    return { state: e.state, problems: e.problems.map((p) => `${p.reason} ${p.severity}`) };
  };

  // a warning, as for any authenticator the probe cannot speak for: not down (the probe failed, so
  // its exporter_up is 0, as docs/metrics.md says of a probe that did not succeed)
  t.same(summary('otlphttp/context'), { state: 'warn', problems: ['auth_unverifiable warning'] }, 'no default: the probe sends no tenant, and the refusal is not held against the exporter');
  t.match(byName.get('otlphttp/context')!.problems[0]!.message, /X-Scope-OrgID from each request's context/, 'the message names the header');
  t.same(summary('otlphttp/wrong-default'), { state: 'warn', problems: ['auth_unverifiable warning'] }, 'a default the backend refuses: the requests carry their own tenants');
  t.same(summary('otlphttp/right-default'), { state: 'up', problems: [] }, 'a default the backend accepts: up');
  t.same(summary('otlphttp/static'), { state: 'down', problems: ['unauthorized critical'] }, 'a static value is what the collector sends: its refusal is critical');
  t.same([...new Set(backend.seen)].sort(), ['acme', 'nobody', undefined].sort(), 'the probes sent the default when there is one, nothing else');
});
