import { connect, type Socket } from 'node:net';

export interface FloodOptions {
  readonly host: string;
  readonly port: number;
  /** connections kept open at once */
  readonly connections: number;
  /** the share of them that send their request headers a byte at a time; the rest send nothing */
  readonly slowShare: number;
  /** ms between two bytes of a slow connection */
  readonly byteEveryMs: number;
  /** open a new connection in place of one the server closed, until `stop()` */
  readonly reconnect: boolean;
  /** stop reconnecting after this many connections in all (a bound on the traffic) */
  readonly maxConnects: number;
}

/** A running flood. Lifecycle: `floodConnections()` resolves once every first connection is up; `stop()` once. */
export interface Flood {
  /** connections open now, as the flood sees them */
  open(): number;
  /** connections made so far */
  connects(): number;
  /** connections the server closed (or reset) */
  closedByServer(): number;
  /** the most open at once */
  peakOpen(): number;
  stop(): Promise<void>;
}

/** A request whose headers never end within the flood: each byte is sent on its own. */
const SLOW_REQUEST = Buffer.from(`GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ${'x'.repeat(4000)}`);

/**
 * Opens `connections` connections to a loopback server that either send nothing or send their
 * headers a byte at a time (one timer drives every slow connection), as an unlucky or hostile
 * client would. With `reconnect`, each connection the server closes is replaced at once, so the
 * flood keeps its size for as long as it runs.
 */
export async function floodConnections(o: FloodOptions): Promise<Flood> {
  const open = new Set<Socket>();
  const slow = new Map<Socket, number>();
  let connects = 0;
  let closedByServer = 0;
  let peak = 0;
  let stopping = false;

  const one = (isSlow: boolean): Promise<void> =>
    new Promise((resolve) => {
      connects++;
      const s = connect({ host: o.host, port: o.port });
      s.setNoDelay(true);
      s.on('error', () => undefined);
      s.on('data', () => undefined);
      s.once('connect', () => {
        open.add(s);
        peak = Math.max(peak, open.size);
        if (isSlow) slow.set(s, 0);
        resolve();
      });
      s.once('close', () => {
        const wasOpen = open.delete(s);
        slow.delete(s);
        resolve();
        if (stopping) return;
        if (wasOpen) closedByServer++;
        if (o.reconnect && connects < o.maxConnects) void one(isSlow);
      });
    });

  const drip = setInterval(() => {
    for (const [s, at] of slow) {
      if (at >= SLOW_REQUEST.length) continue;
      s.write(SLOW_REQUEST.subarray(at, at + 1));
      slow.set(s, at + 1);
    }
  }, o.byteEveryMs);

  const slowCount = Math.round(o.connections * o.slowShare);
  // in batches, so the first connections do not wait on a full accept queue
  for (let i = 0; i < o.connections; i += 100) {
    const batch: Promise<void>[] = [];
    for (let j = i; j < Math.min(o.connections, i + 100); j++) batch.push(one(j < slowCount));
    await Promise.all(batch);
  }

  return {
    open: () => open.size,
    connects: () => connects,
    closedByServer: () => closedByServer,
    peakOpen: () => peak,
    async stop() {
      stopping = true;
      clearInterval(drip);
      const closing = [...open].map((s) => new Promise<void>((r) => {
        s.once('close', () => r());
        s.destroy();
      }));
      await Promise.all(closing);
    },
  };
}
