/**
 * Loopback peers that misbehave at the TCP level: a server that accepts and never answers, a
 * server that runs a hand-written script on each connection, a port where nothing listens, and a
 * listener whose accept queue is full so a connect never completes.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, connect as netConnect, type AddressInfo, type Socket } from 'node:net';

export interface RunningRawServer {
  readonly port: number;
  /** connections accepted so far */
  readonly accepted: () => number;
  close(): Promise<void>;
}

/** Runs `onConnection` for every accepted connection (write hand-made bytes, end, or do nothing). */
export async function startRawServer(onConnection: (socket: Socket) => void = () => {}): Promise<RunningRawServer> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = createServer((s) => {
    accepted++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
    onConnection(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    accepted: () => accepted,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** Accepts connections and never sends a byte. */
export const startSilentServer = (): Promise<RunningRawServer> => startRawServer();

/**
 * A loopback port where nothing listens. Taken below the kernel's ephemeral range: ports handed out
 * for `listen(0)` and for outgoing connections all come from that range, so no other test's server
 * or client can take this port between the check and its use (a port bound and closed in the
 * ephemeral range could be handed to the next server that asks).
 */
export async function closedPort(): Promise<number> {
  let low = 32768;
  try {
    low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || low;
  } catch {
    // not Linux: the usual range
  }
  const from = Math.max(1024, low - 8192);
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = from + Math.floor(Math.random() * (low - from));
    const server = createServer();
    const free = await new Promise<boolean>((r) => {
      server.once('error', () => r(false));
      server.listen(port, '127.0.0.1', () => r(true));
    });
    if (!free) continue;
    await new Promise<void>((r) => server.close(() => r()));
    return port;
  }
  throw new Error(`no free port below the ephemeral range (${from}-${low - 1})`);
}

export interface BacklogFullListener {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * A listening socket that never accepts, with its accept queue filled: on Linux further SYNs are
 * dropped, so a connect to it neither succeeds nor fails until the caller gives up. Node always
 * accepts, so the listener is a tiny perl process (perl is part of every Debian system).
 */
export async function startBacklogFullListener(): Promise<BacklogFullListener> {
  const child = spawn(
    'perl',
    ['-MIO::Socket::INET', '-e', '$|=1; my $s = IO::Socket::INET->new(LocalAddr=>"127.0.0.1", LocalPort=>0, Listen=>1, ReuseAddr=>1) or die "listen: $!"; print $s->sockport(), "\\n"; my $x = <STDIN>;'],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim())));
  });
  // Backlog 1 holds two completed connections on Linux; fill it, then a third SYN goes unanswered.
  const fillers: Socket[] = [];
  for (let i = 0; i < 2; i++) {
    const s = netConnect({ host: '127.0.0.1', port });
    s.on('error', () => {});
    fillers.push(s);
    await new Promise<void>((r) => {
      s.once('connect', () => r());
      s.once('error', () => r());
    });
  }
  return {
    port,
    close: async () => {
      for (const s of fillers) s.destroy();
      child.stdin.end();
      if (child.exitCode === null) {
        await new Promise<void>((r) => {
          child.once('exit', () => r());
          setTimeout(() => child.kill(), 2000).unref();
        });
      }
    },
  };
}
