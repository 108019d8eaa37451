import { Agent, request } from 'node:http';

/** One keep-alive agent for the bench's own requests (driver, scrapes, polls). */
export const benchAgent = new Agent({ keepAlive: true, maxSockets: 256 });

export interface GetAnswer {
  readonly status: number;
  readonly body: string;
  /** wall time of the request, ms */
  readonly ms: number;
}

/** GET a loopback URL; rejects on network errors or after `timeoutMs`. */
export function httpGet(url: string, timeoutMs = 10_000, headers: Record<string, string> = {}): Promise<GetAnswer> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: benchAgent, headers, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - t0 }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** Polls until `check` returns a value (not undefined), every `everyMs`; throws after `deadlineMs`. */
export async function pollUntil<T>(what: string, check: () => Promise<T | undefined>, everyMs: number, deadlineMs: number): Promise<T> {
  const end = performance.now() + deadlineMs;
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v !== undefined) return v;
    if (performance.now() > end) throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
