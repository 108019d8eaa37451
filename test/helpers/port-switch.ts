import type { Server, Socket } from 'node:net';

/**
 * A test server whose port can be closed (connections refused) and opened again on the same
 * number, as a backend that goes away and comes back. It tracks the server's connections so a
 * switch can drop them; `onDrop` ends whatever else the server holds (hung requests, streams).
 */
export interface PortSwitch {
  listen(port: number): Promise<void>;
  /** drops every connection and stops listening (no-op when not listening) */
  stop(): Promise<void>;
  dropConnections(): void;
  readonly listening: boolean;
}

export function portSwitch(server: Server, onDrop: () => void = () => {}): PortSwitch {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  let listening = false;
  const dropConnections = (): void => {
    onDrop();
    for (const s of sockets) s.destroy();
  };
  return {
    get listening() {
      return listening;
    },
    dropConnections,
    listen: (port) =>
      new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => {
          server.off('error', reject);
          listening = true;
          resolve();
        });
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        dropConnections();
        if (!listening) return resolve();
        listening = false;
        server.close(() => resolve());
      }),
  };
}
