import { createRequire } from 'node:module';
import type { Client as UndiciClient } from 'undici';

const require = createRequire(import.meta.url);

/**
 * undici's Client, loaded on its own. undici's main module loads the whole library (fetch,
 * WebSocket, caches, mock agents, every interceptor): about 5 MB more RSS in the running daemon,
 * which only ever sends one request per connection. undici declares no `exports` map, so its
 * files can be required directly; the lock file pins the version, and the probe tests fail at once
 * if an update moves this one.
 */
export const Client: typeof UndiciClient = require('undici/lib/dispatcher/client.js') as typeof UndiciClient;
export type Client = UndiciClient;

/**
 * Given to `destroy()` once the answer is read: undici would otherwise build a ClientDestroyedError,
 * stack trace and all, for every request. Nothing is pending by then, so no request ever sees it.
 */
const ANSWER_READ = new Error('the answer was read');
const ignore = (): void => {};

/** Closes a client made for one request, and its connection, once that request is over. */
export function closeClient(client: Client): void {
  client.destroy(ANSWER_READ, ignore);
}
