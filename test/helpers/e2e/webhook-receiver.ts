import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One alert as Alertmanager's webhook payload (version 4) carries it. */
export interface WebhookAlert {
  readonly status: 'firing' | 'resolved';
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly generatorURL?: string;
  readonly fingerprint?: string;
}

/** The body Alertmanager POSTs to a webhook receiver. */
export interface WebhookPayload {
  readonly version: string;
  readonly status: 'firing' | 'resolved';
  readonly receiver: string;
  readonly groupKey: string;
  readonly groupLabels: Readonly<Record<string, string>>;
  readonly commonLabels: Readonly<Record<string, string>>;
  readonly alerts: readonly WebhookAlert[];
}

/**
 * An HTTP server on 127.0.0.1 that records every payload POSTed to it, standing in for the pager.
 * Lifecycle: start, read `payloads` / `find()` any time, `close()` in a teardown.
 */
export interface WebhookReceiver {
  readonly url: string;
  readonly payloads: readonly WebhookPayload[];
  /** bodies that did not parse as JSON: a test asserts there are none */
  readonly malformed: readonly string[];
  /** every alert of every payload received so far, in order of arrival */
  alerts(): WebhookAlert[];
  /** the last alert received matching every given label, with the given status */
  find(labels: Readonly<Record<string, string>>, status: WebhookAlert['status']): WebhookAlert | undefined;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const payloads: WebhookPayload[] = [];
  const malformed: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      try {
        payloads.push(JSON.parse(body) as WebhookPayload);
      } catch {
        malformed.push(body.slice(0, 500));
      }
      res.writeHead(200).end();
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const alerts = (): WebhookAlert[] => payloads.flatMap((p) => p.alerts);
  return {
    url: `http://127.0.0.1:${port}/alerts`,
    payloads,
    malformed,
    alerts,
    find: (labels, status) =>
      alerts()
        .filter((a) => a.status === status && Object.entries(labels).every(([k, v]) => a.labels[k] === v))
        .at(-1),
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
