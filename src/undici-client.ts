import { createRequire } from 'node:module';
import type { Client as UndiciClient } from 'undici';

const require = createRequire(import.meta.url);

/**
 * undici's Client, loaded on its own. undici's main module loads the whole library (fetch,
 * WebSocket, caches, mock agents, every interceptor) for about 8 MB of RSS that a daemon which
 * only ever sends one request per connection does not use. undici has no `exports` map: its files
 * are its public layout, pinned here by the lock file, and the probe tests fail at once if a new
 * version moves this one.
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
