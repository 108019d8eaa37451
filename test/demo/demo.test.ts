import t from 'tap';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/runtime/log.js';
import { runDemo } from '../../src/demo/run-demo.js';
import type { Diagnosis } from '../../src/diagnose/diagnosis.js';

const expected: Record<string, { up: boolean; cause?: string; reason?: string }> = {
  'otlp/healthy-grpc': { up: true },
  'otlp/healthy-grpc-tls': { up: true },
  'otlphttp/healthy': { up: true },
  'otlphttp/untrusted-cert': { up: false, cause: 'tls', reason: 'tls_unknown_authority' },
  'otlphttp/missing-token': { up: false, cause: 'auth', reason: 'unauthorized' },
  'otlphttp/overloaded': { up: false, cause: 'backend', reason: 'unavailable' },
  'otlp/http-only': { up: false, cause: 'protocol', reason: 'grpc_to_http_server' },
  'otlp/closed-port': { up: false, cause: 'network', reason: 'connection_refused' },
};

t.test('the demo starts its backends and the daemon names each one right', async (t) => {
  let stderr = '';
  const sink = (fn: (s: string) => void) =>
    new Writable({
      write(chunk, _e, cb) {
        fn(String(chunk));
        cb();
      },
    });
  const stop = new AbortController();
  const io = { stdout: sink(() => undefined), stderr: sink((s) => (stderr += s)), env: process.env };
  const cmd = { name: 'demo' as const, flags: { configFile: null, listen: '127.0.0.1:0' }, exporters: [], json: false, failOn: 'warning' as const, noCollector: false };
  const done = runDemo(cmd, io, { stop: stop.signal, logger: createLogger('silent') });
  t.teardown(() => stop.abort());

  const deadline = Date.now() + 30_000;
  let url = '';
  while (!url && Date.now() < deadline) {
    url = /status page\s+(\S+)/.exec(stderr)?.[1] ?? '';
    await new Promise((r) => setTimeout(r, 50));
  }
  t.ok(url, 'the status page URL is printed');
  let d: Diagnosis | null = null;
  while (Date.now() < deadline) {
    const res = await fetch(`${url}api/v1/diagnosis`);
    if (res.status === 200) {
      d = (await res.json()) as Diagnosis;
      if (d.exporters.every((e) => e.checked_at !== null)) break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  t.ok(d, 'a diagnosis is served');
  for (const [name, want] of Object.entries(expected)) {
    const e = d!.exporters.find((x) => x.name === name);
    t.ok(e, `${name} is watched`);
    t.equal(e?.up, want.up, `${name} up=${want.up}`);
    if (want.cause) {
      const p = e?.problems.find((x) => x.severity === 'critical');
      t.equal(p?.cause, want.cause, `${name}: cause`);
      t.equal(p?.reason, want.reason, `${name}: reason`);
    }
  }
  t.equal(d!.collector.found, true, 'the stand-in collector is found');
  const page = await (await fetch(url)).text();
  t.match(page, 'otlphttp/untrusted-cert');
  stop.abort();
  t.equal(await done, 0, 'exit code 0 after stopping');
});
