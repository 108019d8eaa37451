import t, { type Test } from 'tap';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { testCerts } from '../helpers/certs.js';
import { startHttpServer, startRawServer } from '../helpers/servers.js';
import { configDir, probesOf, sample, startChild, waitFor, type ChildDaemon } from '../helpers/reliability-harness.js';
import { startPeer, type Peer } from '../helpers/reliability-peers.js';

const INTERVAL = '500ms';
const TIMEOUT_S = 0.4;
/** generous room over the deadline for a loaded machine: a probe held by its peer would take far longer */
const DEADLINE_SLACK_S = 2;
const RSS_LIMIT = 300 * 1024 * 1024;

interface Exp {
  name: string;
  up: boolean;
  checked_at: string | null;
  problems: { cause: string; reason: string }[];
}
interface Diag {
  collector: { found: boolean; pid: number | null; problems: { reason: string }[] };
  exporters: Exp[];
}

/** kB of a /proc/PID/status field, in bytes */
function procStatus(pid: number, field: string): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

/** Serves a 1 GiB answer as fast as the reader takes it (never faster: this side must not buffer). */
function firehose(status: number): Server {
  const chunk = Buffer.alloc(1 << 20, 0x61);
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(status, { 'content-type': status === 200 ? 'application/x-protobuf' : 'text/plain', 'content-length': String(2 ** 30) });
      let sent = 0;
      const pump = (): void => {
        while (!res.destroyed && sent < 2 ** 30) {
          sent += chunk.length;
          if (!res.write(chunk)) return;
        }
        res.end();
      };
      res.on('drain', pump);
      pump();
    });
  });
  return server;
}

async function listen(t: Test, server: Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return (server.address() as { port: number }).port;
}

/**
 * Watches the daemon for the whole test: /metrics and /livez must answer every time, the child must
 * stay alive, and each exporter's probe results are recorded as they come.
 */
