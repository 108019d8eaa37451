import { PROTOCOLS } from '../config/protocols.js';
import { PHASES, type Diagnosis } from '../diagnose/diagnosis.js';
import { REFRESH_MS } from './status-script.js';
import { statusView } from './status-view.js';

const view = statusView(PHASES, PROTOCOLS);

/**
 * The whole status page, rendered on the server so it reads without script; /status.js then
 * keeps it fresh. The diagnosis rides along as a JSON data block (not executed, so the content
 * security policy allows it) with every character that could end the block escaped.
 */
export function renderStatusPage(d: Diagnosis | null, nowMs: number): string {
  const state = view.overall(d);
  const data = JSON.stringify(d)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${view.escape(view.title(d))}</title>
<link rel="icon" type="image/svg+xml" href="favicon-${state}.svg">
<link rel="stylesheet" href="status.css">
<noscript><meta http-equiv="refresh" content="${Math.round((REFRESH_MS * 3) / 1000)}"></noscript>
<script src="status.js" defer></script>
</head>
<body>
<div id="app">${view.renderApp(d, nowMs, null)}</div>
<footer class="foot">Refreshes every ${REFRESH_MS / 1000} s · <a href="api/v1/diagnosis">diagnosis (JSON)</a> · <a href="metrics">metrics</a></footer>
<script type="application/json" id="diagnosis-data">${data}</script>
</body>
</html>
`;
}
