/**
 * A rotated CA file is probed with at once: the exporter's `tls.ca_file` is watched like the
 * config files, so when its content changes the configuration is reloaded and the exporter whose
 * server now presents a certificate of the new CA comes back up without any change to the
 * collector's config. Without the watch, the probe keeps the CA read at start and reports a TLS
 * failure on a pipeline the restarted collector serves fine.
 */
import t from 'tap';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { testCerts } from '../helpers/certs.js';
import { startHttpServer } from '../helpers/servers.js';
import { configDir, startInProcess, waitFor, sample } from '../helpers/reliability-harness.js';

t.test('an exporter follows its CA file when it is rotated in place', async (t) => {
  const c = testCerts();
  // the server already presents a certificate of the other CA; the exporter still trusts the old one
  const server = await startHttpServer({ tls: { cert: c.untrusted.cert, key: c.untrusted.key } });
  t.teardown(() => server.close());
  const dir = configDir(t);
  const caFile = join(dir.dir, 'ca.pem');
  writeFileSync(caFile, c.ca.cert);
  dir.writeCollector({ 'otlphttp/rotated': { endpoint: `https://127.0.0.1:${server.port}`, tls: { ca_file: caFile } } });
  dir.writeSentinel();
  const d = await startInProcess(t, dir.sentinel);

  const before = await waitFor('the exporter to fail on TLS', async () => {
    const e = await d.exporter('otlphttp/rotated');
    return e?.checked_at && e.state === 'down' ? e : undefined;
  });
  t.same([...new Set(before.problems.map((p) => p.cause))], ['tls'], 'the old CA does not trust the server: cause tls');

  // the Secret is renewed: the file now holds the CA that signed the server's certificate
  writeFileSync(caFile, c.otherCa.cert);
  const after = await waitFor('the exporter to be up with the new CA', async () => {
    const e = await d.exporter('otlphttp/rotated');
    return e?.state === 'up' ? e : undefined;
  });
  t.same(after.problems, [], 'no problem left');
  t.ok(d.logs.some((r) => r.msg === 'configuration reloaded'), 'the change was taken as a reload');
  t.equal(sample(await d.metrics(), 'otel_sentinel_config_last_reload_successful'), 1, 'the reload succeeded');

  // the file goes away (a Secret deleted): named as unreadable, not probed with the CA it held
  rmSync(caFile);
  const gone = await waitFor('the exporter to report its unreadable CA file', async () => {
    const e = await d.exporter('otlphttp/rotated');
    return e?.problems.some((p) => p.reason === 'tls_config_invalid') ? e : undefined;
  });
  t.equal(gone.state, 'down', 'the exporter is down on its TLS settings');
});
