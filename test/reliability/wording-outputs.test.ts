import t from 'tap';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startHttpServer } from '../helpers/servers.js';
import { configDir, startChild, waitFor } from '../helpers/reliability-harness.js';

const CLIENT_SECRET = 'daemon-CLIENT-secret-8812';
const ACCESS_TOKEN = 'daemon-ACCESS-token-5309';

/**
 * The daemon's every output (diagnosis, /metrics, status page, logs at debug) with an ordinary tenant
 * header and an oauth2client exporter: names, hosts and fixes whole, no secret anywhere.
 */
t.test('ordinary headers stay readable and fetched credentials stay hidden in every output of the daemon', async (t) => {
  const tokenServer = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: ACCESS_TOKEN, token_type: 'bearer', expires_in: 3600 })));
  });
  await new Promise<void>((r) => tokenServer.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => (tokenServer.closeAllConnections(), tokenServer.close(() => r()))));
  const tokenUrl = `http://127.0.0.1:${(tokenServer.address() as AddressInfo).port}/token`;
  const tempo = await startHttpServer({ requiredToken: 'never-sent-0000' });
  const vendor = await startHttpServer({ requiredToken: ACCESS_TOKEN });
  t.teardown(() => Promise.all([tempo.close(), vendor.close()]));

  const cfg = configDir(t, 'sentinel-wording-');
  cfg.writeCollector(
    {
      'otlp_http/tempo': { endpoint: `http://localhost:${tempo.port}`, headers: { 'X-Scope-OrgID': 'tempo', authorization: 'Bearer ${env:WORDING_UNSET}' } },
      'otlp_http/vendor': { endpoint: `http://127.0.0.1:${vendor.port}`, headers: { 'X-Scope-OrgID': 'vendor' }, auth: { authenticator: 'oauth2client' } },
    },
    {
      extensions: { oauth2client: { client_id: 'sentinel', client_secret: CLIENT_SECRET, token_url: tokenUrl } },
      service: { extensions: ['oauth2client'] },
    },
  );
  cfg.writeSentinel([], { level: 'debug', interval: '3s', timeout: '2s' });
  const daemon = startChild(t, ['serve', '--config', cfg.sentinel]);
  const base = await daemon.base();
  const get = async (path: string): Promise<string> => (await fetch(`${base}${path}`)).text();
  const d = await waitFor('both exporters probed', async () => {
    const doc = JSON.parse(await get('/api/v1/diagnosis')) as { exporters: Array<{ name: string; up: boolean; checked_at: string | null; problems: Array<{ reason: string; message: string; fix: string }> }> };
    return doc.exporters.every((e) => e.checked_at) ? doc : undefined;
  });
  const byName = new Map(d.exporters.map((e) => [e.name, e]));
  t.equal(byName.get('otlp_http/vendor')?.up, true, 'the oauth2 token was fetched and accepted');
  const tempoProblem = byName.get('otlp_http/tempo')?.problems[0];
  t.equal(tempoProblem?.reason, 'missing_credentials');
  t.match(tempoProblem?.message, 'exporter "otlp_http/tempo"');
  const outputs = { diagnosis: JSON.stringify(d), metrics: await get('/metrics'), page: await get('/') };
  t.equal(await daemon.terminate(), 0);
  const all = { ...outputs, log: daemon.output() };
  for (const [what, text] of Object.entries(all)) {
    t.notMatch(text, CLIENT_SECRET, `${what}: no client secret`);
    t.notMatch(text, ACCESS_TOKEN, `${what}: no access token`);
    t.notMatch(text, '[REDACTED]', `${what}: nothing ordinary taken for a secret`);
  }
  t.match(outputs.metrics, 'exporter="otlp_http/tempo"', 'metrics name the exporter whole');
  t.match(outputs.page, 'otlp_http/tempo');
  t.match(all.log, 'otlp_http/tempo');
});
