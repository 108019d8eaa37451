import { createHash } from 'node:crypto';
import { faviconSvg } from './favicons.js';
import { STATUS_CSS } from '../views/status-css.js';
import { STATUS_JS } from '../views/status-script.js';

export interface StaticAsset {
  readonly body: Buffer;
  readonly contentType: string;
  readonly etag: string;
}

function asset(text: string, contentType: string): StaticAsset {
  const body = Buffer.from(text, 'utf8');
  return { body, contentType, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` };
}

/** Everything the status page loads besides itself, by path. Served from memory, never from disk. */
export const STATIC_ASSETS: ReadonlyMap<string, StaticAsset> = new Map([
  ['/status.js', asset(STATUS_JS, 'text/javascript; charset=utf-8')],
  ['/status.css', asset(STATUS_CSS, 'text/css; charset=utf-8')],
  ['/favicon-down.svg', asset(faviconSvg('down'), 'image/svg+xml')],
  ['/favicon-warn.svg', asset(faviconSvg('warn'), 'image/svg+xml')],
  ['/favicon-up.svg', asset(faviconSvg('up'), 'image/svg+xml')],
  ['/favicon-pending.svg', asset(faviconSvg('pending'), 'image/svg+xml')],
]);
