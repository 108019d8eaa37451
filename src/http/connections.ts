import type { Socket } from 'node:net';

/** What a connection is doing: only `busy` ones (a request being answered) are never shed. */
type ConnState = 'incomplete' | 'busy' | 'idle';

interface Conn {
  readonly socket: Socket;
  state: ConnState;
  /** when it was accepted (performance.now()) */
  readonly since: number;
}

const CONN = Symbol('otel-sentinel connection');
type Tagged = Socket & { [CONN]?: Conn };

/**
 * The connections the HTTP server holds, at most `max` at once. A new connection is never refused
 * for lack of room: the least recently active connection that is not being answered (one still
 * sending its request, or idle between keep-alive requests) is closed to make room. A flood of
 * slow or silent connections therefore pushes out its own oldest members, while a scrape that
 * connects and sends its request at once is always the newest and gets its answer.
 *
 * Connections are kept in a Map in order of last activity (accepted, or an answer finished), so
 * the one to shed is found from the front. A newcomer is only closed itself when every held
 * connection is in the middle of an answer, which lasts milliseconds.
 *
 * Node's headersTimeout only starts with a connection's first byte; `sweep()` closes those that
 * have sent no request at all within the same deadline.
 *
 * Lifecycle: `add()` on every accepted socket, `begin()`/`end()` around each request, `sweep()`
 * now and then.
 */
export class Connections {
  readonly #order = new Map<Socket, Conn>();
  /** connections closed to make room, since start */
  shed = 0;
  /** new connections closed because every held one was busy, since start */
  refused = 0;
  /** connections closed by `sweep()` because they sent no request in time, since start */
  silent = 0;

  constructor(readonly max: number) {}

  get size(): number {
    return this.#order.size;
  }

  /** Takes an accepted socket in; returns false when it was closed at once (every slot busy). */
  add(socket: Socket): boolean {
    if (this.#order.size >= this.max && !this.#shedOne()) {
      this.refused++;
      socket.destroy();
      return false;
    }
    const conn: Conn = { socket, state: 'incomplete', since: performance.now() };
    (socket as Tagged)[CONN] = conn;
    this.#order.set(socket, conn);
    socket.once('close', () => {
      this.#order.delete(socket);
    });
    return true;
  }

  /** A request on `socket` is being answered: it is not shed until `end()`. */
  begin(socket: Socket): void {
    const conn = connOf(socket);
    if (conn) conn.state = 'busy';
  }

  /** The answer on `socket` is written: it may be shed again, as the most recently active. */
  end(socket: Socket): void {
    const conn = connOf(socket);
    if (!conn || conn.state !== 'busy') return;
    conn.state = 'idle';
    if (this.#order.delete(conn.socket)) this.#order.set(conn.socket, conn);
  }

  /** Closes the connections that were accepted more than `deadlineMs` ago and never began a request. */
  sweep(deadlineMs: number, now = performance.now()): void {
    for (const [socket, conn] of this.#order) {
      if (conn.state !== 'incomplete' || now - conn.since <= deadlineMs) continue;
      this.#order.delete(socket);
      socket.destroy();
      this.silent++;
    }
  }

  /** Every held socket, for a shutdown. */
  sockets(): IterableIterator<Socket> {
    return this.#order.keys();
  }

  #shedOne(): boolean {
    for (const [socket, conn] of this.#order) {
      if (conn.state === 'busy') continue;
      this.#order.delete(socket);
      socket.destroy();
      this.shed++;
      return true;
    }
    return false;
  }
}

/**
 * The connection a request's socket belongs to. Over HTTPS the request comes on the TLS socket
 * that wraps the accepted one (`_parent`, set by Node when it wraps a net.Socket).
 */
function connOf(socket: Socket): Conn | undefined {
  const tagged = socket as Tagged;
  return tagged[CONN] ?? (socket as unknown as { _parent?: Tagged })._parent?.[CONN];
}
