/**
 * A loopback DNS server (UDP) that answers every query with a fixed response code: SERVFAIL (2)
 * imitates a broken upstream resolver, NXDOMAIN (3) a name that does not exist. Pair it with
 * `resolverLookup(port)` from lookup.ts.
 */
import { createSocket } from 'node:dgram';

export interface RunningDnsStub {
  readonly port: number;
  readonly queries: () => number;
  close(): Promise<void>;
}

export const RCODE = { SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 } as const;

export async function startDnsStub(rcode: number = RCODE.SERVFAIL): Promise<RunningDnsStub> {
  const socket = createSocket('udp4');
  let queries = 0;
  socket.on('message', (msg, rinfo) => {
    if (msg.length < 12) return;
    queries++;
    const answer = Buffer.from(msg);
    // QR=1, keep opcode and RD, RA=1, rcode; no answers.
    answer[2] = 0x80 | (msg[2]! & 0x79);
    answer[3] = 0x80 | (rcode & 0x0f);
    answer.writeUInt16BE(0, 6);
    answer.writeUInt16BE(0, 8);
    answer.writeUInt16BE(0, 10);
    // Keep the header and the question only (drop any EDNS record the query carried).
    let end = 12;
    while (end < msg.length && msg[end] !== 0) end += msg[end]! + 1;
    end = Math.min(msg.length, end + 5);
    socket.send(answer.subarray(0, end), rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  return {
    port: socket.address().port,
    queries: () => queries,
    close: () => new Promise<void>((r) => socket.close(() => r())),
  };
}
