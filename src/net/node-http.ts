import { createRequire } from 'node:module';
import type * as Http from 'node:http';

const require = createRequire(import.meta.url);

/**
 * `node:http`, loaded with require. On Node.js 22 and later, `import ... from 'node:http'` builds
 * the module's ES namespace, which reads every export, the lazy `WebSocket`, `CloseEvent` and
 * `MessageEvent` among them, and those load Node's own bundled undici (fetch, WebSocket, about
 * 760 KB of source): 13 MB more RSS on Node.js 24 for nothing the daemon uses. require() leaves
 * them unread. `node:https` has no such exports and is imported as usual.
 */
export const http: typeof Http = require('node:http') as typeof Http;
