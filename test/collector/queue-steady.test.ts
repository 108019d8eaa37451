import t from 'tap';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { ScrapeInput } from '../../src/collector/telemetry-scraper.js';
import { createJudgedScraper } from '../helpers/judged.js';
import { fillRate, QueueWindow, rising } from '../../src/collector/queue-window.js';
import type { ExporterStats } from '../../src/collector/exporter-stats.js';

const page = (size: number): string =>
  [
    '# TYPE otelcol_exporter_queue_capacity gauge',
    `otelcol_exporter_queue_capacity{data_type="traces",exporter="otlp/tempo"} 1000`,
    '# TYPE otelcol_exporter_queue_size gauge',
    `otelcol_exporter_queue_size{data_type="traces",exporter="otlp/tempo"} ${size}`,
    '# TYPE otelcol_exporter_sent_spans_total counter',
    `otelcol_exporter_sent_spans_total{exporter="otlp/tempo"} 5000`,
    '',
  ].join('\n');

t.test('a queue holding steady at 850/1000 predicts nothing, scrape after scrape', async (t) => {
  let size = 850;
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(page(size));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  // wall-clock timestamps and an uneven interval: the sums of the textbook formula leave float residue here
  let clock = 1_765_000_000_000;
  const scraper = createJudgedScraper({ now: () => clock });
  const input: ScrapeInput = { url, exporters: ['otlp/tempo'], probeUp: new Map([['otlp/tempo', true]]), queueRatio: 0.9 };
  const seen: Array<number | null> = [];
  for (let i = 0; i < 70; i++) {
    const s = await scraper.scrape(input, AbortSignal.timeout(30_000));
    seen.push(s.queues.get('otlp/tempo')!.seconds_to_full);
    t.same(s.queues.get('otlp/tempo')!.problems, [], `scrape ${i}: 85% is under the threshold and not filling`);
    clock += 15_013;
  }
  t.same(seen.filter((v) => v !== null), [], 'seconds_to_full stays null (never a figure like 6.6e15)');

  // wobbling around a level within a few items: still no prediction
  const wobble = [850, 853, 848, 851, 849, 854, 847, 852, 850, 849, 853, 848];
  const wobbled: Array<number | null> = [];
  for (const w of wobble) {
    size = w;
    const s = await scraper.scrape(input, AbortSignal.timeout(30_000));
    wobbled.push(s.queues.get('otlp/tempo')!.seconds_to_full);
    clock += 15_013;
  }
  t.same(wobbled.filter((v) => v !== null), [], 'noise around a level is no trend');

  // a real climb of 5 batches per scrape is a trend, however slow
  const climbing: Array<number | null> = [];
  for (let i = 1; i <= 20; i++) {
    size = 850 + 5 * i;
    const s = await scraper.scrape(input, AbortSignal.timeout(30_000));
    climbing.push(s.queues.get('otlp/tempo')!.seconds_to_full);
    clock += 15_000;
  }
  const last = climbing[climbing.length - 1];
  t.ok(typeof last === 'number' && last > 0, `a steady climb predicts (${last})`);
});

t.test('the fill rate of a constant queue is exactly zero; rising() wants a rise above the scatter', async (t) => {
  const flat = Array.from({ length: 53 }, (_, i) => ({ t: 1_765_000_000_000 + i * 15_013, size: 850 }));
  t.equal(fillRate(flat), 0);
  t.equal(rising(flat, 0), false);
  t.equal(fillRate([{ t: 5, size: 1 }, { t: 5, size: 2 }]), null, 'no time between the points: no rate');
  const line = [0, 1, 2, 3].map((i) => ({ t: i * 1000, size: 10 + 2 * i }));
  t.equal(fillRate(line), 2);
  t.equal(rising(line, 2), true, 'a clean rise of 6 items');
  t.equal(rising(line, 0.1), false, 'a fitted rise under one item is none');
  t.equal(rising([{ t: 0, size: 1 }], 1), false, 'one point: nothing');
  const noisy = [0, 1, 2, 3, 4, 5].map((i) => ({ t: i * 1000, size: 100 + (i % 2 === 0 ? -10 : 10) + (i === 5 ? 3 : 0) }));
  const r = fillRate(noisy)!;
  t.ok(r > 0 && !rising(noisy, r), `a slope well within the scatter is noise (${r})`);

  const w = new QueueWindow();
  const stats = (size: number): Map<string, ExporterStats> =>
    new Map([['a', { queues: new Map([['traces', { size, capacity: 1000 }]]), sent: 0, sendFailed: 0, enqueueFailed: 0 }]]);
  for (let i = 0; i < 60; i++) t.equal(w.observe(1_765_000_000_000 + i * 15_013, ['a'], stats(850)).get('a')!.queue!.secondsToFull, null);
});
