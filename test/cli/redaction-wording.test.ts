import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/run-cli.js';
import { startHttpServer } from '../helpers/servers.js';
import { collectorYaml } from '../helpers/collector-yaml.js';
import { headerSecrets, redact } from '../../src/diagnose/redact.js';

const TOKEN = 'wording-TOKEN-31337';
const WRONG = 'Wrong-Token-77aa91bb';

t.test('ordinary headers do not erase names, hosts and fixes; real secrets never show', async (t) => {
  const needsToken = await startHttpServer({ requiredToken: TOKEN });
  t.teardown(() => needsToken.close());
  const url = `http://localhost:${needsToken.port}`;
  const exporters = {
    // a tenant header whose value is also the exporter's name and host
    'otlp_http/tempo': { endpoint: url, headers: { 'X-Scope-OrgID': 'tempo' } },
    'otlp_http/localhost': { endpoint: url, headers: { 'X-Scope-OrgID': 'localhost', 'X-Empty': '' } },
    // an unset token leaves "Bearer " in the header: nothing to hide, the fix's example stays whole
    'otlp_http/unset': { endpoint: url, headers: { authorization: 'Bearer ${env:WORDING_UNSET}' } },
    // a wrong token: rejected, and never shown
    'otlp_http/wrong': { endpoint: url, headers: { authorization: `Bearer ${WRONG}`, 'x-api-key': WRONG.toLowerCase() } },
  };
  const dir = mkdtempSync(join(tmpdir(), 'sentinel-wording-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const collector = join(dir, 'collector.yaml');
  writeFileSync(collector, collectorYaml(exporters));
  const sentinel = join(dir, 'sentinel.yaml');
  writeFileSync(sentinel, `collector:\n  config_files: [${JSON.stringify(collector)}]\n  telemetry_url: ""\n  use_process_environment: false\n`);
  const env: Record<string, string | undefined> = { ...process.env };
  delete env.WORDING_UNSET;

  const json = await runCli(['check', '--config', sentinel, '--json'], env);
  const text = await runCli(['check', '--config', sentinel], env);
  t.equal(json.code, 1, json.stderr);
  const d = JSON.parse(json.stdout) as { exporters: Array<{ name: string; endpoint: string; problems: Array<{ reason: string; message: string; fix: string }> }> };
  const byName = new Map(d.exporters.map((e) => [e.name, e]));
  for (const name of ['otlp_http/tempo', 'otlp_http/localhost']) {
    const e = byName.get(name)!;
    t.equal(e.endpoint, url, `${name}: endpoint intact`);
    t.equal(e.problems[0]?.reason, 'unauthorized', `${name}: 401`);
    t.match(e.problems[0]?.message, `exporter "${name}"`, `${name}: named in full`);
    t.match(e.problems[0]?.message, 'headers sent: x-scope-orgid');
    t.match(e.problems[0]?.fix, `exporters.${name}.headers`, `${name}: the key in the fix is whole`);
  }
  const unset = byName.get('otlp_http/unset')!;
  t.equal(unset.problems[0]?.reason, 'missing_credentials');
  t.match(unset.problems[0]?.message, 'WORDING_UNSET');
  const wrong = byName.get('otlp_http/wrong')!;
  t.equal(wrong.problems[0]?.reason, 'unauthorized');
  t.match(wrong.problems[0]?.fix, 'authorization: "Bearer ${env:TOKEN}"', 'the example in the fix is whole');
  for (const [what, out] of [['json', json.stdout + json.stderr], ['report', text.stdout + text.stderr]] as const) {
    t.notMatch(out, '[REDACTED]', `${what}: nothing ordinary was taken for a secret`);
    t.notMatch(out, WRONG, `${what}: the token never shows`);
    t.notMatch(out, WRONG.toLowerCase(), `${what}: the api key never shows`);
    t.notMatch(out, TOKEN, `${what}: nor the server's`);
    t.match(out, 'otlp_http/tempo');
  }
});

t.test('headerSecrets: credentials by header name or by look; schemes alone are nothing', async (t) => {
  t.same(headerSecrets('X-Scope-OrgID', 'tempo'), [], 'a tenant');
  t.same(headerSecrets('x-tenant', 'team-a'), []);
  t.same(headerSecrets('content-type', 'application/x-protobuf'), []);
  t.same(headerSecrets('authorization', 'Bearer '), [], 'an empty bearer token');
  t.same(headerSecrets('authorization', ''), []);
  t.same(headerSecrets('authorization', 'Bearer abcd1234'), ['Bearer abcd1234', 'abcd1234']);
  t.same(headerSecrets('Authorization', 'Basic dXNlcjpwYXNz'), ['Basic dXNlcjpwYXNz', 'dXNlcjpwYXNz']);
  t.same(headerSecrets('x-honeycomb-team', 'hcteam'), ['hcteam'], 'a vendor key header by name');
  t.same(headerSecrets('dd-api-key', 'abcd'), ['abcd']);
  t.same(headerSecrets('x-sf-token', 'abcd'), ['abcd']);
  t.same(headerSecrets('x-custom', 'a1b2c3d4e5f6a7b8c9d0'), ['a1b2c3d4e5f6a7b8c9d0'], 'a token-looking value under any name');
  t.same(headerSecrets('x-custom', 'Bearer xyz9'), ['Bearer xyz9', 'xyz9'], 'a scheme says credential under any name');
  t.equal(redact('exporter "otlp_http/tempo" host tempo', headerSecrets('X-Scope-OrgID', 'tempo')), 'exporter "otlp_http/tempo" host tempo');
  t.equal(
    redact('authorization: "Bearer ${env:TOKEN}"', headerSecrets('authorization', 'Bearer ')),
    'authorization: "Bearer ${env:TOKEN}"',
  );
});