function watchDaemon(child: ChildDaemon, base: string) {
  const failures: string[] = [];
  const seen = new Map<string, Set<string>>();
  let maxTotal = new Map<string, number>();
  let last: Diag | null = null;
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        if (child.child.exitCode !== null || child.child.signalCode !== null) {
          failures.push(`the daemon exited (${child.child.exitCode ?? child.child.signalCode})`);
          return;
        }
        const [metrics, livez, diag] = await Promise.all([
          fetch(`${base}/metrics`, { signal: AbortSignal.timeout(10_000) }),
          fetch(`${base}/livez`, { signal: AbortSignal.timeout(10_000) }),
          fetch(`${base}/api/v1/diagnosis`, { signal: AbortSignal.timeout(10_000) }),
        ]);
        if (metrics.status !== 200) failures.push(`/metrics answered ${metrics.status}`);
        if (livez.status !== 200) failures.push(`/livez answered ${livez.status}`);
        const text = await metrics.text();
        await livez.text();
        if (diag.status === 200) {
          last = (await diag.json()) as Diag;
          for (const e of last.exporters) {
            if (!e.checked_at) continue;
            if (!seen.has(e.name)) seen.set(e.name, new Set());
            seen.get(e.name)!.add(e.checked_at);
            const total = sample(text, 'otel_sentinel_probe_duration_seconds', { exporter: e.name, phase: 'total' });
            if (total !== undefined) maxTotal.set(e.name, Math.max(maxTotal.get(e.name) ?? 0, total));
          }
        } else await diag.text();
      } catch (err) {
        failures.push(`a request failed: ${(err as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return {
    failures,
    /** distinct checked_at values seen per exporter: the probe loop keeps going */
    rounds: (name: string) => seen.get(name)?.size ?? 0,
    maxTotal: () => maxTotal,
    resetMaxTotal: () => (maxTotal = new Map()),
    last: () => last,
    async stop() {
      running = false;
      await loop;
    },
  };
}

type Watch = ReturnType<typeof watchDaemon>;

const find = (w: Watch, name: string): Exp | undefined => w.last()?.exporters.find((e) => e.name === name);

/**
 * The exporter's first probe that started after `since` must succeed: it recovers on the round
 * after its backend (or proxy) does.
 */
async function recoversNextRound(t: Test, w: Watch, name: string, since: number): Promise<void> {
  const e = await waitFor(`a probe of ${name} started after the restart`, () => {
    const x = find(w, name);
    return x?.checked_at && Date.parse(x.checked_at) > since ? x : undefined;
  });
  t.equal(e.up, true, `${name}: the first probe after the restart succeeds`);
}

const isDown = (w: Watch, name: string, reasons: string[]) =>
  waitFor(`${name} down with ${reasons.join(' or ')}`, () => {
    const e = find(w, name);
    return e && !e.up && reasons.includes(e.problems[0]?.reason ?? '') ? e : undefined;
  });

t.test('the daemon survives backends, proxy, telemetry and collector dying and misbehaving', async (t) => {
  const certs = testCerts(); // made before any server runs here: openssl runs synchronously
  const cfg = configDir(t, 'sentinel-faults-');
  const backend = await startPeer(t, 'backend');
  const proxy = await startPeer(t, 'proxy');
  const tlsBackend = await startHttpServer({ tls: { cert: certs.server.cert, key: certs.server.key } });
  t.teardown(() => tlsBackend.close());
  const reset = await startRawServer((s) => s.once('data', () => s.resetAndDestroy()));
  t.teardown(() => reset.close());
  const timers = new Set<NodeJS.Timeout>();
  t.teardown(() => timers.forEach((x) => clearInterval(x)));
  const trickle = await startRawServer((s) => {
    s.once('data', () => {
      const answer = Buffer.from('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n');
      let i = 0;
      const timer = setInterval(() => {
        if (s.destroyed || i >= answer.length) return clearInterval(timer);
        s.write(answer.subarray(i, ++i));
      }, 200);
      timers.add(timer);
      s.once('close', () => clearInterval(timer));
    });
  });
  t.teardown(() => trickle.close());
  const hosePort = await listen(t, firehose(200));

  const exporters: Record<string, unknown> = {
    'otlphttp/restarting': { endpoint: `http://127.0.0.1:${backend.ports.http}` },
    'otlp/restarting': { endpoint: `127.0.0.1:${backend.ports.grpc}`, tls: { insecure: true } },
    'otlphttp/proxied': { endpoint: `https://127.0.0.1:${tlsBackend.port}`, proxy_url: `http://127.0.0.1:${proxy.ports.http}`, tls: { ca_file: certs.ca.certFile } },
    'otlphttp/reset': { endpoint: `http://127.0.0.1:${reset.port}` },
    'otlphttp/trickle': { endpoint: `http://127.0.0.1:${trickle.port}` },
    'otlphttp/firehose': { endpoint: `http://127.0.0.1:${hosePort}` },
  };
  const names = Object.keys(exporters);
  const telemetry = await startPeer(t, 'telemetry', {}, names);
  const pidFile = join(cfg.dir, 'collector.pid');
  let collector: Peer = await startPeer(t, 'idle');
  writeFileSync(pidFile, `${collector.pid}\n`);
  cfg.writeCollector(exporters);
  cfg.writeSentinel(
    [
      'collector:',
      `  config_files: [${JSON.stringify(cfg.collector)}]`,
      `  telemetry_url: "http://127.0.0.1:${telemetry.ports.http}/metrics"`,
      '  use_process_environment: false',
      '  process:',
      `    pid_file: ${JSON.stringify(pidFile)}`,
    ],
    { interval: INTERVAL, timeout: `${TIMEOUT_S * 1000}ms`, level: 'info' },
  );
  const child = startChild(t, ['serve', '--config', cfg.sentinel]);
  const base = await child.base();
  const w = watchDaemon(child, base);
  t.teardown(() => w.stop());
  await waitFor('every exporter probed', () => (names.every((n) => find(w, n)?.checked_at) ? true : undefined));
  for (const n of ['otlphttp/restarting', 'otlp/restarting', 'otlphttp/proxied', 'otlphttp/firehose']) {
    await waitFor(`${n} up`, () => (find(w, n)?.up ? true : undefined));
  }

  // Backends killed mid-flight and started again on the same ports.
  await backend.kill();
  await isDown(w, 'otlphttp/restarting', ['connection_refused']);
  await isDown(w, 'otlp/restarting', ['connection_refused', 'connection_reset', 'unavailable']);
  await startPeer(t, 'backend', backend.ports);
  let since = Date.now();
  await recoversNextRound(t, w, 'otlphttp/restarting', since);
  await recoversNextRound(t, w, 'otlp/restarting', since);

  // The proxy killed and started again.
  await proxy.kill();
  await isDown(w, 'otlphttp/proxied', ['proxy_unreachable']);
  await startPeer(t, 'proxy', proxy.ports);
  since = Date.now();
  await recoversNextRound(t, w, 'otlphttp/proxied', since);

  // The collector's telemetry endpoint killed and started again.
  await telemetry.kill();
  await waitFor('telemetry_unreachable', () => (w.last()?.collector.problems.some((p) => p.reason === 'telemetry_unreachable') ? true : undefined));
  await startPeer(t, 'telemetry', telemetry.ports, names);
  await waitFor('telemetry back', () => (w.last()?.collector.problems.some((p) => p.reason === 'telemetry_unreachable') ? undefined : true));

  // The collector stand-in exits again and again, whenever the daemon may be reading /proc/PID.
  for (let i = 0; i < 12; i++) {
    await collector.kill();
    collector = await startPeer(t, 'idle');
    writeFileSync(pidFile, `${collector.pid}\n`);
    await new Promise((r) => setTimeout(r, 50 + ((i * 37) % 150)));
  }
  await waitFor('the last stand-in found', () => (w.last()?.collector.found && w.last()?.collector.pid === collector.pid ? true : undefined));
  await collector.kill();
  await waitFor('the collector reported gone', () => (w.last()?.collector.found === false ? true : undefined));

  // Peers that hold, reset or flood the probe: each probe still ends by its deadline, every round.
  w.resetMaxTotal();
  const rounds = new Map(names.map((n) => [n, w.rounds(n)]));
  await waitFor('three more rounds of every exporter', () => (names.every((n) => w.rounds(n) >= rounds.get(n)! + 3) ? true : undefined));
  t.match(find(w, 'otlphttp/reset')!.problems[0], { cause: 'network', reason: 'connection_reset' }, 'reset: connection_reset');
  // the exporter would wait its 30 s: the probe, cut by probe.timeout, says it gave up
  t.match(find(w, 'otlphttp/trickle')!.problems[0], { cause: 'backend', reason: 'probe_timeout' }, 'trickle: probe_timeout');
  t.equal(find(w, 'otlphttp/firehose')!.up, true, 'firehose: a 2xx with a huge body is up');
  for (const [name, total] of w.maxTotal()) {
    t.ok(total <= TIMEOUT_S + DEADLINE_SLACK_S, `${name}: the longest probe (${total} s) ended by its deadline`);
  }
  const peak = procStatus(child.child.pid!, 'VmHWM');
  t.ok(peak < RSS_LIMIT, `peak RSS ${(peak / 1048576).toFixed(0)} MB stays under ${RSS_LIMIT / 1048576} MB`);

  // The config file deleted: the last good config stays in force.
  rmSync(cfg.sentinel);
  await waitFor('the reload gauge at 0', async () => (sample(await (await fetch(`${base}/metrics`)).text(), 'otel_sentinel_config_last_reload_successful') === 0 ? true : undefined));
  const count = probesOf(await (await fetch(`${base}/metrics`)).text(), 'otlphttp/restarting');
  await waitFor('probes to go on', async () => (probesOf(await (await fetch(`${base}/metrics`)).text(), 'otlphttp/restarting') > count ? true : undefined));
  t.match(child.output(), /configuration rejected[^\n]*sentinel\.yaml[^\n]*does not exist/);

  await w.stop();
  t.same(w.failures, [], '/metrics and /livez answered every time; the daemon never exited');
  t.notMatch(child.output(), /uncaught|unhandled|FATAL ERROR/i, 'no crash in the output');
  t.equal(await child.terminate(), 0, 'clean exit after SIGTERM');
});

