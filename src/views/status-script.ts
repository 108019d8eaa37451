import { PROTOCOLS } from '../config/protocols.js';
import { PHASES } from '../diagnose/diagnosis.js';
import { statusView } from './status-view.js';

/** How often the page asks for a new diagnosis. */
export const REFRESH_MS = 5_000;

/**
 * The status page's script: the same renderer the server uses (statusView's own source), fed
 * from /api/v1/diagnosis every few seconds. Paths are relative so the page also works behind a
 * proxy that serves it under a prefix.
 */
export const STATUS_JS = `'use strict';
(() => {
  const view = (${statusView.toString()})(${JSON.stringify(PHASES)}, ${JSON.stringify(PROTOCOLS)});
  const app = document.getElementById('app');
  const icon = document.querySelector('link[rel="icon"]');
  // The diagnosis the server rendered the page from, so a failed first refresh keeps it shown.
  const embedded = document.getElementById('diagnosis-data');
  let last = embedded ? JSON.parse(embedded.textContent || 'null') : null;
  let lastOkAt = null;
  let stale = false;

  const paint = () => {
    if (!app) return;
    app.innerHTML = view.renderApp(last, Date.now(), stale ? lastOkAt : null);
    document.title = view.title(last);
    if (icon) icon.setAttribute('href', 'favicon-' + view.overall(last) + '.svg');
    document.documentElement.dataset.refreshed = String(Date.now());
  };

  const refresh = async () => {
    try {
      const res = await fetch('api/v1/diagnosis', { cache: 'no-store', headers: { accept: 'application/json' } });
      if (res.status === 503) {
        last = null;
      } else if (res.ok) {
        last = await res.json();
      } else {
        throw new Error('HTTP ' + res.status);
      }
      lastOkAt = Date.now();
      stale = false;
    } catch {
      stale = lastOkAt !== null;
    }
    paint();
  };

  let timer = null;
  const schedule = () => {
    clearTimeout(timer);
    if (document.visibilityState !== 'hidden') timer = setTimeout(() => refresh().finally(schedule), ${REFRESH_MS});
  };
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') refresh().finally(schedule);
    else clearTimeout(timer);
  });
  lastOkAt = Date.now();
  schedule();
})();
`;
