import t, { type Test } from 'tap';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { AnswerReader } from '../../src/net/answer-reader.js';
import { Client, closeClient } from '../../src/net/undici-client.js';

/** A loopback HTTP server with the given handler; closed at teardown. */
async function server(t: Test, handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const s = createServer(handler);
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  t.teardown(() => {
    s.closeAllConnections();
    s.close();
  });
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

/** Sends one request with a fresh client and a reader; the client is closed afterwards. */
async function send(origin: string, reader: AnswerReader, path = '/') {
  const client = new Client(origin);
  try {
    client.dispatch({ method: 'POST', path, headers: { 'content-type': 'application/x-protobuf' }, body: Buffer.alloc(0) }, reader);
    return await reader.done;
  } finally {
    closeClient(client);
  }
}

t.test('status, headers and the whole body of a short answer', async (t) => {
  const origin = await server(t, (req, res) => {
    req.resume();
    res.writeHead(503, { 'retry-after': '30' }).end('overloaded, come back later');
  });
  const a = await send(origin, new AnswerReader(4096));
  t.equal(a.status, 503);
  t.equal(a.headers['retry-after'], '30');
  t.equal(a.body.toString(), 'overloaded, come back later');
  t.equal(a.complete, true);
});

t.test('a body past the limit: its first bytes, and the rest is not waited for', async (t) => {
  let sent = 0;
  const origin = await server(t, (req, res) => {
    req.resume();
    res.writeHead(400, { 'content-type': 'text/plain' });
    // an endless body, a chunk every few milliseconds
    const timer = setInterval(() => {
      sent++;
      res.write('x'.repeat(1000));
    }, 2);
    res.on('close', () => clearInterval(timer));
  });
  const a = await send(origin, new AnswerReader(4096));
  t.equal(a.status, 400);
  t.equal(a.complete, false);
  t.equal(a.body.length, 4096, 'exactly the limit');
  t.ok(sent < 1000, `stopped reading after ${sent} chunks`);
});

t.test('whole: an answer declared longer than the limit is not read', async (t) => {
  const origin = await server(t, (req, res) => {
    req.resume();
    res.writeHead(200, { 'content-length': '100000' }).end('y'.repeat(100_000));
  });
  const a = await send(origin, new AnswerReader(1000, true));
  t.same([a.status, a.complete, a.body.length], [200, false, 0]);
  const head = await send(origin, new AnswerReader(1000));
  t.same([head.complete, head.body.length], [false, 1000], 'without whole, the first bytes are read');
});

t.test('a 1xx before the answer is passed over', async (t) => {
  const origin = await server(t, (req, res) => {
    req.resume();
    res.writeProcessing();
    res.writeHead(200).end('ok');
  });
  const a = await send(origin, new AnswerReader(100));
  t.same([a.status, a.body.toString(), a.complete], [200, 'ok', true]);
});

t.test('abort(): before the request starts, and while the server keeps quiet', async (t) => {
  const origin = await server(t, (req) => {
    req.resume(); // never answers
  });
  const early = new AnswerReader(100);
  const reason = new Error('deadline');
  early.abort(reason);
  await t.rejects(send(origin, early), reason, 'aborted before it was sent');
  t.equal(early.reason, reason);

  const late = new AnswerReader(100);
  const pending = send(origin, late);
  setTimeout(() => late.abort(reason), 50);
  await t.rejects(pending, reason, 'aborted while waiting: the reason, not undici\'s own error');
});

t.test('undici\'s error when the connection fails', async (t) => {
  const origin = await server(t, (req) => {
    req.socket.destroy();
  });
  const reader = new AnswerReader(100);
  await t.rejects(send(origin, reader), { code: 'UND_ERR_SOCKET' });
  t.equal(reader.reason, null, 'not aborted by the caller');
});

t.test('follow(): a signal aborted before the request ends it with its reason; unfollowed, it no longer does', async (t) => {
  let requests = 0;
  const origin = await server(t, (req, res) => {
    requests++;
    req.resume();
    res.writeHead(200).end();
  });
  const gone = new AbortController();
  gone.abort(new Error('the probe was cancelled'));
  const early = new AnswerReader(4096);
  early.follow(gone.signal);
  await t.rejects(send(origin, early), { message: 'the probe was cancelled' });

  const later = new AbortController();
  const reader = new AnswerReader(4096);
  const unfollow = reader.follow(later.signal);
  unfollow();
  later.abort(new Error('too late to matter'));
  const a = await send(origin, reader);
  t.equal(a.status, 200);
  t.equal(reader.reason, null);
  t.equal(requests, 1, 'only the request that was not aborted reached the server');
});