t.test('an error answer with a gigabyte body is not buffered', async (t) => {
  const cfg = configDir(t, 'sentinel-firehose-');
  const port = await listen(t, firehose(400));
  cfg.writeCollector({ 'otlphttp/firehose-400': { endpoint: `http://127.0.0.1:${port}` } });
  // A longer deadline than above: a reader that keeps the body has time to take gigabytes.
  cfg.writeSentinel([], { interval: '1500ms', timeout: '1500ms', level: 'info' });
  const child = startChild(t, ['serve', '--config', cfg.sentinel]);
  const base = await child.base();
  const w = watchDaemon(child, base);
  t.teardown(() => w.stop());
  await waitFor('three rounds', () => (w.rounds('otlphttp/firehose-400') >= 3 ? true : undefined));
  await w.stop();
  t.same(w.failures, [], '/metrics and /livez answered every time');
  const peak = procStatus(child.child.pid!, 'VmHWM');
  t.ok(peak < RSS_LIMIT, `peak RSS ${(peak / 1048576).toFixed(0)} MB stays under ${RSS_LIMIT / 1048576} MB`);
  for (const [name, total] of w.maxTotal()) {
    t.ok(total <= 1.5 + DEADLINE_SLACK_S, `${name}: the longest probe (${total} s) ended by its deadline`);
  }
  t.equal(await child.terminate(), 0);
});
