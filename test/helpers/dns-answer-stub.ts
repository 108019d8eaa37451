/**
 * A loopback DNS server (UDP) for one host name whose answer can be changed while it runs: an IPv4
 * address (an A record, TTL 0, so nothing caches it), or a response code (NXDOMAIN, SERVFAIL). A
 * query for the name's AAAA gets "no such data" while it has an address, so a resolver asking for
 * both families gets the IPv4 one; every other name is NXDOMAIN. The glibc resolver (and so node's
 * dns.lookup) only asks port 53: put it there inside a network namespace of its own.
 */
import { createSocket } from 'node:dgram';
import { isIPv4 } from 'node:net';
import { RCODE } from './dns-stub.js';

export type DnsAnswer = { readonly address: string } | { readonly rcode: number };

export interface RunningDnsAnswerStub {
  readonly port: number;
  /** what the name resolves to from now on */
  set(answer: DnsAnswer): void;
  /** queries answered so far */
  readonly queries: () => number;
  close(): Promise<void>;
}

const TYPE_A = 1;
const TYPE_AAAA = 28;

/** The question's name (lower case, no trailing dot), its type and where the question ends; null when malformed. */
export function parseQuestion(msg: Buffer): { name: string; type: number; end: number } | null {
  if (msg.length < 12 || msg.readUInt16BE(4) !== 1) return null;
  const labels: string[] = [];
  let i = 12;
  while (i < msg.length && msg[i] !== 0) {
    const len = msg[i]!;
    // compression pointers never appear in a question sent alone
    if (len > 63 || i + 1 + len > msg.length) return null;
    labels.push(msg.subarray(i + 1, i + 1 + len).toString('latin1').toLowerCase());
    i += 1 + len;
  }
  if (i + 5 > msg.length) return null;
  return { name: labels.join('.'), type: msg.readUInt16BE(i + 1), end: i + 5 };
}

/** The reply to `msg`: the question, and an A record for `address` when given. */
export function reply(msg: Buffer, end: number, rcode: number, address: string | null): Buffer {
  const head = Buffer.from(msg.subarray(0, end));
  // QR=1, keep opcode and RD, AA=1, RA=1, the rcode; one question, no other records (EDNS dropped)
  head[2] = 0x84 | (msg[2]! & 0x79);
  head[3] = 0x80 | (rcode & 0x0f);
  head.writeUInt16BE(address ? 1 : 0, 6);
  head.writeUInt16BE(0, 8);
  head.writeUInt16BE(0, 10);
  if (!address) return head;
  const rr = Buffer.alloc(16);
  rr.writeUInt16BE(0xc00c, 0); // the name: a pointer to the question's
  rr.writeUInt16BE(TYPE_A, 2);
  rr.writeUInt16BE(1, 4); // class IN
  rr.writeUInt32BE(0, 6); // TTL 0
  rr.writeUInt16BE(4, 10);
  address.split('.').forEach((octet, k) => (rr[12 + k] = Number(octet)));
  return Buffer.concat([head, rr]);
}

export async function startDnsAnswerStub(o: { readonly name: string; readonly answer: DnsAnswer; readonly host?: string; readonly port?: number }): Promise<RunningDnsAnswerStub> {
  const name = o.name.toLowerCase().replace(/\.$/, '');
  const check = (a: DnsAnswer): DnsAnswer => {
    if ('address' in a && !isIPv4(a.address)) throw new Error(`not an IPv4 address: ${a.address}`);
    return a;
  };
  let answer = check(o.answer);
  let queries = 0;
  const socket = createSocket('udp4');
  socket.on('message', (msg, rinfo) => {
    const q = parseQuestion(msg);
    if (!q) return;
    queries++;
    let out: Buffer;
    if (q.name !== name) out = reply(msg, q.end, RCODE.NXDOMAIN, null);
    else if ('rcode' in answer) out = reply(msg, q.end, answer.rcode, null);
    else out = reply(msg, q.end, 0, q.type === TYPE_A ? answer.address : null);
    socket.send(out, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(o.port ?? 0, o.host ?? '127.0.0.1', () => {
      socket.off('error', reject);
      resolve();
    });
  });
  return {
    port: socket.address().port,
    set: (a) => void (answer = check(a)),
    queries: () => queries,
    close: () => new Promise<void>((r) => socket.close(() => r())),
  };
}

export { TYPE_A, TYPE_AAAA };
